using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>The int64 group indexer (a direct table over the keys' range, grown as batches widen it, and a hash table
/// for keys outside it) numbers groups exactly as a dictionary would: equal keys get one id, different keys different
/// ids, NULL a group of its own, and each id gives back its key, typed or boxed, whatever the order in which batches
/// of narrow, wide and shifting ranges arrive.</summary>
public sealed class GroupIndexerProperties
{
    [Fact]
    public void Int64_keys_get_the_ids_a_dictionary_gives()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            GroupIndexer? indexer = null;
            var seen = new Dictionary<long, int>();
            int nullId = -1;
            for (int batch = 0, batches = rng.Next(1, 8); batch < batches; batch++)
            {
                long start = rng.Next(4) switch { 0 => 0, 1 => rng.NextInt64(-3_000_000, 3_000_000), 2 => long.MaxValue - 10_000, _ => rng.Next(-50, 50) };
                long width = rng.Next(3) switch { 0 => 100, 1 => 2_000_000, _ => 40_000_000 };
                var keys = Enumerable.Range(0, rng.Next(0, 400)).Select(_ => rng.Next(10) == 0 ? (long?)null : start + rng.NextInt64(0, width) % Math.Max(1, long.MaxValue - start)).ToList();
                var column = ArrayBuilder.Build(DataType.Int64, keys.Cast<object?>());
                indexer ??= GroupIndexer.For([column]);
                var ids = new int[keys.Count];
                indexer.Assign([column], ids);
                for (int i = 0; i < keys.Count; i++)
                {
                    int expected;
                    int groups = seen.Count + (nullId >= 0 ? 1 : 0);
                    if (keys[i] is not { } k) { if (nullId < 0) nullId = groups; expected = nullId; }
                    else if (!seen.TryGetValue(k, out expected)) seen[k] = expected = groups;
                    Assert.Equal(expected, ids[i]);
                    Assert.Equal(keys[i], (long?)indexer.Key(ids[i], 0));
                }
            }
            Assert.Equal(seen.Count + (nullId >= 0 ? 1 : 0), indexer?.Count ?? 0);
            if (indexer?.KeyColumn(DataType.Int64) is { } typed)
            {
                foreach (var (key, id) in seen) Assert.Equal(key, (long?)typed.GetValue(id));
                if (nullId >= 0) Assert.Null(typed.GetValue(nullId));
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    /// <summary>Probe (what a spilling aggregation asks of the groups it holds) finds exactly the ids Assign gave, −1 for
    /// keys no group has, and adds no group, for every indexer: int64 (direct and hashed ranges), text (plain and
    /// dictionary-encoded), doubles (generic), several keys (composite, and the dependent indexer where one int64 key
    /// determines the others).</summary>
    [Fact]
    public void Probe_finds_the_groups_assign_made_and_adds_none()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int shape = rng.Next(5);
            object? Value(int column, long id) => rng.Next(12) == 0 ? null : (shape, column) switch
            {
                (0, _) => (object)(id * (rng.Next(2) == 0 ? 1 : 1_000_003)),
                (1, _) => "v" + id,
                (2, _) => id / 4.0,
                (3, 0) => id,
                (3, _) => "d" + id % 5,
                _ => column == 0 ? id : "d" + id * 7 % 11,
            };
            DataType TypeOf(int column) => (shape, column) switch
            {
                (0, _) => DataType.Int64,
                (1, _) => DataType.Utf8,
                (2, _) => DataType.Float64,
                (_, 0) => DataType.Int64,
                _ => DataType.Utf8,
            };
            int width = shape >= 3 ? 2 : 1;
            global::QueryLake.Columnar.Arrays.ArrowArray[] Batch(int rows, long range)
            {
                var values = Enumerable.Range(0, rows).Select(_ => rng.NextInt64(0, range)).ToArray();
                return Enumerable.Range(0, width).Select(c => ArrayBuilder.Build(TypeOf(c), values.Select(v => Value(c, v)))).ToArray();
            }
            var first = Batch(rng.Next(1, 300), 200);
            var indexer = GroupIndexer.For(first);
            var assigned = new int[first[0].Length];
            indexer.Assign(first, assigned);
            for (int b = 0; b < 3; b++)
            {
                var more = Batch(rng.Next(0, 300), 400);
                int before = indexer.Count;
                var probed = new int[more[0].Length];
                indexer.Probe(more, probed);
                Assert.Equal(before, indexer.Count);
                // The reference: Assign on the same rows, then every id below the old count was known.
                var ids = new int[more[0].Length];
                indexer.Assign(more, ids);
                for (int i = 0; i < ids.Length; i++) Assert.Equal(ids[i] < before ? ids[i] : -1, probed[i]);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
