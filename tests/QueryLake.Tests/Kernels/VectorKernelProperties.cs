using FsCheck;
using FsCheck.Fluent;
using QueryLake.Kernels;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>The blocked cosine kernel (dot products and norms of four rows side by side) gives bit for bit the values
/// of the one-row kernel, for random dimensions (multiples of 16 or not), row counts, offsets into the column and row
/// selections: similarity search must return exactly the brute-force answer whichever path scores a row.</summary>
public sealed class VectorKernelProperties
{
    [Fact]
    public void Blocked_dots_and_norms_equal_the_one_row_kernel()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int d = rng.Next(3) == 0 ? rng.Next(1, 70) : 16 * rng.Next(1, 20);
            int rows = rng.Next(0, 40), first = d * rng.Next(0, 3);
            var all = new float[first + rows * d];
            for (int i = 0; i < all.Length; i++) all[i] = (float)(rng.NextDouble() * 2 - 1) * (rng.Next(5) == 0 ? 1e6f : 1f);
            var probe = Enumerable.Range(0, d).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            int[] picked = rng.Next(2) == 0 ? [] : Enumerable.Range(0, rng.Next(0, rows + 1)).Select(_ => rng.Next(rows)).ToArray();
            int count = picked.Length == 0 ? rows : picked.Length; // no selection: every row in order
            var dots = new float[count];
            var norms = new float[count];
            VectorMath.DotsAndNorms(all, first, d, picked, probe, dots, norms);
            for (int r = 0; r < count; r++)
            {
                int row = picked.Length == 0 ? r : picked[r];
                var (dot, norm) = VectorMath.DotAndNorm(all.AsSpan(first + row * d, d), probe);
                Assert.Equal(BitConverter.SingleToInt32Bits(dot), BitConverter.SingleToInt32Bits(dots[r]));
                Assert.Equal(BitConverter.SingleToInt32Bits(norm), BitConverter.SingleToInt32Bits(norms[r]));
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
