using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>VACUUM removes what no retained version needs (orphaned files once past the grace period, old versions
/// beyond RETAIN but never a tagged one or the latest, aborted transactions' manifests, staging and leftovers of killed
/// statements) and every remaining version still reads and checks; COMPACT merges small fragments; both report.</summary>
public sealed class VacuumTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _lake;
    private readonly QueryLakeSession _s;

    public VacuumTests()
    {
        _lake = Path.Combine(_dir.Path, "lake");
        _s = QueryLakeSession.Open(_lake);
        _s.Execute("CREATE DATASET t (a BIGINT, b VARCHAR)");
        for (int i = 0; i < 6; i++) _s.Execute($"INSERT INTO t SELECT range + {i * 100}, 'r' || range FROM range(100)");
        _s.Execute("DELETE FROM t WHERE a % 10 = 0");
    }

    public void Dispose()
    {
        _s.Dispose();
        _dir.Dispose();
    }

    private List<object?[]> Rows(string sql) => _s.Query(sql).Rows().ToList();

    private static void Age(string path) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));

    private void AllVersionsCheck()
    {
        foreach (var v in Rows("SHOW VERSIONS OF t").Select(r => (long)r[0]!))
        {
            Assert.All(Rows($"CHECK DATASET t VERSION {v}"), r => Assert.Equal("ok", r[3]));
            Assert.Equal(v == 1 ? 0L : Math.Min(v - 1, 6) * 100 - (v == 8 ? 60 : 0), Rows($"SELECT count(*) FROM t VERSION {v}").Single()[0]);
        }
    }

    [Fact]
    public void Orphaned_files_go_once_past_the_grace_period_and_referenced_ones_never()
    {
        var data = Path.Combine(_lake, "t", "data");
        var young = Path.Combine(data, "young-orphan.arrow");
        var old = Path.Combine(data, "old-orphan.arrow");
        File.WriteAllBytes(young, new byte[100]);
        File.WriteAllBytes(old, new byte[200]);
        Age(old);
        foreach (var f in Directory.EnumerateFiles(data)) if (f != young) Age(f);
        var report = Rows("VACUUM t").Single();
        Assert.Equal(new object?[] { "t", 0L, 1L, 200L }, report);
        Assert.True(File.Exists(young));
        Assert.False(File.Exists(old));
        AllVersionsCheck();
        _s.Execute("SET vacuum_grace = '0s'");
        Assert.Equal(1L, Rows("VACUUM").First(r => (string)r[0]! == "t")[2]);
        Assert.False(File.Exists(young));
        AllVersionsCheck();
    }

    [Fact]
    public void Retain_removes_old_versions_but_never_a_tagged_one_or_the_latest()
    {
        _s.Lake.OpenDataset("t").CreateTag("keep", 3);
        _s.Execute("SET vacuum_grace = '0s'");
        var report = Rows("VACUUM t RETAIN 2 VERSIONS").Single();
        Assert.Equal(5L, report[1]);
        Assert.Equal(new long[] { 3, 7, 8 }, Rows("SHOW VERSIONS OF t").Select(r => (long)r[0]!));
        Assert.Equal("QL-VERSION-NOT-FOUND", Assert.ThrowsAny<QueryLakeException>(() => Rows("SELECT count(*) FROM t VERSION 2")).Code);
        AllVersionsCheck();
        // Compacting, then keeping one version: the files only older versions named go.
        Assert.Equal(6L, Rows("COMPACT t").Single()[2]);
        _s.Lake.OpenDataset("t").DeleteTag("keep");
        report = Rows("VACUUM t RETAIN 1 VERSIONS").Single();
        Assert.True((long)report[2]! >= 7, $"{report[2]} files removed");
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_lake, "t", "data")));
        Assert.Equal(540L, Rows("SELECT count(*) FROM t").Single()[0]);
        Assert.All(Rows("CHECK DATASET t"), r => Assert.Equal("ok", r[3]));
        // RETAIN n DAYS keeps what is recent.
        Assert.Equal(0L, Rows("VACUUM t RETAIN 30 DAYS").Single()[1]);
    }

    [Fact]
    public void Leftovers_of_killed_and_aborted_writes_go()
    {
        _s.Execute("SET vacuum_grace = '0s'");
        // A split's staging folder, a killed DROP's folder, a killed CREATE's dataset folder without a version, a dead
        // coordinator's exchange.
        Directory.CreateDirectory(Path.Combine(_lake, "_splits", ".s_1.abc"));
        File.WriteAllText(Path.Combine(_lake, "_splits", ".s_1.abc", "assignments.arrow"), "x");
        Directory.CreateDirectory(Path.Combine(_lake, ".dropped-old-1234", "data"));
        File.WriteAllText(Path.Combine(_lake, ".dropped-old-1234", "data", "f.arrow"), "xyz");
        Directory.CreateDirectory(Path.Combine(_lake, "half", "data"));
        File.WriteAllText(Path.Combine(_lake, "half", "data", "f.arrow"), "xyz");
        Age(Path.Combine(_lake, "half", "data", "f.arrow"));
        // The exchange files of a distributed query whose coordinator died.
        Directory.CreateDirectory(Path.Combine(_lake, "_exchange", "0123abcd", "s0", "t0a0"));
        File.WriteAllText(Path.Combine(_lake, "_exchange", "0123abcd", "s0", "t0a0", "p0-0.arrow"), "xyz");
        var rows = Rows("VACUUM");
        Assert.Equal(3L, rows.Single(r => (string)r[0]! == "(lake)")[2]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_lake, "_exchange")));
        Assert.False(Directory.Exists(Path.Combine(_lake, "_splits", ".s_1.abc")));
        Assert.False(Directory.Exists(Path.Combine(_lake, ".dropped-old-1234")));
        Assert.False(Directory.Exists(Path.Combine(_lake, "half")));
        Assert.Equal(new[] { "t" }, Rows("SHOW DATASETS").Select(r => (string)r[0]!));
        AllVersionsCheck();
    }

    [Fact]
    public void Compact_merges_small_fragments_into_one_version_and_reports_it()
    {
        var before = Rows("SELECT a, b FROM t ORDER BY a").Select(r => $"{r[0]}|{r[1]}").ToList();
        var report = Rows("COMPACT DATASET t TARGET ROWS 250").Single();
        Assert.Equal("t", report[0]);
        Assert.Equal(9L, report[1]);
        Assert.Equal(6L, report[2]);
        Assert.Equal(3L, report[3]);
        Assert.Equal(540L, report[4]);
        Assert.Equal(before, Rows("SELECT a, b FROM t ORDER BY a").Select(r => $"{r[0]}|{r[1]}"));
        Assert.Equal("compact", Rows("SHOW VERSIONS OF t").Last()[2]);
    }

    [Fact]
    public void Vacuum_and_compact_are_refused_where_they_cannot_run()
    {
        _s.Execute("BEGIN");
        Assert.Equal("QL-TRANSACTION", Assert.ThrowsAny<QueryLakeException>(() => _s.Execute("VACUUM")).Code);
        _s.Execute("ROLLBACK");
        _s.ReadOnly = true;
        Assert.Equal("QL-READ-ONLY", Assert.ThrowsAny<QueryLakeException>(() => _s.Execute("VACUUM t")).Code);
        Assert.Equal("QL-READ-ONLY", Assert.ThrowsAny<QueryLakeException>(() => _s.Execute("COMPACT t")).Code);
        _s.ReadOnly = false;
        Assert.Equal("QL-DATASET-NOT-FOUND", Assert.ThrowsAny<QueryLakeException>(() => _s.Execute("VACUUM nope")).Code);
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLakeException>(() => _s.Execute("VACUUM t RETAIN 0 VERSIONS")).Code);
    }
}
