using QueryLake.Sessions;
using QueryLake.Tests.Support;
using QueryLake.Tests.Sql;
using Xunit;

namespace QueryLake.Tests.Export;

/// <summary>COPY (query) TO 'file' (FORMAT arrow|csv|json) writes files that read back to the same rows, here and in apache-arrow.</summary>
public sealed class CopyTests
{
    private const string Rows = "SELECT * FROM (VALUES (1, 'night, hail', 0.5, DATE '2026-03-01', true), (2, NULL, NULL, NULL, false), (3, 'say \"hi\"', -1.25, DATE '1999-12-31', NULL)) v(id, label, x, d, ok)";

    [Theory]
    [InlineData("csv", "FORMAT csv")]
    [InlineData("json", "FORMAT json")]
    [InlineData("arrow", "FORMAT arrow, COMPRESSION zstd")]
    public void Copied_files_read_back_to_the_same_rows(string ext, string options)
    {
        using var dir = new TempDir();
        using var session = QueryLakeSession.Open();
        var path = dir.File("out." + ext);
        var copied = session.Query($"COPY ({Rows}) TO '{path}' ({options})");
        Assert.Equal(3L, copied.RowsAffected);
        var expected = session.Query(Rows + " ORDER BY id").Rows().Select(r => string.Join("|", r.Select(SqlLogicTests.Render))).ToList();
        var actual = session.Query($"SELECT id, label, x, d, ok FROM '{path}' ORDER BY id").Rows().Select(r => string.Join("|", r.Select(SqlLogicTests.Render))).ToList();
        Assert.Equal(expected, actual);
        if (ext == "arrow") Assert.Equal(3, Oracles.ArrowDump(path).GetProperty("numRows").GetInt32());
    }

    [Fact]
    public void Bad_options_are_named()
    {
        using var session = QueryLakeSession.Open();
        var e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => session.Query("COPY (SELECT 1) TO '/tmp/x.out' (FORMAT xml)"));
        Assert.Contains("unknown COPY format 'xml'", e.Message);
        e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => session.Query("COPY (SELECT 1) TO '/tmp/x.csv' (PARTITION_BY 4)"));
        Assert.Contains("unknown COPY option 'partition_by'", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
