using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;
using static QueryLake.Tests.Planning.Optimizer.RuleToggle;

namespace QueryLake.Tests.Planning.Optimizer;

/// <summary>decorrelate_subqueries: correlated EXISTS, NOT EXISTS and IN become semi and anti joins, with the same rows
/// as the per-row evaluation they replace.</summary>
public sealed class SubqueryDecorrelationTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Exists_becomes_a_semi_join_on_the_correlated_predicates()
    {
        const string sql = "SELECT a FROM t WHERE EXISTS (SELECT * FROM small s WHERE s.a = t.a AND s.label <> t.b)";
        Assert.Equal("""
            Project: a
              Scan: t [a, b] filter=EXISTS (correlated subquery on a#0, b#1)

            """.Replace("\r", ""), f.Explain(sql, "decorrelate_subqueries"));
        Assert.Equal("""
            Project: a
              Join: semi on ((a#2 = a#0) AND (label#3 <> b#1))
                Scan: t [a, b]
                Scan: small [a, label]

            """.Replace("\r", ""), f.Explain(sql));
    }

    [Fact]
    public void A_scalar_aggregate_subquery_becomes_a_left_join_with_the_aggregate_grouped_by_its_correlation()
    {
        var plan = f.Explain("SELECT a FROM t WHERE c > (SELECT avg(s.a) FROM small s WHERE s.a = t.a)");
        Assert.Contains("Join: left on (a#", plan);
        Assert.Contains("Aggregate: groups=[a#0] aggregates=[avg(", plan);
        // count(*) over no rows is 0, which a missing match gives as NULL: coalesce restores it.
        var counted = f.Explain("SELECT a FROM t WHERE 0 = (SELECT count(*) FROM small s WHERE s.a = t.a)");
        Assert.Contains("Join: left on (a#", counted);
        Assert.Contains("(0 = coalesce(count_star()#", counted);
    }

    [Fact]
    public void Exists_and_in_outside_a_conjunct_become_marks_from_left_joins()
    {
        var exists = f.Explain("SELECT a, EXISTS (SELECT 1 FROM small s WHERE s.a = t.a) FROM t");
        Assert.Contains("Join: left on (a#0 = #k0#", exists);
        Assert.Contains("Aggregate: groups=[a#0] aggregates=[]", exists);
        Assert.DoesNotContain("correlated subquery", exists);
        var membership = f.Explain("SELECT a FROM t WHERE b = 'x' OR a IN (SELECT s.a FROM small s WHERE s.label = t.b)");
        Assert.Contains("aggregates=[count(*), count(a#", membership);
        Assert.DoesNotContain("correlated subquery", membership);
    }

    [Fact]
    public void Not_exists_and_not_in_become_anti_joins()
    {
        Assert.Contains("Join: anti on (a#1 = a#0)", f.Explain("SELECT a FROM t WHERE NOT EXISTS (SELECT 1 FROM small s WHERE s.a = t.a)"));
        Assert.Contains("Join: anti on ((((a#0 = a#2) OR (a#0 IS NULL)) OR (a#2 IS NULL)) AND (label#3 = b#1))",
            f.Explain("SELECT a FROM t WHERE a NOT IN (SELECT s.a FROM small s WHERE s.label = t.b)"));
        Assert.Contains("Join: semi", f.Explain("SELECT a FROM t WHERE a IN (SELECT s.a FROM small s WHERE s.label = t.b)"));
    }

    public sealed record Case(int[] Outer, int[] Inner, int Shape, bool Negated);

    private static readonly Gen<Case> Cases =
        from outer in Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 4), 2 * n))
        from inner in Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1, 4), 2 * n))
        from shape in Gen.Choose(0, 14)
        from negated in Gen.Elements(false, true)
        select new Case(outer, inner, shape, negated);

    [Fact]
    public void Decorrelated_subqueries_return_the_rows_of_per_row_evaluation()
    {
        using var s = QueryLakeSession.Open();
        int round = 0;
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            round++;
            string o = $"o{round}", i = $"i{round}";
            Table(s, o, "k", "v", c.Outer);
            Table(s, i, "k", "v", c.Inner);
            string not = c.Negated ? "NOT " : "";
            var sql = c.Shape switch
            {
                0 => $"SELECT k, v FROM {o} WHERE {not}EXISTS (SELECT * FROM {i} WHERE {i}.k = {o}.k)",
                1 => $"SELECT k, v FROM {o} WHERE {not}EXISTS (SELECT 1 FROM {i} WHERE {i}.k = {o}.k AND {i}.v <> {o}.v)",
                2 => $"SELECT k, v FROM {o} WHERE v > 0 AND {not}EXISTS (SELECT * FROM {i} a, {i} b WHERE a.k = b.v AND b.k = {o}.v)",
                3 => $"SELECT k, v FROM {o} WHERE k {not}IN (SELECT v FROM {i} WHERE {i}.k = {o}.v)",
                4 => $"SELECT k, v FROM {o} WHERE v > 0 AND k {not}IN (SELECT v FROM {i} WHERE {i}.k <> {o}.v)",
                5 => $"SELECT k, v FROM {o} WHERE v > (SELECT avg(v) FROM {i} WHERE {i}.k = {o}.k)",
                6 => $"SELECT k, v FROM {o} WHERE coalesce((SELECT max(v) + 0 FROM {i} WHERE {i}.k = {o}.k AND {i}.v > 0), -1) {(c.Negated ? "<" : ">=")} v",
                7 => $"SELECT k, v FROM {o} WHERE (SELECT count(*) FROM {i} WHERE {i}.k = {o}.k) = 0",
                8 => $"SELECT k, v FROM {o} WHERE {not}EXISTS (SELECT * FROM (SELECT k AS kk, v FROM {i}) x WHERE x.kk = {o}.k OR x.v = {o}.v)",
                // Marks: EXISTS and IN in the select list and under OR, with SQL's NULL rules for IN.
                9 => $"SELECT k, v, {not}EXISTS (SELECT * FROM {i} WHERE {i}.k = {o}.k) FROM {o}",
                10 => $"SELECT k, v, v {not}IN (SELECT v FROM {i} WHERE {i}.k = {o}.k) FROM {o}",
                11 => $"SELECT k, v FROM {o} WHERE v = 2 OR {not}EXISTS (SELECT 1 FROM {i} WHERE {i}.k = {o}.k AND {i}.v > 1)",
                12 => $"SELECT k, v FROM {o} WHERE k IS NULL OR v {not}IN (SELECT v FROM {i} WHERE {i}.k = {o}.k)",
                13 => $"SELECT k, CASE WHEN EXISTS (SELECT 1 FROM {i} WHERE {i}.k = {o}.k AND {i}.v = {o}.v) THEN 'both' WHEN k {not}IN (SELECT v FROM {i} WHERE {i}.k = {o}.v) THEN 'in' ELSE 'no' END FROM {o}",
                _ => $"SELECT k, v FROM {o} WHERE v > 1 AND (SELECT count(*) FROM {i} WHERE {i}.k = {o}.k) < 2 AND (k = 3 OR EXISTS (SELECT 1 FROM {i} WHERE {i}.v = {o}.k))",
            };
            var expected = Sorted(Rows(s, sql, "decorrelate_subqueries"));
            Assert.Equal(expected, Sorted(Rows(s, sql)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
