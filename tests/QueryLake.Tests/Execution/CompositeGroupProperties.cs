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

    [Fact]
    public void Keys_that_one_column_mostly_determines_group_like_one_concatenated_key()
    {
        // GROUP BY id, name, … where id usually fixes the rest (a key and its row's columns, text dictionary-encoded by
        // the join that brings it): the groups are numbered by id and checked column by column; the rows where id does
        // not fix the rest (every `violate`-th), -0.0 beside 0.0, NaN, dates and NULLs in any column still give one
        // group per distinct combination.
        using var s = QueryLakeSession.Open();
        int run = 0;
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int ids = rng.Next(1, 300), rows = rng.Next(1, 3000), violate = rng.Next(2, 60), nullEvery = rng.Next(3, 50);
            string name = $"d{run++}";
            s.Execute($"CREATE DATASET {name}_dim AS SELECT range AS id, CASE WHEN range % {nullEvery} = 0 THEN NULL ELSE 'name' || CAST(range % {rng.Next(1, 400)} AS VARCHAR) END AS nm, " +
                $"CASE range % 4 WHEN 0 THEN -0.0 WHEN 1 THEN 0.0 WHEN 2 THEN CAST('NaN' AS DOUBLE) ELSE range / 3.0 END AS bal, DATE '2020-01-01' + CAST(range % 9 AS INTEGER) AS day FROM range({ids})");
            s.Execute($"CREATE DATASET {name}_fact AS SELECT CASE WHEN range % {nullEvery + 1} = 0 THEN NULL ELSE (range * {rng.Next(1, 50)}) % {ids} END AS id, range % {violate} AS w, range AS x FROM range({rows})");
            // The fact's id joins the dimension; every `violate`-th row's name is replaced, so id does not fix it there.
            string from = $"{name}_fact f LEFT JOIN {name}_dim d ON f.id = d.id";
            const string Columns = "f.id, CASE WHEN w = 0 THEN 'other' || CAST(f.x % 3 AS VARCHAR) ELSE nm END, bal, day";
            const string Key = "coalesce(CAST(f.id AS VARCHAR), '∅') || '|' || coalesce(CASE WHEN w = 0 THEN 'other' || CAST(f.x % 3 AS VARCHAR) ELSE nm END, '∅') || '|' || coalesce(CAST(CASE WHEN bal = 0 THEN 0.0 ELSE bal END AS VARCHAR), '∅') || '|' || coalesce(CAST(day AS VARCHAR), '∅')";
            var grouped = s.Query($"SELECT {Key} AS k, count(*), sum(x) FROM {from} GROUP BY {Columns}").Rows().Select(r => string.Join("/", r)).Order().ToList();
            var single = s.Query($"SELECT {Key} AS k, count(*), sum(x) FROM {from} GROUP BY {Key}").Rows().Select(r => string.Join("/", r)).Order().ToList();
            Assert.Equal(single, grouped);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }
}
