using FsCheck;
using FsCheck.Fluent;
using QueryLake.Kernels;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>The vector comparison kernel (eight rows per compare, straight into a bitmap) equals the row-by-row
/// comparison it replaces (<see cref="QueryLake.Kernels.Comparer.Doubles"/>: NaN equals NaN and sorts above every number; int64 by value)
/// for every operator, against a constant and column against column, for random lengths (tails shorter than a
/// vector), values drawn from a few so that ties are common, NaN, ±0, infinities and the int64 extremes.</summary>
public sealed class CompareKernelProperties
{
    private static readonly ComparisonOp[] Ops = Enum.GetValues<ComparisonOp>();

    [Fact]
    public void Doubles_compare_like_the_row_by_row_comparer()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            double[] pool = [double.NaN, 0.0, -0.0, 1.5, -2, double.PositiveInfinity, double.NegativeInfinity, 3, 1e300, -1e-300];
            double Value() => rng.Next(4) == 0 ? pool[rng.Next(pool.Length)] : rng.Next(-3, 4) / 2.0;
            var xs = Enumerable.Range(0, rng.Next(0, 70)).Select(_ => Value()).ToArray();
            var ys = xs.Select(_ => Value()).ToArray();
            double c = Value();
            foreach (var op in Ops)
            {
                Check(CompareKernel.Bits<double>(xs, c, op), i => CompareKernel.Test(op, QueryLake.Kernels.Comparer.Doubles(xs[i], c)), xs.Length, $"x {op} {c}");
                Check(CompareKernel.Bits<double>(xs, ys, op), i => CompareKernel.Test(op, QueryLake.Kernels.Comparer.Doubles(xs[i], ys[i])), xs.Length, $"x {op} y");
            }
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Int64s_compare_by_value()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            long[] pool = [long.MinValue, long.MaxValue, 0, -1, 1, 1L << 53, -(1L << 53) - 1];
            long Value() => rng.Next(4) == 0 ? pool[rng.Next(pool.Length)] : rng.Next(-3, 4);
            var xs = Enumerable.Range(0, rng.Next(0, 70)).Select(_ => Value()).ToArray();
            var ys = xs.Select(_ => Value()).ToArray();
            long c = Value();
            foreach (var op in Ops)
            {
                Check(CompareKernel.Bits<long>(xs, c, op), i => CompareKernel.Test(op, xs[i].CompareTo(c)), xs.Length, $"x {op} {c}");
                Check(CompareKernel.Bits<long>(xs, ys, op), i => CompareKernel.Test(op, xs[i].CompareTo(ys[i])), xs.Length, $"x {op} y");
                // A constant on the left is the swapped operator with the column on the left.
                Check(CompareKernel.Bits<long>(xs, c, CompareKernel.Swap(op)), i => CompareKernel.Test(op, c.CompareTo(xs[i])), xs.Length, $"{c} {op} x");
            }
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    private static void Check(byte[] bits, Func<int, bool> expected, int length, string what)
    {
        Assert.Equal((length + 7) / 8, bits.Length);
        for (int i = 0; i < length; i++)
            Assert.True(((bits[i >> 3] >> (i & 7)) & 1) == 1 == expected(i), $"{what}: row {i}");
        // Bits past the last row stay clear.
        for (int i = length; i < bits.Length * 8; i++)
            Assert.True(((bits[i >> 3] >> (i & 7)) & 1) == 0, $"{what}: padding bit {i} set");
    }
}
