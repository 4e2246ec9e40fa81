using Xunit;

namespace QueryLake.Tests.Optimizer;

public sealed class ConstantFoldingTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Folds_constant_arithmetic_and_drops_always_true_filters()
    {
        const string sql = "SELECT a FROM t WHERE c > 0.25 * 2 AND 1 = 1";
        Assert.Equal("""
            Project: a
              Filter: ((c#2 > (0.25 * CAST(2 AS float64))) AND true)
                Scan: t [a, b, c, img]

            """.Replace("\r", ""), f.Explain(sql, "constant_folding", "predicate_pushdown", "projection_pushdown"));
        Assert.Equal("""
            Project: a
              Scan: t [a, c] filter=(c#1 > 0.5)

            """.Replace("\r", ""), f.Explain(sql));
    }
}
