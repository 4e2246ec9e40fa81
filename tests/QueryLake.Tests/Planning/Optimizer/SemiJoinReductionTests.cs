using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;
using static QueryLake.Tests.Planning.Optimizer.RuleToggle;

namespace QueryLake.Tests.Planning.Optimizer;

/// <summary>semi_join_reduction: an aggregate joined on its group keys first semi-joins its input with the scan the
/// other side reads those keys from, when that scan holds fewer values than the aggregate has groups; the rows are
/// those of the plan without it.</summary>
public sealed class SemiJoinReductionTests
{
    [Fact]
    public void A_decorrelated_aggregate_computes_only_the_groups_the_outer_scan_can_match()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET parts AS SELECT range AS p, range % 7 AS brand FROM range(50)");
        s.Execute("CREATE DATASET items AS SELECT range % 50 AS p, (range % 50) * (range % 3) AS q FROM range(5000)");
        const string sql = "SELECT p FROM parts WHERE brand = 3 AND 5 > (SELECT avg(q) FROM items WHERE items.p = parts.p)";
        var plan = Explain(s, sql);
        Assert.Equal("""
            Project: p
              Project: p
                Filter: (5 > avg(q)#3)
                  Join: left on (p#0 = #k0#2)
                    Scan: parts [p, brand] filter=(brand#1 = 3)
                    Aggregate: groups=[p#0] aggregates=[avg(q#1)]
                      Join: semi on (p#0 = #key0#2)
                        Scan: items [p, q]
                        Project: p#0 AS #key0
                          Scan: parts [p, brand] filter=(brand#1 = 3)

            """.Replace("\r", ""), plan);
        Assert.DoesNotContain("Join: semi", Explain(s, sql, "semi_join_reduction"));
        var expected = Sorted(Rows(s, sql, "semi_join_reduction"));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Sorted(Rows(s, sql)));
    }

    private static string Explain(QueryLakeSession s, string sql, params string[] disabled) => RuleToggle.Explain(s, sql, estimates: false, disabled);

    public sealed record Case(int[] Outer, int[] Inner);

    // Few outer rows and many inner ones, so that the rule applies; values from a small range (NULL as -1) so that
    // keys repeat and some miss.
    private static readonly Gen<Case> Cases =
        from outer in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 6), 2 * n))
        from inner in Gen.Choose(100, 200).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 6), 2 * n))
        select new Case(outer, inner);

    [Fact]
    public void Results_are_the_same_with_the_rule_on_and_off()
    {
        using var s = QueryLakeSession.Open();
        int round = 0, applied = 0;
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            round++;
            // The shapes take turns, so each is drawn 12 times: the rule applies to the decorrelated subqueries
            // (shapes 0 and 1) every time, and a random draw of shapes left too few of them now and then.
            int shape = (round - 1) % 5;
            string o = $"o{round}", i = $"i{round}";
            Table(s, o, "k", "v", c.Outer);
            Table(s, i, "k", "v", c.Inner);
            var sql = shape switch
            {
                0 => $"SELECT k, v FROM {o} WHERE v > (SELECT avg(v) FROM {i} WHERE {i}.k = {o}.k)",
                1 => $"SELECT k, v FROM {o} WHERE coalesce((SELECT max(v) FROM {i} WHERE {i}.k = {o}.k AND {i}.v = {o}.v), -1) >= 0",
                2 => $"SELECT {o}.k, g.n FROM {o} JOIN (SELECT k, count(*) AS n FROM {i} GROUP BY k) g ON g.k = {o}.k",
                3 => $"SELECT {o}.k, g.m FROM {o} LEFT JOIN (SELECT k, v, min(v) AS m FROM {i} GROUP BY k, v) g ON g.k = {o}.k AND g.v = {o}.v WHERE {o}.v IS NOT NULL",
                _ => $"SELECT x.k, g.s FROM (SELECT * FROM {o} WHERE k > 1) x LEFT JOIN (SELECT k, sum(v) AS s FROM {i} GROUP BY k) g ON x.k = g.k",
            };
            if (Explain(s, sql).Contains("Join: semi")) applied++;
            var expected = Sorted(Rows(s, sql, "semi_join_reduction"));
            Assert.Equal(expected, Sorted(Rows(s, sql)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
        Assert.True(applied >= 15, $"the rule applied in {applied} of {round} cases");
    }
}
