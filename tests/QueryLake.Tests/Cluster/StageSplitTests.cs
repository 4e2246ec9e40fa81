using System.Globalization;
using QueryLake.Execution.Distributed;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>
/// The stages a cluster runs (<c>StageSplitter</c>), in process through the engine's scheduler: each task bound anew at
/// the pinned versions, exchange files on the lake. The result equals the embedded one for scans, filters,
/// projections, partial aggregates (grouped and global, avg as a sum and a count, empty inputs included), top-k
/// (similarity too), LIMIT, sorts, aggregates that do not combine (partitioned on their groups), DISTINCT, and joins
/// of every kind partitioned on their keys (NULL keys, NOT IN's NULL rule, self-joins), with tasks retried.
/// </summary>
public sealed class StageSplitTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public StageSplitTests()
    {
        var rng = new Random(4);
        _session.Execute("CREATE DATASET t (id BIGINT, g VARCHAR, x DOUBLE, n BIGINT, d DECIMAL(12, 2), e EMBEDDING(4))");
        // Five appends: five fragments.
        for (int f = 0; f < 5; f++)
            _session.Execute("INSERT INTO t VALUES " + string.Join(", ", Enumerable.Range(f * 300, 300).Select(i =>
                $"({i}, {(i % 11 == 0 ? "NULL" : $"'{"abcd"[i % 4]}'")}, {(rng.NextDouble() * 100).ToString("F3", CultureInfo.InvariantCulture)}, {(i % 7 == 0 ? "NULL" : (i % 13).ToString(CultureInfo.InvariantCulture))}, {i % 97}.25, " +
                $"[{rng.Next(-3, 4)}, {rng.Next(-3, 4)}, {rng.Next(-3, 4)}, {rng.Next(-3, 4)}])")));
        _session.Execute("CREATE DATASET small (g VARCHAR, label VARCHAR, n BIGINT)");
        _session.Execute("INSERT INTO small VALUES ('a', 'first', 1), ('b', 'second', NULL), ('z', 'none', 5)");
        _session.Execute("INSERT INTO small VALUES (NULL, 'null key', 2), ('a', 'again', 3)");
        // More distinct keys than a partial aggregate sends to the coordinator: grouped on it, the aggregate partitions.
        _session.Execute("CREATE DATASET big AS SELECT range AS k, range % 7 AS m FROM range(60000)");
        _session.Execute("INSERT INTO big SELECT range AS k, range % 5 AS m FROM range(60000)");
    }

    public void Dispose() => _session.Dispose();

    public static TheoryData<string, string> Queries => new()
    {
        { "SELECT id, g, x * 2 AS y FROM t WHERE n > 3 ORDER BY id", "scan of t, sort → coordinator" },
        { "SELECT * FROM t LIMIT 7", "scan of t → coordinator" },
        { "SELECT g, count(*) AS c, count(n) AS cn, sum(n) AS s, min(x) AS lo, max(d) AS hi, sum(d) AS sd FROM t GROUP BY g ORDER BY g", "scan of t, partial aggregate → coordinator" },
        { "SELECT count(*), sum(n), min(id), max(id) FROM t", "scan of t, partial aggregate → coordinator" },
        { "SELECT count(*), sum(n), max(x) FROM t WHERE id < 0", "scan of t, partial aggregate → coordinator" },
        { "SELECT g, n % 3 AS m, count(*) FROM t WHERE x > 20 GROUP BY g, n % 3 ORDER BY 1, 2", "scan of t, partial aggregate → coordinator" },
        { "SELECT id, x FROM t ORDER BY x DESC LIMIT 5 OFFSET 2", "scan of t, top-k → coordinator" },
        { "SELECT id, l2_distance(e, [1.0, 0.0, 0.0, 1.0]) AS dist FROM t ORDER BY dist, id LIMIT 10", "scan of t, top-k → coordinator" },
        { "SELECT g, avg(x) AS a, count(DISTINCT n) AS dn FROM t GROUP BY g ORDER BY g", "scan of t → exchange; aggregate, sort → coordinator" },
        { "SELECT g, avg(x) AS a, avg(n) AS an, avg(d) AS ad, count(*) AS c FROM t GROUP BY g ORDER BY g", "scan of t, partial aggregate → coordinator" },
        { "SELECT avg(n), avg(d), count(*) FROM t WHERE id < 0", "scan of t, partial aggregate → coordinator" },
        { "SELECT id FROM t WHERE n = 2 ORDER BY id DESC", "scan of t, sort → coordinator" },
        { "SELECT g, id, x FROM t ORDER BY g NULLS FIRST", "scan of t, sort → coordinator" },
        { "SELECT DISTINCT g, n FROM t ORDER BY 1, 2", "scan of t, distinct → exchange; distinct, sort → coordinator" },
        { "SELECT t.g, label, count(*) AS c, sum(t.n) AS s FROM t JOIN small ON t.g = small.g GROUP BY ALL ORDER BY 1, 2", "scan of small → broadcast; scan of t, inner join, partial aggregate → coordinator" },
        { "SELECT t.id, label FROM t LEFT JOIN small ON t.g = small.g WHERE t.id < 40 ORDER BY 1, 2", "scan of small → broadcast; scan of t, left join, sort → coordinator" },
        { "SELECT t.id, small.label FROM t FULL JOIN small ON t.g = small.g AND t.n = small.n ORDER BY 1 NULLS FIRST, 2", "scan of t → exchange; scan of small → exchange; full join, sort → coordinator" },
        { "SELECT id FROM t WHERE EXISTS (SELECT 1 FROM small WHERE small.g = t.g AND small.n < t.n) ORDER BY id", "scan of small → broadcast; scan of t, semi join, sort → coordinator" },
        { "SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM small WHERE small.g = t.g) ORDER BY id", "scan of small → broadcast; scan of t, anti join, sort → coordinator" },
        { "SELECT label FROM small WHERE g NOT IN (SELECT g FROM t WHERE id < 50) ORDER BY 1", null! },
        { "SELECT a.id, b.id AS other FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.n = 3 ORDER BY 1", "scan of t → broadcast; scan of t, inner join, sort → coordinator" },
        { "SELECT k, count(*) AS c, sum(m) AS s FROM big GROUP BY k ORDER BY c DESC, k LIMIT 5", "scan of big, partial aggregate → exchange; final aggregate, top-k → coordinator" },
        { "SELECT m, count(DISTINCT k) AS dk FROM big GROUP BY m ORDER BY m", "scan of big → exchange; aggregate, sort → coordinator" },
        { "SELECT t.g, count(*) FROM t, small WHERE t.n > small.n GROUP BY 1 ORDER BY 1", "scan of t → coordinator; scan of small → coordinator" },
        { "SELECT count(*) AS c, sum(a.m) AS s, count(b.k) AS bk FROM big a LEFT JOIN big b ON a.k = b.k + 7", "scan of big → exchange; scan of big → exchange; left join, partial aggregate → coordinator" },
        // Windows partitioned on the keys their calls share, computed per partition (ties broken by id: any order of
        // tied rows is a right answer, and the test compares one).
        { "SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY x, id) AS r, sum(n) OVER (PARTITION BY g) AS s FROM t ORDER BY id", "scan of t → exchange; window, sort → coordinator" },
        { "SELECT id, rank() OVER (PARTITION BY g, n % 3 ORDER BY d, id) AS r, lag(x) OVER (PARTITION BY n % 3, g ORDER BY id) AS prev, count(*) OVER (PARTITION BY g) AS c FROM t WHERE id % 2 = 0 ORDER BY id", "scan of t → exchange; window, sort → coordinator" },
        { "SELECT m, k, sum(k) OVER (PARTITION BY m ORDER BY k ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS run FROM big WHERE k < 500 ORDER BY m, k", "scan of big → exchange; window, sort → coordinator" },
        // Calls that share no key, or a window over all rows, run on the coordinator.
        { "SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) AS a, row_number() OVER (PARTITION BY n ORDER BY id) AS b FROM t ORDER BY id", "scan of t → coordinator" },
        { "SELECT id, sum(x) OVER (ORDER BY id) AS run FROM t WHERE id < 200 ORDER BY id", "scan of t → coordinator" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Stages_run_apart_give_the_embedded_result(string sql, string? shape)
    {
        var expected = _session.Query(sql).Materialize();
        var (schema, batches, _, plan) = InProcessStages.Run(_session, sql, 3, new Random(sql.Length));
        if (shape is not null) Assert.Equal(shape, InProcessStages.Shape(plan));
        Assert.Equal(expected.Schema.Fields.Select(f => f.Name), schema.Fields.Select(f => f.Name));
        Assert.Equal(InProcessStages.Show(expected), InProcessStages.Show(batches));
        // Every join side partitioned, every grouped aggregate partitioned: the same result.
        var partitioned = InProcessStages.Run(_session, sql, 4, new Random(sql.Length + 1), new DistributedSettings(null, 0, 0));
        Assert.Equal(InProcessStages.Show(expected), InProcessStages.Show(partitioned.Batches));
        // The exchange files are gone with the query.
        Assert.False(Directory.Exists(Path.Combine(_session.Lake.Path, "_exchange")) && Directory.EnumerateFiles(Path.Combine(_session.Lake.Path, "_exchange"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_stage_reads_the_pinned_version_even_after_new_commits()
    {
        const string Sql = "SELECT count(*) FROM t JOIN small ON t.g = small.g";
        long before = (long)_session.Query(Sql).Rows().Single()[0]!;
        var plan = _session.PlanDistributed(Sql);
        _session.Execute("INSERT INTO t (id, g) VALUES (100000, 'a')");
        var (_, batches, _) = await QueryLake.Execution.Distributed.StageScheduler.Run(_session, plan, 2,
            (work, token) => Task.FromResult(_session.RunStage(Sql, plan.Pins, work, token)), default);
        Assert.Equal(before, batches.Single().Columns[0].GetValue(0));
    }

    [Fact]
    public void Explain_shows_each_stage_and_where_its_rows_go()
    {
        const string Sql = "SELECT t.g, label, count(*) FROM t JOIN small ON t.g = small.g GROUP BY ALL";
        var text = _session.ExplainDistributed(_session.PlanDistributed(Sql), null);
        Assert.Contains("Stage 0 on the workers: scan of small, one task per fragment of small@", text);
        Assert.Contains("rows to every task that reads them (broadcast)", text);
        Assert.Contains("Stage 1 on the workers: scan of t, inner join, partial aggregate, one task per fragment of t@", text);
        Assert.Contains(" (5), each reading all of stage 0; rows to the coordinator", text);
        Assert.Contains("On the coordinator: over the rows the stages gathered", text);
        // With no side small enough to broadcast, both are hash-partitioned on the key.
        _session.Execute("SET cluster_broadcast_rows = 0");
        try
        {
            var partitioned = _session.ExplainDistributed(_session.PlanDistributed(Sql), null);
            Assert.Contains("Stage 0 on the workers: scan of t, one task per fragment of t@", partitioned);
            Assert.Contains("hash-partitioned on [g#0] into the exchange", partitioned);
            Assert.Contains("Stage 2 on the workers: inner join, partial aggregate, one task per partition of stages 0 and 1; rows to the coordinator", partitioned);
        }
        finally { _session.Execute("RESET cluster_broadcast_rows"); }
        // Above the threshold, a side still goes whole to the other's tasks when that moves fewer rows than
        // partitioning the other side: 5 rows to each of t's 5 tasks, not t's 1,500 rows through the exchange.
        _session.Execute("SET cluster_broadcast_rows = 1");
        try
        {
            Assert.Contains("rows to every task that reads them (broadcast)", _session.ExplainDistributed(_session.PlanDistributed(Sql), null));
            var same = _session.ExplainDistributed(_session.PlanDistributed("SELECT count(*) FROM big a JOIN big b ON a.k = b.k"), null);
            Assert.DoesNotContain("(broadcast)", same);
            Assert.Contains("hash-partitioned on [k#0] into the exchange", same);
        }
        finally { _session.Execute("RESET cluster_broadcast_rows"); }
    }

    public static TheoryData<string, string> FilteredJoins => new()
    {
        // Inner: the side whose keys the other holds few of is filtered by it, whichever side it is.
        { "SELECT count(*) AS c, sum(a.m) AS s FROM big a JOIN big b ON a.k = b.k WHERE b.m = 3 AND b.k % 4 = 0", "scan of big → exchange (filtered by 1); scan of big → exchange; inner join, partial aggregate → coordinator" },
        { "SELECT count(*) AS c FROM big b JOIN big a ON a.k = b.k WHERE b.m = 3 AND b.k % 4 = 0", "scan of big → exchange (filtered by 1); scan of big → exchange; inner join, partial aggregate → coordinator" },
        // Semi: the outer side by EXISTS' few keys, or EXISTS' rows by the outer side's few keys.
        { "SELECT m, count(*) AS c FROM big a WHERE EXISTS (SELECT 1 FROM big b WHERE b.k = a.k AND b.m = 2 AND b.k % 3 = 0) GROUP BY m ORDER BY m", "scan of big → exchange (filtered by 1); scan of big → exchange; semi join, partial aggregate → exchange; final aggregate, sort → coordinator" },
        { "SELECT m, count(*) AS c FROM big a WHERE a.m = 2 AND a.k % 3 = 0 AND EXISTS (SELECT 1 FROM big b WHERE b.k = a.k + 7) GROUP BY m ORDER BY m", "scan of big → exchange; scan of big → exchange (filtered by 0); semi join, partial aggregate → exchange; final aggregate, sort → coordinator" },
        // Left (planned as a right join) and anti joins keep every row of one side: only the other is filtered.
        { "SELECT a.m, count(b.k) AS c FROM big a LEFT JOIN big b ON b.k = a.k + 1 WHERE a.m = 4 AND a.k % 3 = 0 GROUP BY 1 ORDER BY 1", "scan of big → exchange (filtered by 1); scan of big → exchange; right join, partial aggregate → exchange; final aggregate, sort → coordinator" },
        { "SELECT count(*) FROM big a WHERE a.m = 1 AND a.k % 3 = 0 AND NOT EXISTS (SELECT 1 FROM big b WHERE b.k = a.k + 100)", "scan of big → exchange; scan of big → exchange (filtered by 0); anti join, partial aggregate → coordinator" },
        { "SELECT count(*), count(a.k) FROM big a RIGHT JOIN big b ON a.k = b.k + 3 WHERE b.m = 2 AND b.k % 3 = 0", "scan of big → exchange (filtered by 1); scan of big → exchange; right join, partial aggregate → coordinator" },
        // A full join preserves both sides: no filter.
        { "SELECT count(*), count(a.k), count(b.k) FROM big a FULL JOIN big b ON a.k = b.k + 3 WHERE b.m = 2 OR b.m IS NULL", null! },
    };

    /// <summary>Join filters between stages: the side whose keys the other holds few of is filtered before its exchange,
    /// only a side the join drops unmatched rows of, with the same result as embedded and as with the filters off (tasks
    /// retried), and fewer rows exchanged.</summary>
    [Theory]
    [MemberData(nameof(FilteredJoins))]
    public void A_join_filter_drops_rows_without_a_match_before_the_exchange(string sql, string? shape)
    {
        var expected = InProcessStages.Show(_session.Query(sql).Materialize());
        var on = new DistributedSettings(null, 0, 0);
        var off = on with { JoinFilters = false };
        var filtered = InProcessStages.Run(_session, sql, 3, new Random(sql.Length), on);
        var unfiltered = InProcessStages.Run(_session, sql, 3, new Random(sql.Length), off);
        Assert.Equal(expected, InProcessStages.Show(filtered.Batches));
        Assert.Equal(expected, InProcessStages.Show(unfiltered.Batches));
        Assert.DoesNotContain("filtered by", InProcessStages.Shape(unfiltered.Plan));
        if (shape is null)
        {
            Assert.DoesNotContain("filtered by", InProcessStages.Shape(filtered.Plan));
            return;
        }
        Assert.Equal(shape, InProcessStages.Shape(filtered.Plan));
        // The filtered stage wrote at most a quarter of the rows it writes unfiltered.
        int stage = filtered.Plan.Split.Stages.Single(st => st.FilteredBy is not null).Id;
        long Rows(List<string> report) => long.Parse(report.Single(l => l.StartsWith($"stage {stage} ", StringComparison.Ordinal)).Split(" tasks, ")[1].Split(" rows")[0],
            NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.True(Rows(filtered.Report) * 4 <= Rows(unfiltered.Report), $"{Rows(filtered.Report)} rows filtered, {Rows(unfiltered.Report)} unfiltered");
        // EXPLAIN says which stage filters which.
        Assert.Contains($"rows without a key of stage {filtered.Plan.Split.Stages[stage].FilteredBy} dropped (join filter)", _session.ExplainDistributed(filtered.Plan, null));
    }

    /// <summary>Row ranges: a fragment past <c>cluster_task_rows</c> is read by several tasks, each a run of its
    /// consecutive batches, with the same result as embedded (sorted merges keep the embedded order, deleted rows stay
    /// deleted, row ids stay the fragment's).</summary>
    [Theory]
    [InlineData("SELECT m, count(*) AS c, sum(k) AS s FROM big GROUP BY m ORDER BY m")]
    [InlineData("SELECT k, m FROM big WHERE k % 1000 = 7 ORDER BY m, k")]
    [InlineData("SELECT k FROM big ORDER BY m DESC, k LIMIT 20 OFFSET 5")]
    [InlineData("SELECT count(*) AS c, count(DISTINCT k) AS d FROM big WHERE k NOT BETWEEN 10000 AND 150999")]
    [InlineData("SELECT a.m, count(*) AS c FROM big a JOIN big b ON a.k = b.k + 1 GROUP BY a.m ORDER BY a.m")]
    public void Large_fragments_are_read_by_several_tasks_each_a_range_of_batches(string sql)
    {
        using var s = QueryLakeSession.Open();
        // Two fragments of four batches (65,536 rows at most each).
        s.Execute("CREATE DATASET big AS SELECT range AS k, range % 7 AS m FROM range(200000)");
        s.Execute("INSERT INTO big SELECT range AS k, range % 5 AS m FROM range(200000)");
        s.Execute("DELETE FROM big WHERE k % 97 = 0");
        var fragments = s.Lake.OpenDataset("big").Latest().Fragments;
        Assert.All(fragments, f => Assert.True(f.BatchRows.Count >= 4, $"fragment {f.Id} has {f.BatchRows.Count} batches"));
        var expected = InProcessStages.Show(s.Query(sql).Materialize());
        var ranged = InProcessStages.Run(s, sql, 3, new Random(sql.Length), new DistributedSettings(null, 0, 0, TaskRows: 100_000));
        Assert.Equal(expected, InProcessStages.Show(ranged.Batches));
        // More tasks than fragments, each naming its batches; every batch read by exactly one task.
        var units = StageScheduler.Units(fragments, 100_000);
        Assert.True(units.Count > fragments.Count);
        foreach (var f in fragments)
        {
            var ranges = units.Where(u => u.Fragment == f.Id).Select(u => u.Batches!.Value).ToList();
            Assert.Equal(0, ranges[0].First);
            Assert.Equal(f.BatchRows.Count, ranges[^1].End);
            Assert.All(ranges.Zip(ranges.Skip(1)), p => Assert.Equal(p.First.End, p.Second.First));
        }
        Assert.Contains(ranged.Report, l => l.Contains(" batches ", StringComparison.Ordinal));
        // At the default, each fragment is one task.
        Assert.Equal(fragments.Count, StageScheduler.Units(fragments, DistributedSettings.DefaultTaskRows).Count);
    }
}
