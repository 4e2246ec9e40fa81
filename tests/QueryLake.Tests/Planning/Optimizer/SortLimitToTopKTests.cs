using Xunit;

namespace QueryLake.Tests.Planning.Optimizer;

public sealed class SortLimitToTopKTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Order_by_limit_becomes_top_k()
    {
        const string sql = "SELECT a FROM t ORDER BY c DESC LIMIT 2";
        Assert.Equal("""
            Limit: 2
              Project: a
                Sort: #sort0#1 DESC NULLS LAST
                  Project: a, c#1 AS #sort0
                    Scan: t [a, c]

            """.Replace("\r", ""), f.Explain(sql, "top_k"));
        Assert.Equal("""
            Project: a
              TopK: k=2 #sort0#1 DESC NULLS LAST
                Project: a, c#1 AS #sort0
                  Scan: t [a, c]

            """.Replace("\r", ""), f.Explain(sql));
        Assert.Equal(new object?[] { 3L, 2L }, f.Session.Query(sql).Rows().Select(r => r[0]).ToArray());
    }
}
