using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>A grouped aggregation over its memory limit keeps the groups it holds and sends the rows of new groups to
/// hash partitions on disk, then aggregates each partition: the result equals the aggregation without a limit (the
/// rule-on/rule-off check of spilling), for every kind of aggregate (those that keep values too) and every kind of
/// key, and the spill files are gone afterwards. DISTINCT spills the same way, and so do DISTINCT aggregates whose sets
/// outgrow the limit (as two aggregations: the distinct pairs, then the aggregates over them).</summary>
public sealed class AggregateSpillTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "ql-agg-spill-" + Guid.NewGuid().ToString("N")[..8]);

    public AggregateSpillTests()
    {
        Directory.CreateDirectory(_temp);
        _session.TempDirectory = _temp;
        // 400K rows, 100K groups per key: ten times what a 3 MB limit holds.
        _session.Execute("""
            CREATE DATASET t AS SELECT range AS id, (range * 7919) % 100003 AS k,
                CASE WHEN range % 29 = 0 THEN NULL ELSE 'g' || CAST((range * 31) % 99991 AS VARCHAR) END AS s,
                CAST((range * 13) % 100 AS DOUBLE) / 4 AS d
            FROM range(400000)
            """);
    }

    public void Dispose()
    {
        _session.Dispose();
        try { Directory.Delete(_temp, true); } catch (IOException) { }
    }

    private List<string> Sorted(string sql) =>
        _session.Query(sql).Rows().Select(r => string.Join("|", r.Select(v => v switch
        {
            null => "NULL",
            double x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            object?[] list => "[" + string.Join(",", list.Select(e => Convert.ToString(e, System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal)) + "]",
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }))).Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("SELECT k, count(*), sum(id), min(s), max(d), avg(d) FROM t GROUP BY k")]
    // Aggregates that keep values spill when their groups come one after another (the groups held are complete).
    [InlineData("SELECT id // 4 AS g, count(DISTINCT k), median(d), list(s), length(string_agg(CAST(k AS VARCHAR), ',')) FROM t GROUP BY g")]
    // DISTINCT sets of few groups outgrow the limit: they switch to (groups, value) pairs, which spill.
    [InlineData("SELECT k % 5 AS g, count(DISTINCT s), min(s), max(s), length(string_agg(DISTINCT s, ';')) FROM t GROUP BY g")]
    [InlineData("SELECT count(DISTINCT id), max(id), sum(DISTINCT id) FROM t")]
    [InlineData("SELECT CASE WHEN k % 4 = 0 THEN NULL ELSE k % 4 END AS g, count(DISTINCT CASE WHEN k % 4 = 3 THEN NULL ELSE id END), sum(DISTINCT CASE WHEN k % 4 = 3 THEN NULL ELSE id END) FROM t GROUP BY g")]
    // Groups spill first, then the sets of the groups held outgrow the limit: the spilled rows join the pairs.
    [InlineData("SELECT k % 20011 AS g, count(DISTINCT id), any_value(id) IS NOT NULL FROM t GROUP BY g")]
    [InlineData("SELECT s, k % 3 AS m, count(*) FROM t GROUP BY s, m")]
    [InlineData("SELECT d, k, count(*) FROM t GROUP BY d, k")]
    [InlineData("SELECT DISTINCT k, s FROM t")]
    public void Aggregating_over_ten_times_the_memory_limit_gives_the_unlimited_result(string sql)
    {
        _session.MemoryLimit = null;
        var expected = Sorted(sql);
        _session.MemoryLimit = 3L << 20;
        var plan = (string)_session.Query("EXPLAIN ANALYZE " + sql).Rows().Single()[0]!;
        Assert.Contains("spilled", plan);
        var actual = Sorted(sql);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            if (expected[i] != actual[i]) Assert.Fail($"row {i}: expected {expected[i]}, got {actual[i]}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void A_timed_out_spilling_aggregation_leaves_no_files()
    {
        _session.MemoryLimit = 3L << 20;
        _session.StatementTimeout = TimeSpan.FromMilliseconds(400);
        var e = Assert.Throws<Errors.QueryLakeException>(() =>
            _session.Query("SELECT a.k, b.id % 3, count(*) FROM t a CROSS JOIN (SELECT id FROM t LIMIT 50) b GROUP BY a.k, b.id % 3").Materialize());
        Assert.Equal("QL-TIMEOUT", e.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }
}
