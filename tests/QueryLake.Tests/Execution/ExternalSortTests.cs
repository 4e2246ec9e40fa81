using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>A sort over more data than memory_limit spills sorted runs under temp_directory and merges them: the result
/// is the in-memory sort's, row for row (ties in input order), and the spill files are gone when the query ends,
/// however it ends.</summary>
public sealed class ExternalSortTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "ql-spill-test-" + Guid.NewGuid().ToString("N")[..8]);

    public ExternalSortTests()
    {
        Directory.CreateDirectory(_temp);
        _session.TempDirectory = _temp;
        // 600K rows of int, double (with NULLs and NaN), text (with NULLs) and a low-cardinality key: about 30 MB.
        _session.Execute("""
            CREATE DATASET t AS SELECT range AS id, range % 7 AS g,
                CASE WHEN range % 11 = 0 THEN NULL WHEN range % 13 = 0 THEN CAST('nan' AS DOUBLE) ELSE ((range * 7919) % 100003) / 7.0 END AS d,
                CASE WHEN range % 17 = 0 THEN NULL ELSE 'v' || CAST((range * 104729) % 1000003 AS VARCHAR) END AS s
            FROM range(600000)
            """);
    }

    public void Dispose()
    {
        _session.Dispose();
        try { Directory.Delete(_temp, true); } catch (IOException) { }
    }

    private List<string> Rows(string sql) => _session.Query(sql).Rows().Select(r => string.Join("|", r.Select(v => v switch
    {
        null => "NULL",
        double x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
    }))).ToList();

    [Theory]
    [InlineData("SELECT id, s FROM t ORDER BY s, id")]
    [InlineData("SELECT id, g FROM t ORDER BY g DESC")] // many ties: input order decides
    [InlineData("SELECT id, d FROM t ORDER BY d DESC NULLS FIRST, id")]
    [InlineData("SELECT id, s, d FROM t ORDER BY s DESC NULLS LAST, d NULLS FIRST, id DESC")]
    [InlineData("SELECT g, s FROM t ORDER BY length(s), s")]
    public void A_sort_over_ten_times_its_memory_limit_gives_the_in_memory_result_and_leaves_no_files(string sql)
    {
        _session.MemoryLimit = null;
        var expected = Rows(sql);
        _session.MemoryLimit = 3L << 20;
        var plan = (string)_session.Query("EXPLAIN ANALYZE " + sql).Rows().Single()[0]!;
        Assert.Contains("spilled", plan);
        var actual = Rows(sql);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            if (expected[i] != actual[i]) Assert.Fail($"row {i}: expected {expected[i]}, got {actual[i]}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void Spill_files_exist_while_the_merge_streams_and_are_gone_when_the_result_is_disposed()
    {
        _session.MemoryLimit = 3L << 20;
        using (var result = _session.Query("SELECT id, s FROM t ORDER BY s, id"))
        {
            using var e = result.GetEnumerator();
            Assert.True(e.MoveNext());
            Assert.NotEmpty(Directory.EnumerateFiles(_temp, "*", SearchOption.AllDirectories));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void A_cancelled_or_timed_out_spilling_sort_leaves_no_files()
    {
        _session.MemoryLimit = 3L << 20;
        _session.StatementTimeout = TimeSpan.FromMilliseconds(300);
        var e = Assert.Throws<QueryLakeException>(() =>
            _session.Query("SELECT a.id, b.s FROM t a CROSS JOIN (SELECT s FROM t LIMIT 100) b ORDER BY b.s, a.id").Materialize());
        Assert.Equal("QL-TIMEOUT", e.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));
    }

    [Fact]
    public void A_temp_directory_that_cannot_be_written_fails_clearly()
    {
        var file = Path.Combine(_temp, "a-file");
        File.WriteAllText(file, "x");
        _session.Execute($"SET temp_directory = '{file}'");
        _session.MemoryLimit = 3L << 20;
        var e = Assert.Throws<QueryLakeException>(() => _session.Query("SELECT id, s FROM t ORDER BY s").Materialize());
        Assert.Equal("QL-SPILL", e.Code);
        Assert.Contains("temp_directory", e.Message);
        _session.Execute("RESET temp_directory");
        Assert.Equal(600000, _session.Query("SELECT id, s FROM t ORDER BY s").Rows().Count());
    }
}
