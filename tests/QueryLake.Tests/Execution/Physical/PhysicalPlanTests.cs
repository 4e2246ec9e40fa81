using QueryLake.Language;
using QueryLake.Sessions;
using QueryLake.Tests.Planning.Optimizer;
using Xunit;

namespace QueryLake.Tests.Execution.Physical;

/// <summary>Plan-text tests of the physical planner: EXPLAIN prints the operators that run, each physical rule's
/// operator with the rule on and the plain ones with it off, and EXPLAIN ANALYZE adds rows, time and peak memory.</summary>
public sealed class PhysicalPlanTests(PlanFixture f) : IClassFixture<PlanFixture>
{
    /// <summary>The physical plan's EXPLAIN text with the named rules off, without the row estimates.</summary>
    private string Physical(string sql, params string[] disabled)
    {
        f.Session.DisabledRules.Clear();
        f.Session.DisabledRules.UnionWith(disabled);
        try
        {
            var text = (string)f.Session.Query("EXPLAIN " + sql).Rows().Single()[0]!;
            return System.Text.RegularExpressions.Regex.Replace(text, @"  \(estimated=[0-9?]+\)", "");
        }
        finally { f.Session.DisabledRules.Clear(); }
    }

    [Fact]
    public void A_filtered_scan_under_a_projection_projects_the_kept_rows_in_the_scan()
    {
        const string sql = "SELECT a, upper(b) AS u FROM t WHERE c > 0.6";
        Assert.Equal("""
            TableScan: t [a, b, c] filter=(c#2 > 0.6) project=[a, upper(b#1) AS u] on the kept rows

            """.Replace("\r", ""), Physical(sql));
        Assert.Equal("""
            Projection: a, upper(b#1) AS u
              TableScan: t [a, b, c] filter=(c#2 > 0.6)

            """.Replace("\r", ""), Physical(sql, "scan_projection_fusion"));
    }

    [Fact]
    public void An_aggregation_over_a_scan_reads_lent_batches()
    {
        const string sql = "SELECT b, sum(a) FROM t GROUP BY b";
        var on = Physical(sql);
        Assert.Contains("HashAggregate: groups=[b#1] aggregates=[sum(a#0)], partitions past memory_limit, reads lent batches\n    TableScan: t [a, b] lent\n", on);
        var off = Physical(sql, "lent_scan_batches");
        Assert.Contains("HashAggregate: groups=[b#1] aggregates=[sum(a#0)], partitions past memory_limit\n    TableScan: t [a, b]\n", off);
        Assert.DoesNotContain("lent", off);
    }

    [Fact]
    public void A_streamed_copy_of_a_scan_reads_lent_batches_and_takes_its_columns_itself()
    {
        var target = Path.Combine(Path.GetTempPath(), "never-written.parquet");
        string sql = $"COPY (SELECT b AS label, a FROM t) TO '{target}'";
        Assert.Equal($"""
            Copy: to '{target}' (parquet), streams, lent batches, takes [label, a]
              TableScan: t [a, b] lent

            """.Replace("\r", ""), Physical(sql));
        Assert.Equal($"""
            Copy: to '{target}' (parquet), streams
              Projection: b#1 AS label, a
                TableScan: t [a, b]

            """.Replace("\r", ""), Physical(sql, "lent_copy_input"));
        // A shuffled COPY holds its rows: its input is owned.
        Assert.DoesNotContain("lent", Physical($"COPY (SELECT * FROM t) TO '{target}' (SHUFFLE SEED 1)"));
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void A_join_under_an_aggregation_builds_only_the_columns_it_reads()
    {
        const string sql = "SELECT s.label, count(*) FROM t JOIN small s ON t.a = s.a GROUP BY s.label";
        Assert.Matches(@"HashJoin: inner on \(a#0 = a#1\), builds right, grace partitions past memory_limit, builds 1 of 3 columns\n", Physical(sql));
        Assert.Matches(@"HashJoin: inner on \(a#0 = a#1\), builds right, grace partitions past memory_limit\n", Physical(sql, "join_output_pruning"));
    }

    [Fact]
    public void A_top_k_over_a_projection_projects_only_its_candidates()
    {
        const string sql = "SELECT a, upper(b) AS u FROM t ORDER BY c DESC LIMIT 2";
        Assert.Equal("""
            Projection: a, u
              TopK: k=2 #sort0#2 DESC NULLS LAST late projection=[a, upper(b#1) AS u, c#2 AS #sort0], reads lent batches
                TableScan: t [a, b, c] lent

            """.Replace("\r", ""), Physical(sql));
        Assert.Equal("""
            Projection: a, u
              TopK: k=2 #sort0#2 DESC NULLS LAST
                Projection: a, upper(b#1) AS u, c#2 AS #sort0
                  TableScan: t [a, b, c]

            """.Replace("\r", ""), Physical(sql, "late_topk_projection"));
    }

    [Fact]
    public void Joins_without_keys_are_cross_products_or_nested_loops()
    {
        Assert.Contains("CrossProduct: streams pieces of the left side against the right", Physical("SELECT t.a, s.a FROM t, small s"));
        Assert.Contains("NestedLoopJoin: left on (a#0 < a#1), streams pieces of the left side against the right",
            Physical("SELECT t.a, s.a FROM t LEFT JOIN small s ON t.a < s.a"));
    }

    [Fact]
    public void Explain_analyze_shows_rows_time_and_peak_memory_per_operator()
    {
        var text = (string)f.Session.Query("EXPLAIN ANALYZE SELECT a, b FROM t ORDER BY b DESC").Rows().Single()[0]!;
        var lines = text.Split('\n');
        var sort = lines.Single(l => l.StartsWith("Sort: ", StringComparison.Ordinal));
        Assert.Matches(@"\(estimated=3, rows=3, time=[0-9.]+ ms, peak=[0-9.]+ (B|KiB)\)$", sort);
        Assert.DoesNotMatch(@"peak=0 B", sort); // the sort holds its input
        Assert.Matches(@"^ +TableScan: t \[a, b\]  \(estimated=3, rows=3, time=[0-9.]+ ms, peak=0 B\)$", lines.Single(l => l.Contains("TableScan", StringComparison.Ordinal)));
        Assert.StartsWith("total: 3 rows in ", lines[^2]);
    }

    [Fact]
    public void Explain_output_chooses_the_logical_or_the_physical_plan_or_both()
    {
        const string sql = "EXPLAIN SELECT a FROM t WHERE c > 0.6";
        try
        {
            f.Session.Execute("SET explain_output = 'optimized_only'");
            Assert.Equal("Project: a\n  Scan: t [a, c] filter=(c#1 > 0.6)\n",
                System.Text.RegularExpressions.Regex.Replace((string)f.Session.Query(sql).Rows().Single()[0]!, @"  \(estimated=[0-9?]+\)", ""));
            f.Session.Execute("SET explain_output = 'all'");
            var both = (string)f.Session.Query(sql).Rows().Single()[0]!;
            Assert.StartsWith("logical plan:\nProject: a", both);
            Assert.Contains("physical plan:\nTableScan: t [a, c] filter=(c#1 > 0.6) project=[a]", both);
            var e = Assert.Throws<SqlException>(() => f.Session.Execute("SET explain_output = 'logical'"));
            Assert.Equal("QL-BAD-ARGUMENT", e.Code);
            Assert.Contains("'physical_only', 'optimized_only' or 'all'", e.Message);
        }
        finally { f.Session.Execute("RESET explain_output"); }
        Assert.StartsWith("TableScan: t", (string)f.Session.Query(sql).Rows().Single()[0]!);
    }

    [Fact]
    public void Physical_rules_are_switched_off_by_name_like_the_optimizers()
    {
        try
        {
            f.Session.Execute("SET disabled_optimizers = 'late_topk_projection, join_reorder'");
            Assert.Equal(["join_reorder", "late_topk_projection"], f.Session.DisabledRules.Order(StringComparer.Ordinal));
            var e = Assert.Throws<SqlException>(() => f.Session.Execute("SET disabled_optimizers = 'late_topk_projektion'"));
            Assert.Equal("QL-BAD-ARGUMENT", e.Code);
            Assert.Contains("late_topk_projection", e.Message);
        }
        finally { f.Session.Execute("RESET disabled_optimizers"); }
    }
}
