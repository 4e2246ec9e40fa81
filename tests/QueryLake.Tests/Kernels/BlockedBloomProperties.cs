using FsCheck;
using FsCheck.Fluent;
using QueryLake.Errors;
using QueryLake.Kernels;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>The blocked Bloom filter of join filters: it never loses a value it was given, filters of one size merge to
/// the union of their values (as the tasks of a join side merge theirs), bytes round-trip, and at its sizing (16 bits a
/// value) it passes few values it was not given.</summary>
public sealed class BlockedBloomProperties
{
    [Fact]
    public void Merged_filters_hold_every_value_of_each_and_round_trip_as_bytes()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            long expected = rng.Next(1, 200_000);
            int parts = rng.Next(1, 6);
            var filters = Enumerable.Range(0, parts).Select(_ => BlockedBloom.ForValues(expected)).ToList();
            var given = new HashSet<ulong>();
            for (int i = 0; i < expected; i++)
            {
                ulong h = KeyHash.Mix((ulong)rng.NextInt64());
                filters[rng.Next(parts)].Add(h);
                given.Add(h);
            }
            var merged = BlockedBloom.ForValues(expected);
            foreach (var f in filters) merged.Or(f);
            var back = BlockedBloom.FromBytes(merged.ToBytes());
            Assert.Equal(merged.Words, back.Words);
            Assert.All(given, h => Assert.True(back.MayHold(h)));
            // Values never given: about 2% pass at 16 bits a value (4% allowed; small filters hold 64 words at least).
            int passed = 0, tried = 20_000;
            for (int i = 0; i < tried; i++)
            {
                ulong h = KeyHash.Mix((ulong)rng.NextInt64() ^ 0x9E3779B97F4A7C15UL);
                if (!given.Contains(h) && back.MayHold(h)) passed++;
            }
            Assert.True(passed <= tried * 0.04, $"{passed} of {tried} values never given passed");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    [Fact]
    public void Sizes_are_powers_of_two_within_bounds_and_bad_bytes_are_a_QL_error()
    {
        Assert.Equal(64, BlockedBloom.WordsFor(0));
        Assert.Equal(256, BlockedBloom.WordsFor(1000));
        Assert.Equal(BlockedBloom.MostWords, BlockedBloom.WordsFor(long.MaxValue));
        Assert.Throws<ArgumentException>(() => BlockedBloom.ForValues(10).Or(BlockedBloom.ForValues(100_000)));
        foreach (var bytes in new[] { new byte[7], new byte[8 * 63], new byte[8 * 96] })
            Assert.Equal("QL-CLUSTER-PLAN", Assert.Throws<QueryLakeException>(() => BlockedBloom.FromBytes(bytes)).Code);
    }
}
