using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using QueryLake.Planning.Expressions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>A filter keeps exactly the rows whose mask is true (NULL and false dropped), whatever the mask's length,
/// NULLs and offset into its bitmaps (a slice of a column starts mid-byte): the word-at-a-time selection against a
/// row-by-row reading of the same mask.</summary>
public sealed class SelectionProperties
{
    [Fact]
    public void Kept_rows_are_the_true_rows_of_any_slice()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int n = rng.Next(0, 400), nullRate = rng.Next(4), trueRate = rng.Next(1, 10);
            var b = new BooleanBuilder();
            for (int i = 0; i < n; i++)
            {
                if (nullRate > 0 && rng.Next(10) < nullRate) b.AppendNull();
                else b.Append(rng.Next(10) < trueRate);
            }
            var mask = b.Build();
            int start = n == 0 ? 0 : rng.Next(n), length = rng.Next(0, n - start + 1);
            var slice = mask.Slice(start, length);
            var batch = new RecordBatch(new Schema([new Field("p", DataType.Boolean)]), [slice], length);
            var kept = ExpressionEvaluator.Select(new ColumnRef(0, "p", DataType.Boolean), batch);
            var expected = Enumerable.Range(0, length).Where(i => slice.GetValue(i) is true).ToArray();
            Assert.Equal(expected, kept);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }
}
