using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>A hash join whose build side is over memory_limit partitions both sides to disk by key hash and joins the
/// partitions one pair at a time (a grace hash join): every join kind gives the result it gives without a limit, and the
/// spill files are gone afterwards. A semi or anti join that builds its (smaller) left side and finds it over the limit
/// builds the right side instead.</summary>
public sealed class JoinSpillTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "ql-join-spill-" + Guid.NewGuid().ToString("N")[..8]);

    public JoinSpillTests()
    {
        Directory.CreateDirectory(_temp);
        _session.TempDirectory = _temp;
        // Two sides of 300K and 200K rows with NULL keys, duplicate keys, keys on one side only and text keys.
        _session.Execute("""
            CREATE DATASET l AS SELECT range AS id, CASE WHEN range % 31 = 0 THEN NULL ELSE (range * 7919) % 250000 END AS k,
                'v' || CAST(range % 1000 AS VARCHAR) AS t FROM range(300000);
            CREATE DATASET r AS SELECT range AS rid, CASE WHEN range % 37 = 0 THEN NULL ELSE (range * 104729) % 300000 END AS k,
                'v' || CAST(range % 1500 AS VARCHAR) AS t, range % 5 AS w FROM range(200000)
            """);
    }

    public void Dispose()
    {
        _session.Dispose();
        try { Directory.Delete(_temp, true); } catch (IOException) { }
    }

    private List<string> Sorted(string sql) =>
        _session.Query(sql).Rows().Select(r => string.Join("|", r.Select(v => v?.ToString() ?? "NULL"))).Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("SELECT l.id, r.rid FROM l JOIN r ON l.k = r.k")]
    [InlineData("SELECT l.id, r.rid FROM l LEFT JOIN r ON l.k = r.k")]
    [InlineData("SELECT l.id, r.rid FROM l RIGHT JOIN r ON l.k = r.k")]
    [InlineData("SELECT l.id, r.rid FROM l FULL JOIN r ON l.k = r.k")]
    [InlineData("SELECT l.id, r.rid FROM l JOIN r ON l.k = r.k AND l.id % 5 <> r.w")]
    [InlineData("SELECT count(*), sum(l.id) FROM l JOIN r ON l.t = r.t AND l.k % 7 = r.w")]
    [InlineData("SELECT id FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)")]
    [InlineData("SELECT id FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.w = 1)")]
    // The left side is the smaller, so the semi join builds it; over the limit it builds the right side instead.
    [InlineData("SELECT rid FROM r WHERE EXISTS (SELECT 1 FROM l WHERE l.k = r.k)")]
    [InlineData("SELECT rid, w FROM r WHERE NOT EXISTS (SELECT 1 FROM l WHERE l.k = r.k AND l.id % 5 <> r.w)")]
    public void A_join_over_ten_times_its_memory_limit_gives_the_unlimited_result(string sql)
    {
        _session.MemoryLimit = null;
        var expected = Sorted(sql);
        _session.MemoryLimit = 2L << 20;
        var plan = (string)_session.Query("EXPLAIN ANALYZE " + sql).Rows().Single()[0]!;
        Assert.Contains("spilled", plan);
        var actual = Sorted(sql);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            if (expected[i] != actual[i]) Assert.Fail($"row {i}: expected {expected[i]}, got {actual[i]}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }
}
