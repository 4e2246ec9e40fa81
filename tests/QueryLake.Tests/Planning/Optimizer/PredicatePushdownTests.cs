using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;
using static QueryLake.Tests.Planning.Optimizer.RuleToggle;

namespace QueryLake.Tests.Planning.Optimizer;

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

    [Fact]
    public void Filters_go_through_outer_joins_only_to_the_side_whose_rows_they_remove()
    {
        const string sql = "SELECT t.a, s.label FROM t LEFT JOIN small s ON t.a = s.a AND s.label <> 'z' WHERE t.c > 0.5 AND s.label IS NULL";
        Assert.Equal("""
            Project: a, label
              Filter: (label#3 IS NULL)
                Join: left on (a#0 = a#2)
                  Scan: t [a, c] filter=(c#1 > 0.5)
                  Scan: small [a, label] filter=(label#1 <> 'z')

            """.Replace("\r", ""), f.Explain(sql));
        Assert.Equal(Sorted(Rows(f.Session, sql, "predicate_pushdown")), Sorted(Rows(f.Session, sql)));
    }

    public sealed record OuterCase(int[] Left, int[] Right, int Kind, int Where, int On);

    [Fact]
    public void Pushing_filters_through_outer_semi_and_anti_joins_keeps_the_rows()
    {
        using var s = QueryLakeSession.Open();
        var cases = from l in Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 3), 2 * n))
                    from r in Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 3), 2 * n))
                    from kind in Gen.Choose(0, 4)
                    from w in Gen.Choose(0, 3)
                    from o in Gen.Choose(0, 2)
                    select new OuterCase(l, r, kind, w, o);
        int round = 0;
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            round++;
            string a = $"pl{round}", b = $"pr{round}";
            Table(s, a, "k", "v", c.Left);
            Table(s, b, "k", "v", c.Right);
            string join = new[] { "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "SEMI JOIN", "ANTI JOIN" }[c.Kind];
            string on = new[] { $"{a}.k = {b}.k", $"{a}.k = {b}.k AND {b}.v > 1", $"{a}.k = {b}.k AND {a}.v > 1" }[c.On];
            bool leftOnly = c.Kind >= 3;
            string where = new[] { $"{a}.v >= 1", leftOnly ? $"{a}.k IS NOT NULL" : $"{b}.v IS NULL", leftOnly ? $"{a}.v < 3" : $"{b}.k >= 1 OR {a}.k = 0", "true" }[c.Where];
            string select = leftOnly ? $"{a}.k, {a}.v" : $"{a}.k, {a}.v, {b}.k, {b}.v";
            var sql = $"SELECT {select} FROM {a} {join} {b} ON {on} WHERE {where}";
            Assert.Equal(Sorted(Rows(s, sql, "predicate_pushdown")), Sorted(Rows(s, sql)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), property);
    }
}
