using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Security;

/// <summary>COPY writes files for users outside every lake: never into its own lake's internals, never into another
/// lake's (marked or older, unmarked ones), not through a symbolic link, and not at all in a read-only session.</summary>
public sealed class CopyTargetTests
{
    [Fact]
    public void Copy_cannot_overwrite_a_manifest_or_write_anywhere_in_the_lake()
    {
        using var dir = new TempDir();
        var lake = Path.Combine(dir.Path, "lake");
        using var s = QueryLakeSession.Open(lake);
        s.Execute("CREATE DATASET ds (a BIGINT); INSERT INTO ds VALUES (1), (2)");
        var manifest = Path.Combine(lake, "ds", "_versions", "main", "00000000000000000001.json");
        var original = File.ReadAllBytes(manifest);
        foreach (var target in new[] { manifest, Path.Combine(lake, "out.csv"), Path.Combine(lake, "sub", "x.parquet"), Path.Combine(lake, "ds", "..", "y.json"),
                     Path.Combine(dir.Path, "elsewhere", "..", "lake", "z.arrow") })
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute($"COPY (SELECT 'garbage' AS x) TO '{target}' (FORMAT json)"));
            Assert.Equal("QL-TARGET-IN-LAKE", e.Code);
            Assert.Contains("inside the lake", e.Message);
        }
        Assert.Equal(original, File.ReadAllBytes(manifest));
        Assert.Equal(new[] { ".querylake", "ds" }, Directory.EnumerateFileSystemEntries(lake).Select(Path.GetFileName).Where(n => n != ".tmp").Order(StringComparer.Ordinal));
        Assert.Equal(2L, s.Query("SELECT count(*) FROM ds VERSION 2").Rows().Single()[0]);
        // Beside the lake is fine.
        Assert.Equal(2L, s.Query($"COPY (SELECT * FROM ds) TO '{Path.Combine(dir.Path, "out.csv")}'").RowsAffected);
    }

    [Fact]
    public void Copy_refuses_other_lakes_and_symbolic_links_into_them()
    {
        using var dir = new TempDir();
        var other = Path.Combine(dir.Path, "other");
        using (var o = QueryLakeSession.Open(other)) o.Execute("CREATE DATASET t (a BIGINT)");
        // A lake written before the marker existed is still recognised by its datasets' commit logs.
        var unmarked = Path.Combine(dir.Path, "unmarked");
        using (var u = QueryLakeSession.Open(unmarked)) u.Execute("CREATE DATASET t (a BIGINT)");
        File.Delete(Path.Combine(unmarked, ".querylake"));
        var link = Path.Combine(dir.Path, "innocent");
        Directory.CreateSymbolicLink(link, Path.Combine(other, "t"));
        using var s = QueryLakeSession.Open(Path.Combine(dir.Path, "mine"));
        foreach (var target in new[] { Path.Combine(other, "x.csv"), Path.Combine(unmarked, "t", "_versions", "main", "x.json"), Path.Combine(link, "x.csv"), link })
            Assert.Equal("QL-TARGET-IN-LAKE", Assert.ThrowsAny<QueryLakeException>(() => s.Execute($"COPY (SELECT 1 AS x) TO '{target}'")).Code);
        Assert.False(File.Exists(Path.Combine(other, "t", "x.csv")));
    }

    [Fact]
    public void A_read_only_session_refuses_copy()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(Path.Combine(dir.Path, "lake"));
        s.ReadOnly = true;
        var target = Path.Combine(dir.Path, "out.csv");
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute($"COPY (SELECT 1 AS x) TO '{target}'"));
        Assert.Equal("QL-READ-ONLY", e.Code);
        Assert.Contains("write a file", e.Message);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void WebDataset_members_cannot_leave_the_shard()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(Path.Combine(dir.Path, "lake"));
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute($"COPY (SELECT 1 AS \"a/../../../b\") TO '{Path.Combine(dir.Path, "w.tar")}' (FORMAT webdataset)"));
        Assert.Equal("QL-BAD-NAME", e.Code);
        Assert.Contains("rename it with AS", e.Message);
        // Keys are made safe: no separator and no dot survives into a member name.
        var tar = Path.Combine(dir.Path, "k.tar");
        s.Execute($"COPY (SELECT '../../etc/passwd' AS __key__, 'x' AS label) TO '{tar}' (FORMAT webdataset)");
        var bytes = File.ReadAllBytes(tar);
        var name = System.Text.Encoding.ASCII.GetString(bytes, 0, 100).TrimEnd('\0');
        Assert.Equal("______etc_passwd.label.txt", name);
    }
}
