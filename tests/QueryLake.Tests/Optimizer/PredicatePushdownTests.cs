using Xunit;

namespace QueryLake.Tests.Optimizer;

public sealed class PredicatePushdownTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Pushes_filters_into_scans_and_through_inner_joins()
    {
        const string sql = "SELECT t.b, s.label FROM small s JOIN t ON s.a = t.a WHERE t.c > 0.5 AND s.label = 'x'";
        Assert.Equal("""
            Project: b, label
              Filter: ((c#4 > 0.5) AND (label#1 = 'x'))
                Join: inner on (a#0 = a#2)
                  Scan: small [a, label]
                  Scan: t [a, b, c]

            """.Replace("\r", ""), f.Explain(sql, "predicate_pushdown", "join_build_side", "join_reorder"));
        Assert.Equal("""
            Project: b, label
              Join: inner on (a#0 = a#2)
                Scan: small [a, label] filter=(label#1 = 'x')
                Scan: t [a, b, c] filter=(c#2 > 0.5)

            """.Replace("\r", ""), f.Explain(sql, "join_build_side", "join_reorder"));
    }

    [Fact]
    public void Pushed_filters_prune_fragments_by_statistics()
    {
        // Three fragments (one per insert) with disjoint ids; the scan reads only the one that can match.
        f.Session.Execute("CREATE DATASET frags (id BIGINT); INSERT INTO frags VALUES (1), (2); INSERT INTO frags VALUES (10), (11); INSERT INTO frags VALUES (20);");
        var analyzed = (string)f.Session.Query("EXPLAIN ANALYZE SELECT id FROM frags WHERE id >= 10 AND id < 12").Rows().Single()[0]!;
        Assert.Contains("Scan: frags [id] filter=", analyzed);
        Assert.Contains(", rows=2,", analyzed);
        Assert.Equal(2L, f.Session.Query("SELECT count(*) FROM frags WHERE id >= 10 AND id < 12").Rows().Single()[0]);
    }

    [Fact]
    public void Filters_stay_above_a_sample()
    {
        // Filtering before sampling would change which rows the sample draws from.
        const string sql = "SELECT a FROM t TABLESAMPLE BERNOULLI (10 PERCENT) REPEATABLE (4) WHERE c > 0.5";
        Assert.Equal("""
            Project: a
              Filter: (c#1 > 0.5)
                Sample: BERNOULLI 10% seed 4
                  Scan: t [a, c]

            """.Replace("\r", ""), f.Explain(sql));
    }
}
