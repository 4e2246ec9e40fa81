using FsCheck;
using FsCheck.Fluent;
using QueryLake.Formats.Parquet.Writing;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>The chunk writer's table for 4- and 8-byte values gives what a general map gives: each value's index in
/// order of first appearance, the first position of each distinct value, and a refusal exactly when more than the
/// limit are distinct.</summary>
public sealed class FixedDictionaryProperties
{
    [Fact]
    public void Indices_and_refusals_equal_a_general_maps()
    {
        var cases = from n in Gen.Choose(0, 5000)
                    from distinct in Gen.Elements(1, 2, 7, 300, 4096, 100_000)
                    from maxSize in Gen.Elements(1, 5, 300, 1 << 16)
                    from wide in Gen.Elements(true, false)
                    from seed in Gen.Choose(0, 1_000_000)
                    select (n, distinct, maxSize, wide, seed);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.seed);
            // Keys that collide in their low bits too (multiples of a power of two), and extremes.
            var longs = Enumerable.Range(0, c.n).Select(_ => rng.Next(4) switch
            {
                0 => (long)rng.Next(c.distinct) << 32,
                1 => rng.Next(2) == 0 ? long.MinValue + rng.Next(c.distinct) : long.MaxValue - rng.Next(c.distinct),
                _ => (long)rng.Next(c.distinct) * 1024,
            }).ToArray();
            var ints = longs.Select(v => (int)(v ^ (v >> 32))).ToArray();
            var (expectedIndices, expectedFirsts, fits) = c.wide ? Reference(longs, c.maxSize) : Reference(ints, c.maxSize);
            var indices = new int[c.n];
            var firsts = new List<int>();
            bool ok = c.wide ? FixedDictionary.TryEncode<long>(longs, c.maxSize, indices, firsts) : FixedDictionary.TryEncode<int>(ints, c.maxSize, indices, firsts);
            Assert.Equal(fits, ok);
            if (!ok) return;
            Assert.Equal(expectedIndices, indices);
            Assert.Equal(expectedFirsts, firsts);
        }));
    }

    private static (int[] Indices, List<int> Firsts, bool Fits) Reference<T>(T[] values, int maxSize) where T : notnull
    {
        var map = new Dictionary<T, int>();
        var indices = new int[values.Length];
        var firsts = new List<int>();
        for (int i = 0; i < values.Length; i++)
        {
            if (!map.TryGetValue(values[i], out int ix))
            {
                if (map.Count >= maxSize) return (indices, firsts, false);
                map[values[i]] = ix = map.Count;
                firsts.Add(i);
            }
            indices[i] = ix;
        }
        return (indices, firsts, true);
    }
}
