using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>Window functions with a common PARTITION BY, and INTERSECT, EXCEPT and UNION with or without ALL, over ten
/// times their memory limit: they spill to hash partitions on disk and give exactly the unlimited result, and the spill
/// files are gone afterwards. A window without PARTITION BY cannot be split, and fails clearly.</summary>
public sealed class WindowAndSetOperationSpillTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "ql-window-spill-" + Guid.NewGuid().ToString("N")[..8]);

    public WindowAndSetOperationSpillTests()
    {
        Directory.CreateDirectory(_temp);
        _session.TempDirectory = _temp;
        // 300K rows with NULLs in every column but id; 30K partitions of k, 1,000 of s.
        _session.Execute("""
            CREATE DATASET t AS SELECT range AS id,
                CASE WHEN range % 41 = 0 THEN NULL ELSE (range * 7919) % 30011 END AS k,
                CASE WHEN range % 29 = 0 THEN NULL ELSE 'g' || CAST((range * 31) % 997 AS VARCHAR) END AS s,
                CASE WHEN range % 17 = 0 THEN NULL ELSE CAST((range * 13) % 100 AS DOUBLE) / 4 END AS d
            FROM range(300000)
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
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }))).Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("SELECT id, row_number() OVER (PARTITION BY k ORDER BY id DESC), sum(d) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t")]
    [InlineData("SELECT id, rank() OVER (PARTITION BY s ORDER BY d), lag(id) OVER (PARTITION BY s, k % 3 ORDER BY id), count(*) OVER (PARTITION BY s) FROM t")]
    [InlineData("SELECT id, avg(d) OVER (PARTITION BY k % 1000 ORDER BY d RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t")]
    [InlineData("SELECT k, s FROM t INTERSECT SELECT k, s FROM t WHERE id % 3 = 0")]
    [InlineData("SELECT k, s FROM t INTERSECT ALL SELECT k, s FROM t WHERE id % 3 = 0")]
    [InlineData("SELECT k, d FROM t EXCEPT SELECT k, d FROM t WHERE id % 2 = 0")]
    [InlineData("SELECT k, d FROM t EXCEPT ALL SELECT k, d FROM t WHERE id % 2 = 0")]
    [InlineData("SELECT k, s FROM t UNION SELECT k + 1, s FROM t")]
    public void Over_ten_times_the_memory_limit_they_give_the_unlimited_result(string sql)
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

    [Fact]
    public void A_window_without_a_common_partition_key_fails_clearly_and_leaves_no_files()
    {
        _session.MemoryLimit = 2L << 20;
        var e = Assert.Throws<QueryLakeException>(() =>
            _session.Query("SELECT id, row_number() OVER (PARTITION BY k ORDER BY id), count(*) OVER (PARTITION BY s) FROM t").Materialize());
        Assert.Equal("QL-OUT-OF-MEMORY", e.Code);
        Assert.Contains("window functions", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
        _session.MemoryLimit = null;
    }
}
