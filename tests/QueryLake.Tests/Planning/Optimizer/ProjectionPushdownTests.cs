using Xunit;

namespace QueryLake.Tests.Planning.Optimizer;

public sealed class ProjectionPushdownTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Scans_read_only_the_columns_used_and_never_the_blob()
    {
        const string sql = "SELECT b, count(*) FROM t WHERE c > 0.6 GROUP BY b";
        Assert.Equal("""
            Project: #g0#0 AS b, count_star()
              Aggregate: groups=[b#1] aggregates=[count(*)]
                Scan: t [a, b, c, img] filter=(c#2 > 0.6)

            """.Replace("\r", ""), f.Explain(sql, "projection_pushdown"));
        Assert.Equal("""
            Project: #g0#0 AS b, count_star()
              Aggregate: groups=[b#0] aggregates=[count(*)]
                Scan: t [b, c] filter=(c#1 > 0.6)

            """.Replace("\r", ""), f.Explain(sql));
    }

    [Fact]
    public void A_sample_reads_only_its_key_and_the_columns_used_above_it()
    {
        const string sql = "SELECT a FROM t SAMPLE 5 ROWS PER b SEED 3 WHERE c > 0.5";
        Assert.Equal("""
            Project: a
              Filter: (c#2 > 0.5)
                Sample: 5 rows per b#1 seed 3
                  Scan: t [a, b, c]

            """.Replace("\r", ""), f.Explain(sql));
    }
}
