using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;
using static QueryLake.Tests.Planning.Optimizer.RuleToggle;

namespace QueryLake.Tests.Planning.Optimizer;

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

    [Fact]
    public void A_left_join_with_the_larger_input_on_the_right_becomes_a_right_join_building_the_left()
    {
        const string sql = "SELECT small.label, t.c FROM small LEFT JOIN t ON small.a = t.a";
        Assert.Equal("""
            Project: label, c
              Project: a_1#2 AS a, label, a#0 AS a_1, c
                Join: right on (a#2 = a#0)
                  Scan: t [a, c]
                  Scan: small [a, label]

            """.Replace("\r", ""), f.Explain(sql));
        Assert.Contains("Join: left on (a#0 = a#2)", f.Explain(sql, "join_build_side"));
        Assert.Equal(new object?[] { "x", 0.5 }, f.Session.Query(sql).Rows().Single());
    }

    public sealed record Case(int[] Left, int[] Right, int Kind);

    private static readonly Gen<Case> Cases =
        from left in Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 5), 2 * n))
        from right in Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 5), 2 * n))
        from kind in Gen.Choose(0, 3)
        select new Case(left, right, kind);

    [Fact]
    public void Outer_joins_give_the_same_rows_whichever_side_builds()
    {
        using var s = QueryLakeSession.Open();
        int round = 0;
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            round++;
            string l = $"l{round}", r = $"r{round}";
            Table(s, l, "k", "v", c.Left);
            Table(s, r, "k", "v", c.Right);
            string kind = c.Kind switch { 0 => "LEFT", 1 => "RIGHT", 2 => "INNER", _ => "LEFT" };
            string extra = c.Kind == 3 ? $" AND {l}.v < {r}.v" : "";
            var sql = $"SELECT {l}.k, {l}.v, {r}.k, {r}.v FROM {l} {kind} JOIN {r} ON {l}.k = {r}.k{extra}";
            var expected = Sorted(Rows(s, sql, "join_build_side"));
            Assert.Equal(expected, Sorted(Rows(s, sql)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
