using FsCheck;
using FsCheck.Fluent;
using QueryLake.Kernels;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>The vector comparison kernel (64 rows per step with the CPU's widest vectors, straight into a bitmap) equals the row-by-row
/// comparison it replaces (<see cref="QueryLake.Kernels.Comparer.Doubles"/>: NaN equals NaN and sorts above every number; int64 by value)
/// for every operator, against a constant and column against column, for random lengths (tails shorter than a
/// block), values drawn from a few so that ties are common, NaN, ±0, infinities and the integer extremes. Run with
/// DOTNET_EnableAVX512F=0 (and DOTNET_EnableAVX2=0) to check the 256- and 128-bit paths.</summary>
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
            var xs = Enumerable.Range(0, rng.Next(0, 300)).Select(_ => Value()).ToArray();
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
            var xs = Enumerable.Range(0, rng.Next(0, 300)).Select(_ => Value()).ToArray();
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

    [Fact]
    public void Narrow_types_compare_by_value()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int n = rng.Next(0, 300);
            int[] ipool = [int.MinValue, int.MaxValue, 0, -1, 1, 9131, 8766];
            int Int() => rng.Next(4) == 0 ? ipool[rng.Next(ipool.Length)] : rng.Next(-3, 4);
            float[] fpool = [float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 1.5f];
            float Float() => rng.Next(4) == 0 ? fpool[rng.Next(fpool.Length)] : rng.Next(-3, 4) / 2f;
            short Short() => (short)(rng.Next(4) == 0 ? (rng.Next(2) == 0 ? short.MinValue : short.MaxValue) : rng.Next(-3, 4));
            byte Byte() => (byte)(rng.Next(4) == 0 ? 255 : rng.Next(0, 4));
            var xi = Enumerable.Range(0, n).Select(_ => Int()).ToArray();
            var yi = Enumerable.Range(0, n).Select(_ => Int()).ToArray();
            var xf = Enumerable.Range(0, n).Select(_ => Float()).ToArray();
            var yf = Enumerable.Range(0, n).Select(_ => Float()).ToArray();
            var xs = Enumerable.Range(0, n).Select(_ => Short()).ToArray();
            var xb = Enumerable.Range(0, n).Select(_ => Byte()).ToArray();
            int ci = Int(); float cf = Float(); short cs = Short(); byte cb = Byte();
            foreach (var op in Ops)
            {
                Check(CompareKernel.Bits<int>(xi, ci, op), i => CompareKernel.Test(op, xi[i].CompareTo(ci)), n, $"int x {op} {ci}");
                Check(CompareKernel.Bits<int>(xi, yi, op), i => CompareKernel.Test(op, xi[i].CompareTo(yi[i])), n, $"int x {op} y");
                Check(CompareKernel.Bits<float>(xf, cf, op), i => CompareKernel.Test(op, QueryLake.Kernels.Comparer.Doubles(xf[i], cf)), n, $"float x {op} {cf}");
                Check(CompareKernel.Bits<float>(xf, yf, op), i => CompareKernel.Test(op, QueryLake.Kernels.Comparer.Doubles(xf[i], yf[i])), n, $"float x {op} y");
                Check(CompareKernel.Bits<short>(xs, cs, op), i => CompareKernel.Test(op, xs[i].CompareTo(cs)), n, $"short x {op} {cs}");
                Check(CompareKernel.Bits<byte>(xb, cb, op), i => CompareKernel.Test(op, xb[i].CompareTo(cb)), n, $"byte x {op} {cb}");
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
