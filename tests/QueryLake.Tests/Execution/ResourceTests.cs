using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>Memory limit, statement timeout and cancellation: a statement fails cleanly and the session lives on. Alone
/// (<see cref="Support.AloneCollection"/>): the cross join's test measures the process's heap and how soon a timeout
/// stops it, which other tests' threads (the cluster tests' silos) would blur on 2 cores.</summary>
[Collection(Support.AloneCollection.Name)]
public sealed class ResourceTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public ResourceTests() =>
        _session.Execute("CREATE DATASET big AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')) v(x, s)" +
                         "; INSERT INTO big SELECT a.x * 10 + b.x, a.s || b.s FROM big a CROSS JOIN big b" +
                         "; INSERT INTO big SELECT a.x * 100 + b.x, a.s || b.s FROM big a CROSS JOIN big b");

    public void Dispose() => _session.Dispose();

    [Fact]
    public void A_query_over_its_memory_limit_spills_or_fails_clearly_and_the_session_goes_on()
    {
        var sorted = _session.Query("SELECT x, s FROM big ORDER BY s DESC, x").Rows().Select(r => $"{r[0]}|{r[1]}").ToList();
        _session.MemoryLimit = 4096;
        // A sort spills sorted runs and merges them: the same rows, in the same order.
        Assert.Equal(sorted, _session.Query("SELECT x, s FROM big ORDER BY s DESC, x").Rows().Select(r => $"{r[0]}|{r[1]}"));
        // Window functions partitioned by a common key spill by partition; without PARTITION BY the whole input is one
        // partition, which must fit: they fail clearly.
        Assert.Equal(420, _session.Query("SELECT x, row_number() OVER (PARTITION BY s ORDER BY x) FROM big").Rows().Count());
        var e = Assert.Throws<QueryLakeException>(() => _session.Query("SELECT x, row_number() OVER (ORDER BY x) FROM big").Materialize());
        Assert.Equal("QL-OUT-OF-MEMORY", e.Code);
        Assert.Contains("memory limit of", e.Message);
        Assert.Contains("window", e.Message);
        _session.MemoryLimit = null;
        Assert.Equal(420L, _session.Query("SELECT count(*) FROM big").Rows().Single()[0]);
        Assert.Equal(420L, _session.Query("SELECT count(*) FROM (SELECT x FROM big ORDER BY s)").Rows().Single()[0]);
    }

    [Fact]
    public void Statements_that_finish_as_their_timeout_thread_starts_or_fires_leave_the_process_up()
    {
        // Each statement's timeout thread waits on an event the statement disposes when it ends; a thread that reached
        // the event (or the cancellation) only after that threw on its own stack and took the whole process down.
        foreach (var timeout in new[] { TimeSpan.FromSeconds(30), TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(1) })
        {
            _session.StatementTimeout = timeout;
            for (int i = 0; i < 1500; i++)
                try { _session.Query("SELECT 1"); }
                catch (QueryLakeException e) when (e.Code == "QL-TIMEOUT") { }
        }
        _session.StatementTimeout = null;
        Thread.Sleep(200); // let the last timeout threads run
        Assert.Equal(420L, _session.Query("SELECT count(*) FROM big").Rows().Single()[0]);
    }

    [Fact]
    public void Statement_timeout_and_cancellation_stop_a_query()
    {
        _session.StatementTimeout = TimeSpan.FromMilliseconds(1);
        var e = Assert.Throws<QueryLakeException>(() =>
            _session.Query("SELECT count(*) FROM big a CROSS JOIN big b CROSS JOIN big c WHERE a.x + b.x + c.x = -1").Materialize());
        Assert.Equal("QL-TIMEOUT", e.Code);
        _session.StatementTimeout = null;
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _session.Query("SELECT count(*) FROM big", cancel: cancel.Token).Materialize());
        Assert.Equal(420L, _session.Query("SELECT count(*) FROM big").Rows().Single()[0]);
    }

    [Fact]
    public void A_correlated_subquery_run_per_row_obeys_the_timeout_and_cancellation()
    {
        // A scalar subquery is not decorrelated: it runs once per distinct outer value, each run under the statement's
        // cancellation (it used to run under none, so a 2 s timeout ended the statement only after every run).
        const string sql = "SELECT count(*) FROM range(200000) a WHERE a.range > (SELECT count(*) FROM range(2000) b WHERE b.range < a.range)";
        _session.StatementTimeout = TimeSpan.FromMilliseconds(300);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("QL-TIMEOUT", Assert.Throws<QueryLakeException>(() => _session.Query(sql).Materialize()).Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the timeout took {clock.Elapsed} to stop the statement");
        _session.StatementTimeout = null;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() => _session.Query(sql, cancel: cancel.Token).Materialize());
        Assert.Equal(420L, _session.Query("SELECT count(*) FROM big").Rows().Single()[0]);
    }

    [Fact]
    public void A_cross_join_of_ten_billion_pairs_stops_within_a_second_of_its_timeout_or_cancellation_in_bounded_memory()
    {
        // Left batches are cut into pieces whose pairs fit one bounded output batch, so the join streams: a timeout or a
        // cancelled token stops it between pieces, and the process does not grow (it reached 23 GB before).
        const string sql = "SELECT count(*) FROM range(100000) a CROSS JOIN range(100000) b";
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var watching = new Timer(_ => Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), GC.GetTotalMemory(false))), null, 0, 20);
        _session.StatementTimeout = TimeSpan.FromMilliseconds(800);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("QL-TIMEOUT", Assert.Throws<QueryLakeException>(() => _session.Query(sql).Materialize()).Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.8), $"the timeout took {clock.Elapsed} to stop the cross join");
        _session.StatementTimeout = null;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));
        clock.Restart();
        Assert.ThrowsAny<OperationCanceledException>(() => _session.Query(sql, cancel: cancel.Token).Materialize());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.8), $"cancellation took {clock.Elapsed} to stop the cross join");
        Assert.True(Interlocked.Read(ref peak) - before < 1L << 30, $"the managed heap grew by {(Interlocked.Read(ref peak) - before) >> 20} MB");
        Assert.Equal(420L, _session.Query("SELECT count(*) FROM big").Rows().Single()[0]);
    }

    [Fact]
    public void A_twenty_way_cross_join_with_a_limit_returns_its_rows_under_a_small_memory_limit()
    {
        // Cross products are planned left-deep (each builds one small input) and stream, so LIMIT stops them early; a
        // bushy plan built products of ten inputs (10^10 rows) as hash tables and died at 200 MB.
        _session.MemoryLimit = 200L << 20;
        var sql = "SELECT * FROM " + string.Join(", ", Enumerable.Range(1, 20).Select(i => $"range(10) t{i}")) + " LIMIT 3";
        var rows = _session.Query(sql).Rows().ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(20, r.Length));
        _session.MemoryLimit = null;
        Assert.Equal(1000L, _session.Query("SELECT count(*) FROM range(10) a, range(10) b, range(10) c").Rows().Single()[0]);
    }

    [Theory]
    [InlineData("SELECT length(string_agg(CAST(range AS VARCHAR), ',')) FROM range(1000000)", "string_agg")]
    [InlineData("SELECT list(range) IS NULL FROM range(1000000)", "list")]
    // DISTINCT of one argument spills instead (AggregateSpillTests); of two, it cannot.
    [InlineData("SELECT count(DISTINCT range), count(DISTINCT range + 1) FROM range(1000000)", "count(DISTINCT")]
    [InlineData("SELECT range % 3, count(DISTINCT range), count(DISTINCT -range) FROM range(1000000) GROUP BY 1", "count(DISTINCT")]
    [InlineData("SELECT median(range) FROM range(1000000)", "median")]
    public void Aggregates_that_keep_values_count_against_the_memory_limit(string sql, string aggregate)
    {
        // They held 228-268 MB under a 20 MB limit, unseen.
        _session.MemoryLimit = 4L << 20;
        var e = Assert.Throws<QueryLakeException>(() => _session.Query(sql).Materialize());
        Assert.Equal("QL-OUT-OF-MEMORY", e.Code);
        Assert.Contains($"the aggregate {aggregate}", e.Message);
        _session.MemoryLimit = 256L << 20;
        Assert.NotEmpty(_session.Query(sql).Rows());
        _session.MemoryLimit = null;
    }

    [Fact]
    public void A_create_as_that_fails_or_times_out_leaves_no_dataset_and_a_retry_creates_it()
    {
        const string sql = "CREATE DATASET made AS SELECT range % 200000 AS k, count(*) AS n FROM range(2000000) GROUP BY 1";
        _session.MemoryLimit = 2L << 20;
        // A window over the whole input cannot spill: over the limit it fails.
        Assert.Equal("QL-OUT-OF-MEMORY", Assert.Throws<QueryLakeException>(() =>
            _session.Execute("CREATE DATASET made AS SELECT range, row_number() OVER (ORDER BY range DESC) AS r FROM range(2000000)")).Code);
        _session.MemoryLimit = null;
        Assert.False(_session.Lake.DatasetExists("made"));
        // The statement's timeout reaches the query of a CREATE … AS (it ran under no cancellation).
        _session.StatementTimeout = TimeSpan.FromMilliseconds(200);
        Assert.Equal("QL-TIMEOUT", Assert.Throws<QueryLakeException>(() =>
            _session.Execute("CREATE DATASET made AS SELECT count(*) AS n FROM range(100000) a, range(100000) b")).Code);
        _session.StatementTimeout = null;
        Assert.False(_session.Lake.DatasetExists("made"));
        _session.Execute(sql);
        Assert.Equal(200000L, _session.Query("SELECT count(*) FROM made").Rows().Single()[0]);
        Assert.Single(_session.Lake.OpenDataset("made").Versions());
    }

    [Theory]
    [InlineData("SELECT count(*) FROM (SELECT range FROM range(600000) UNION SELECT range + 1 FROM range(600000))", 600001L)]
    [InlineData("SELECT count(*) FROM (SELECT range FROM range(600000) INTERSECT SELECT range * 2 FROM range(600000))", 300000L)]
    [InlineData("SELECT count(*) FROM (SELECT range FROM range(600000) EXCEPT ALL SELECT range * 2 FROM range(600000))", 300000L)]
    public void Set_operations_over_the_memory_limit_spill(string sql, long rows)
    {
        _session.MemoryLimit = 4L << 20;
        Assert.Contains("spilled", (string)_session.Query("EXPLAIN ANALYZE " + sql).Rows().Single()[0]!);
        Assert.Equal(rows, _session.Query(sql).Rows().Single()[0]);
        _session.MemoryLimit = null;
        Assert.Equal(rows, _session.Query(sql).Rows().Single()[0]);
    }

    [Fact]
    public void The_memory_limit_defaults_to_four_fifths_of_the_machines_memory_and_reset_restores_it()
    {
        using var session = QueryLakeSession.Open();
        long expected = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);
        Assert.Equal(expected, session.MemoryLimit);
        session.Execute("SET memory_limit = '1MB'");
        Assert.Equal(1_000_000L, session.MemoryLimit); // MB is decimal, MiB binary, as in DuckDB
        session.Execute("RESET memory_limit");
        Assert.Equal(expected, session.MemoryLimit);
        session.Execute("SET memory_limit = 'none'");
        Assert.Null(session.MemoryLimit);
    }
}
