using Xunit;

namespace QueryLake.Tests.Planning.Optimizer;

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

    [Fact]
    public void Folds_aggregate_arguments_and_lambdas_over_constant_lists()
    {
        const string sql = "SELECT a + (2 * 3) AS k, max(c * (1 + 1)), sum(list_extract(list_transform([1, 2], x -> x * 10), 2)) FROM t GROUP BY 1";
        Assert.Equal("""
            Project: #g0#0 AS k, max((c * (1 + 1))), sum(list_extract(list_transform([1, 2], x -> (x * 10)), 2))
              Aggregate: groups=[(a#0 + 6)] aggregates=[max((c#1 * CAST(2 AS float64))), sum(list_extract(list_transform([1, 2], x -> (x#0 * 10)), 2))]
                Scan: t [a, c]

            """.Replace("\r", ""), f.Explain(sql, "constant_folding"));
        Assert.Equal("""
            Project: #g0#0 AS k, max((c * (1 + 1))), sum(list_extract(list_transform([1, 2], x -> (x * 10)), 2))
              Aggregate: groups=[(a#0 + 6)] aggregates=[max((c#1 * 2)), sum(20)]
                Scan: t [a, c]

            """.Replace("\r", ""), f.Explain(sql));
    }
}
