using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Functions;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>AND, OR and NOT on 64 rows at a time give SQL's three-valued logic row by row (false wins in AND, true in
/// OR, NOT NULL is NULL), on arrays sliced at any bit offset, of any length, with and without NULLs.</summary>
public sealed class LogicKernelProperties
{
    private static bool? And(bool? x, bool? y) => x == false || y == false ? false : x is null || y is null ? null : true;
    private static bool? Or(bool? x, bool? y) => x == true || y == true ? true : x is null || y is null ? null : false;

    [Fact]
    public void Bitwise_logic_equals_three_valued_logic()
    {
        var registry = FunctionRegistry.Default;
        var and = registry.Scalar("AND")!.Resolve([DataType.Boolean, DataType.Boolean])!.Kernel;
        var or = registry.Scalar("OR")!.Resolve([DataType.Boolean, DataType.Boolean])!.Kernel;
        var not = registry.Scalar("NOT")!.Resolve([DataType.Boolean])!.Kernel;
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int n = rng.Next(0, 300), skipX = rng.Next(0, 70), skipY = rng.Next(0, 70);
            bool nullsX = rng.Next(2) == 0, nullsY = rng.Next(2) == 0;
            bool? Draw(bool nulls) => nulls && rng.Next(4) == 0 ? null : rng.Next(2) == 0;
            var xs = Enumerable.Range(0, n + skipX).Select(_ => Draw(nullsX)).ToList();
            var ys = Enumerable.Range(0, n + skipY).Select(_ => Draw(nullsY)).ToList();
            var x = ArrayBuilder.Build(DataType.Boolean, xs.Cast<object?>()).Slice(skipX, n);
            var y = ArrayBuilder.Build(DataType.Boolean, ys.Cast<object?>()).Slice(skipY, n);
            var a = and([x, y], n);
            var o = or([x, y], n);
            var t = not([x], n);
            for (int i = 0; i < n; i++)
            {
                bool? xv = xs[skipX + i], yv = ys[skipY + i];
                Assert.Equal(And(xv, yv), (bool?)a.GetValue(i));
                Assert.Equal(Or(xv, yv), (bool?)o.GetValue(i));
                Assert.Equal(xv is null ? null : !xv, (bool?)t.GetValue(i));
            }
            Assert.Equal(Enumerable.Range(0, n).Count(i => And(xs[skipX + i], ys[skipY + i]) is null), a.NullCount);
            Assert.Equal(Enumerable.Range(0, n).Count(i => Or(xs[skipX + i], ys[skipY + i]) is null), o.NullCount);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }
}
