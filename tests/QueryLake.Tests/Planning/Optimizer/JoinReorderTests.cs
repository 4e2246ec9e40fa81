using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;
using static QueryLake.Tests.Planning.Optimizer.RuleToggle;

namespace QueryLake.Tests.Planning.Optimizer;

/// <summary>join_reorder: comma joins, JOIN … ON and WHERE predicates form one join graph; every equality between two
/// inputs becomes a hash-join key, cross products remain only between unlinked inputs, and the order never changes
/// the result.</summary>
public sealed class JoinReorderTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    [Fact]
    public void Comma_joins_become_hash_joins_on_their_where_equalities()
    {
        const string sql = "SELECT count(*) FROM t, small, t AS u WHERE t.a = u.a AND small.a = u.a AND u.c > 0.5";
        Assert.Equal("""
            Project: count_star()
              Aggregate: groups=[] aggregates=[count(*)]
                Filter: ((a#0 = a#2) AND (a#1 = a#2))
                  Join: cross
                    Join: cross
                      Scan: t [a]
                      Scan: small [a]
                    Scan: t [a, c] filter=(c#1 > 0.5)

            """.Replace("\r", ""), f.Explain(sql, "join_reorder"));
        Assert.Equal("""
            Project: count_star()
              Aggregate: groups=[] aggregates=[count(*)]
                Project: 
                  Join: inner on (a#3 = a#1)
                    Join: inner on (a#0 = a#1)
                      Scan: t [a]
                      Scan: t [a, c] filter=(c#1 > 0.5)
                    Scan: small [a]

            """.Replace("\r", ""), f.Explain(sql));
        Assert.Equal(f.Session.Query(sql).Rows().Single()[0], Rows(f.Session, sql, "join_reorder").Single()[0]);
    }

    [Fact]
    public void Explain_shows_estimated_rows_and_analyze_shows_them_beside_the_actual_ones()
    {
        const string sql = "SELECT t.a, s.label FROM t, small s WHERE t.a = s.a";
        var plan = f.ExplainWithEstimates(sql);
        Assert.Contains("Scan: t [a]  (estimated=3)", plan);
        Assert.Contains("Scan: small [a, label]  (estimated=1)", plan);
        Assert.Matches(@"Join: inner on \(.*\)  \(estimated=3\)", plan);
        var analyzed = (string)f.Session.Query("EXPLAIN ANALYZE " + sql).Rows().Single()[0]!;
        Assert.Matches(@"\n *TableScan: t \[a\]  \(estimated=3, rows=3, time=[0-9.]+ ms, peak=", analyzed);
        Assert.Matches(@"\n *HashJoin: inner on \(.*\), builds right.*  \(estimated=3, rows=1, time=[0-9.]+ ms, peak=[0-9.]+ (B|KiB)\)", analyzed);
    }

    [Fact]
    public void An_or_over_two_inputs_filters_each_of_them_first()
    {
        const string sql = "SELECT count(*) FROM t, small s WHERE (t.a = 1 AND s.label = 'x') OR (t.a = 2 AND s.label = 'y')";
        var plan = f.Explain(sql);
        Assert.Contains("Scan: t [a] filter=((a#0 = 1) OR (a#0 = 2))", plan);
        Assert.Contains("Scan: small [label] filter=((label#0 = 'x') OR (label#0 = 'y'))", plan);
        Assert.Equal(Rows(f.Session, sql, "join_reorder").Single()[0], Rows(f.Session, sql).Single()[0]);
    }

    [Theory]
    [InlineData(6)]   // dynamic programming
    [InlineData(14)]  // greedy
    public void Cross_products_are_left_deep_each_building_one_input(int inputs)
    {
        var sql = "SELECT * FROM " + string.Join(", ", Enumerable.Range(1, inputs).Select(i => $"range({i + 1}) r{i}")) + " LIMIT 2";
        var lines = f.Explain(sql).Split('\n');
        // Every cross join's right (build) input is a single scan: the line after a join's left subtree is a scan.
        var joins = lines.Select((l, i) => (l, i)).Where(x => x.l.TrimStart().StartsWith("Join: cross")).ToList();
        Assert.Equal(inputs - 1, joins.Count);
        for (int k = 0; k + 1 < joins.Count; k++) Assert.True(joins[k + 1].i == joins[k].i + 1, $"not left-deep:\n{string.Join('\n', lines)}");
        // LIMIT stops the streaming cross joins after the first rows.
        Assert.Equal(2, Rows(f.Session, sql).Count);
    }

    [Fact]
    public void Only_unlinked_inputs_are_crossed()
    {
        const string sql = "SELECT t.a, s.label, u.b FROM t, small s, t u WHERE t.a = s.a";
        var plan = f.Explain(sql);
        Assert.Contains("Join: inner on", plan);
        Assert.Single(plan.Split('\n'), l => l.Contains("Join: cross"));
        Assert.Equal(Sorted(Rows(f.Session, sql, "join_reorder")), Sorted(Rows(f.Session, sql)));
    }

    [Fact]
    public void A_seventeen_way_join_plans_in_milliseconds()
    {
        var names = Enumerable.Range(0, 17).Select(i => $"j{i}").ToList();
        foreach (var n in names) f.Session.Execute($"CREATE DATASET IF NOT EXISTS {n} (k BIGINT, v BIGINT); INSERT INTO {n} SELECT range, range % 7 FROM range({10 + n.Length})");
        var sql = $"SELECT count(*) FROM {string.Join(", ", names)} WHERE " + string.Join(" AND ", names.Skip(1).Select((n, i) => $"{names[i]}.k = {n}.k"));
        f.Explain(sql); // warm up
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var plan = f.Explain(sql);
        Assert.True(sw.ElapsedMilliseconds < 2000, $"planning took {sw.ElapsedMilliseconds} ms");
        Assert.DoesNotContain("Join: cross", plan);
        Assert.Equal(16, plan.Split('\n').Count(l => l.Contains("Join: inner")));
        Assert.Equal(12L, f.Session.Query(sql).Rows().Single()[0]);
    }

    public sealed record Graph(int Tables, int[][] Values, (int A, int B, int Kind)[] Links, int Filter);

    private static readonly Gen<Graph> Graphs =
        from n in Gen.Choose(2, 8)
        from values in Gen.ArrayOf(Gen.Choose(0, 4).SelectMany(k => Gen.ArrayOf(Gen.Choose(-1, 3), 2 * k)), n)
        from extra in Gen.Choose(0, 3)
        from links in Gen.ArrayOf(from a in Gen.Choose(0, n - 1) from b in Gen.Choose(0, n - 1) from kind in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2))) select (a, b, kind), extra)
        from filter in Gen.Choose(-1, n - 1)
        select new Graph(n, values, links, filter);

    [Fact]
    public void Every_join_order_returns_the_rows_of_the_unoptimized_plan()
    {
        using var s = QueryLakeSession.Open();
        int round = 0;
        var property = Prop.ForAll(Graphs.ToArbitrary(), g =>
        {
            round++;
            var names = new List<string>();
            for (int i = 0; i < g.Tables; i++)
            {
                var name = $"r{round}_{i}";
                names.Add(name);
                Table(s, name, "id", "x", g.Values[i]);
            }
            // A spanning chain keeps results small; the extra links add cycles and non-equi conditions.
            var preds = new List<string>();
            for (int i = 1; i < g.Tables; i++) preds.Add($"{names[i - 1]}.x = {names[i]}.id");
            foreach (var (a, b, kind) in g.Links)
                if (a != b)
                    preds.Add(kind switch
                    {
                        0 => $"{names[a]}.id = {names[b]}.x",
                        1 => $"{names[a]}.x <= {names[b]}.id + 1",
                        // An OR over two inputs: each input gets the OR of its own parts as an implied filter.
                        _ => $"(({names[a]}.id = {names[b]}.x AND {names[a]}.x > 0) OR ({names[a]}.x IS NULL AND {names[b]}.id < 2))",
                    });
            if (g.Filter >= 0) preds.Add($"{names[g.Filter]}.x IS NOT NULL");
            // Half the queries spell the chain as JOIN … ON, the rest as a comma join.
            string from = round % 2 == 0 ? string.Join(", ", names)
                : names[0] + string.Concat(names.Skip(1).Select(n => $" JOIN {n} ON true"));
            var sql = $"SELECT {string.Join(", ", names.Select(n => $"{n}.id, {n}.x"))} FROM {from} WHERE {string.Join(" AND ", preds)}";
            var expected = Sorted(Rows(s, sql, [.. QueryLake.Planning.Optimizer.LogicalOptimizer.Rules.Select(r => r.Name)]));
            Assert.Equal(expected, Sorted(Rows(s, sql)));
            Assert.Equal(expected, Sorted(Rows(s, sql, "join_reorder")));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }
}
