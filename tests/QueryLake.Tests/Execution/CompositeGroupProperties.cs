using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>GROUP BY several keys (per-column ids combined pairwise) gives the same groups, counts and sums as GROUP BY
/// one text key that concatenates them (a single-column indexer), for random int64, text and double keys with NULLs.</summary>
public sealed class CompositeGroupProperties
{
    [Fact]
    public void Several_keys_group_like_one_concatenated_key()
    {
        using var s = QueryLakeSession.Open();
        int run = 0;
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int rows = rng.Next(1, 600), spread = rng.Next(1, 40);
            string I() => rng.Next(9) == 0 ? "NULL" : rng.Next(spread).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string S() => rng.Next(9) == 0 ? "NULL" : $"'k{rng.Next(spread)}'";
            string D() => rng.Next(9) == 0 ? "NULL" : (rng.Next(spread) / 2.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            string name = $"g{run++}";
            s.Execute($"CREATE DATASET {name} AS SELECT * FROM (VALUES {string.Join(", ", Enumerable.Range(0, rows).Select(_ => $"({I()}, {S()}, {D()}, {rng.Next(100)})"))}) v(a, b, c, x)");
            const string Key = "coalesce(CAST(a AS VARCHAR), '∅') || '|' || coalesce(b, '∅') || '|' || coalesce(CAST(c AS VARCHAR), '∅')";
            var composite = s.Query($"SELECT {Key} AS k, count(*), sum(x) FROM {name} GROUP BY a, b, c").Rows().Select(r => string.Join("/", r)).Order().ToList();
            var single = s.Query($"SELECT {Key} AS k, count(*), sum(x) FROM {name} GROUP BY {Key}").Rows().Select(r => string.Join("/", r)).Order().ToList();
            Assert.Equal(single, composite);
            s.Execute($"DROP DATASET {name}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [Fact]
    public void Many_rows_group_alike_through_the_direct_pair_table_and_the_hash_table()
    {
        // Enough rows for the direct table of id pairs, and a second key with more than 1,024 values so that pairs take
        // both the direct table and the hash table.
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET big AS SELECT (range * 7) % 37 AS a, 'k' || CAST((range * 13) % 1500 AS VARCHAR) AS b, range % 11 AS c, range AS x FROM range(300000)");
        const string Key = "CAST(a AS VARCHAR) || '|' || b || '|' || CAST(c AS VARCHAR)";
        var composite = s.Query("SELECT " + Key + " AS k, count(*), sum(x) FROM big GROUP BY a, b, c").Rows().Select(r => string.Join("/", r)).Order().ToList();
        var single = s.Query("SELECT " + Key + " AS k, count(*), sum(x) FROM big GROUP BY " + Key).Rows().Select(r => string.Join("/", r)).Order().ToList();
        Assert.True(composite.Count > 20_000, $"{composite.Count} groups");
        Assert.Equal(single, composite);
    }
}
