using FsCheck;
using FsCheck.Fluent;
using QueryLake.Formats.Parquet.Encodings;
using Xunit;

namespace QueryLake.Tests.Formats;

/// <summary>Parquet bit packing: for every width 0–32 and random value counts (groups of sixteen unpacked as vectors,
/// the rest value by value, and sources that end right after the last value), unpacking what
/// <see cref="BitPacking.Pack"/> packed gives the values back, and the RLE/bit-packed hybrid decoder reads a bit-packed
/// run the same way.</summary>
public sealed class BitPackingProperties
{
    [Fact]
    public void Unpacking_inverts_packing()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int width = rng.Next(0, 33), n = rng.Next(0, 300);
            long top = width == 0 ? 0 : (1L << width) - 1;
            var values = Enumerable.Range(0, n).Select(_ => rng.Next(3) == 0 ? top : rng.NextInt64(0, top + 1)).ToArray();
            var packed = new byte[(n * width + 7) / 8 + rng.Next(0, 70)]; // sometimes exactly the bytes, sometimes slack
            BitPacking.Pack(values, width, packed);
            var back = new int[n];
            BitPacking.Unpack32(packed, width, back);
            Assert.Equal(values.Select(v => (int)(uint)v), back);
            // The same values as one bit-packed run of the hybrid encoding (header: groups of eight << 1 | 1).
            int groups = (n + 7) / 8;
            if (groups is > 0 and < 64)
            {
                var run = new byte[1 + groups * width];
                run[0] = (byte)(groups << 1 | 1);
                BitPacking.Pack(values, width, run.AsSpan(1));
                var decoded = new int[n];
                RleHybrid.Decode(run, width, decoded);
                Assert.Equal(back, decoded);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }
}
