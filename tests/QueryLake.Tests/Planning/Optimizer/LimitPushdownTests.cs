using Xunit;

namespace QueryLake.Tests.Planning.Optimizer;

public sealed class LimitPushdownTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Limit_and_offset_go_into_the_scan()
    {
        const string sql = "SELECT a, b FROM t LIMIT 5 OFFSET 2";
        Assert.Equal("""
            Limit: 5 offset=2
              Project: a, b
                Scan: t [a, b]

            """.Replace("\r", ""), f.Explain(sql, "limit_pushdown"));
        Assert.Equal("""
            Limit: 5 offset=2
              Project: a, b
                Scan: t [a, b] limit=7

            """.Replace("\r", ""), f.Explain(sql));
        Assert.Single(f.Session.Query(sql).Rows());
    }
}
