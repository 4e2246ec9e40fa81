using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>agg(DISTINCT x) per group equals the plain aggregate over SELECT DISTINCT g, x (a different operator),
/// for random groups, values with NULLs and duplicates, over int64, text and double values, and over the whole input
/// without GROUP BY.</summary>
public sealed class DistinctAggregateProperties
{
    [Fact]
    public void Distinct_aggregates_equal_aggregates_over_distinct_rows()
    {
        using var s = QueryLakeSession.Open();
        int run = 0;
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int rows = rng.Next(1, 400), groups = rng.Next(1, 8), values = rng.Next(1, 30);
            string V() => rng.Next(7) == 0 ? "NULL" : rng.Next(values).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string name = $"t{run++}";
            s.Execute($"CREATE DATASET {name} AS SELECT g, x, CAST(x AS VARCHAR) AS sx, x / 4 AS dx FROM (VALUES {string.Join(", ", Enumerable.Range(0, rows).Select(_ => $"({rng.Next(groups)}, {V()})"))}) v(g, x)");
            var distinct = s.Query($"SELECT g, count(DISTINCT x), sum(DISTINCT x), count(DISTINCT sx), min(DISTINCT sx), avg(DISTINCT dx) FROM {name} GROUP BY g ORDER BY g").Rows().Select(r => string.Join("|", r)).ToList();
            var plain = s.Query($"SELECT g, count(x), sum(x), count(sx), min(sx), avg(dx) FROM (SELECT DISTINCT g, x, sx, dx FROM {name}) d GROUP BY g ORDER BY g").Rows().Select(r => string.Join("|", r)).ToList();
            Assert.Equal(plain, distinct);
            // Without GROUP BY (one group: a flag per distinct value instead of (group, value) pairs).
            var whole = s.Query($"SELECT count(DISTINCT x), sum(DISTINCT x), count(DISTINCT sx), max(DISTINCT sx), avg(DISTINCT dx) FROM {name}").Rows().Select(r => string.Join("|", r)).ToList();
            var wholePlain = s.Query($"SELECT count(x), sum(x), count(sx), max(sx), avg(dx) FROM (SELECT DISTINCT x, sx, dx FROM {name}) d").Rows().Select(r => string.Join("|", r)).ToList();
            Assert.Equal(wholePlain, whole);
            s.Execute($"DROP DATASET {name}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }
}
