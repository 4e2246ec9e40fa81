using Xunit;

namespace QueryLake.Tests.Optimizer;

public sealed class JoinBuildSideTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void The_smaller_input_becomes_the_build_side()
    {
        const string sql = "SELECT t.a, small.label FROM small JOIN t ON small.a = t.a";
        Assert.Equal("""
            Project: a, label
              Join: inner on (a#0 = a#2)
                Scan: small [a, label]
                Scan: t [a]

            """.Replace("\r", ""), f.Explain(sql, "join_build_side", "join_reorder"));
        Assert.Equal("""
            Project: a, label
              Project: a_1#1 AS a, label, a#0 AS a_1
                Join: inner on (a#1 = a#0)
                  Scan: t [a]
                  Scan: small [a, label]

            """.Replace("\r", ""), f.Explain(sql, "join_reorder"));
        Assert.Equal(new object?[] { 1L, "x" }, f.Session.Query(sql).Rows().Single());
    }
}
