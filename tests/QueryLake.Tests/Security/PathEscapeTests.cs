using FsCheck;
using FsCheck.Fluent;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Security;

/// <summary>Names that become paths never leave the lake, and statements never write into a lake's own files: each case
/// here is an escape that worked from outside before names were checked centrally and COPY was kept out of lakes.</summary>
public sealed class PathEscapeTests
{
    private static QueryLakeException Refused(QueryLakeSession s, string sql) => Assert.ThrowsAny<QueryLakeException>(() => s.Execute(sql));

    [Theory]
    [InlineData("CREATE VIEW \"../../v\" AS SELECT 1")]
    [InlineData("CREATE VIEW \"a/b\" AS SELECT 1")]
    [InlineData("CREATE VIEW \"..\" AS SELECT 1")]
    [InlineData("CREATE VIEW \"_views\" AS SELECT 1")]
    [InlineData("CREATE VIEW \"x\ny\" AS SELECT 1")]
    [InlineData("CREATE SPLIT \"../../s\" FROM (SELECT 1 AS id) INTO a 50 PERCENT, b 50 PERCENT SEED 1")]
    [InlineData("CREATE SPLIT \".hidden\" FROM (SELECT 1 AS id) INTO a 50 PERCENT, b 50 PERCENT SEED 1")]
    [InlineData("CREATE DATASET \"../escaped\" (a BIGINT)")]
    [InlineData("CREATE DATASET \"_splits\" (a BIGINT)")]
    [InlineData("CREATE DATASET \"a\\\\b\" (a BIGINT)")]
    public void Path_names_are_refused_with_QL_BAD_NAME_and_nothing_is_written(string sql)
    {
        using var outer = new TempDir();
        var lakePath = Path.Combine(outer.Path, "l1", "l2", "lake");
        using var s = QueryLakeSession.Open(lakePath);
        var before = Listing(outer.Path);
        var e = Refused(s, sql);
        Assert.Equal("QL-BAD-NAME", e.Code);
        Assert.StartsWith("1:1: ", e.Message);
        Assert.Equal(before, Listing(outer.Path));
    }

    [Fact]
    public void Drop_split_and_drop_view_cannot_delete_outside_their_folders()
    {
        using var outer = new TempDir();
        var lakePath = Path.Combine(outer.Path, "lake");
        var victim = Path.Combine(outer.Path, "victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "split.json"), "{}");
        File.WriteAllText(Path.Combine(victim, "notes.txt"), "mine");
        using var s = QueryLakeSession.Open(lakePath);
        s.Execute("CREATE DATASET ds2 (a BIGINT); INSERT INTO ds2 VALUES (1); INSERT INTO ds2 VALUES (2)");
        var manifest = Path.Combine(lakePath, "ds2", "_versions", "main", "00000000000000000002.json");
        Assert.True(File.Exists(manifest));

        Assert.Equal("QL-BAD-NAME", Refused(s, "DROP SPLIT \"../../victim\"").Code);
        Assert.Equal("QL-BAD-NAME", Refused(s, "DROP SPLIT \"../victim\"").Code);
        Assert.Equal("QL-BAD-NAME", Refused(s, "DROP VIEW \"../ds2/_versions/main/00000000000000000002\"").Code);
        Assert.True(File.Exists(Path.Combine(victim, "notes.txt")));
        Assert.True(File.Exists(manifest));
        Assert.Equal(2L, s.Query("SELECT count(*) FROM ds2").Rows().Single()[0]);
    }

    [Fact]
    public void Tags_and_branches_are_checked_where_they_become_paths()
    {
        using var dir = new TempDir();
        var lake = Lake.Open(Path.Combine(dir.Path, "lake"));
        var ds = lake.CreateDataset("d", new QueryLake.Columnar.Schema([new QueryLake.Columnar.Field("a", QueryLake.Columnar.Types.DataType.Int64)]));
        foreach (var bad in new[] { "../t", "..", "a/b", "x\0y", "" })
        {
            Assert.Equal("QL-BAD-NAME", Assert.Throws<LakeException>(() => ds.CreateTag(bad)).Code);
            Assert.Equal("QL-BAD-NAME", Assert.Throws<LakeException>(() => ds.CreateBranch(bad)).Code);
            Assert.Equal("QL-BAD-NAME", Assert.Throws<LakeException>(() => ds.CheckoutTag(bad)).Code);
            Assert.Equal("QL-BAD-NAME", Assert.Throws<LakeException>(() => lake.OpenDataset("d", bad)).Code);
        }
        // Only the dataset (and the store's own hidden temporary folder) exists in the lake.
        Assert.Equal(["d"], Directory.EnumerateDirectories(Path.Combine(dir.Path, "lake")).Select(Path.GetFileName).Where(n => n != ".tmp"));
    }

    [Fact]
    public void A_killed_split_s_staging_folder_and_old_copies_are_never_listed()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.Path);
        s.Execute("CREATE SPLIT good FROM (SELECT * FROM range(10) t(id)) INTO a 50 PERCENT, b 50 PERCENT SEED 1");
        // What a kill between writing split.json and assignments.arrow leaves (the old staging name, and today's).
        foreach (var leftover in new[] { ".s_N.0123456789abcdef0123456789abcdef", ".staging-0123456789abcdef", "good.old-1234abcd" })
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, "_splits", leftover));
            File.WriteAllText(Path.Combine(dir.Path, "_splits", leftover, "split.json"), "{}");
        }
        var names = s.Query("SHOW SPLITS").Rows().Select(r => (string)r[0]!).Distinct().ToList();
        Assert.Equal(["good"], names);
    }

    [Fact]
    public void Valid_names_always_resolve_to_a_direct_child_of_their_folder()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "root"));
        var chars = "./\\_-aZ09\0\n ~:".ToCharArray();
        var names = Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements(chars), n)).Select(c => new string(c));
        var property = Prop.ForAll(names.ToArbitrary(), name =>
        {
            if (!QueryLake.Storage.Paths.LakeNames.IsValid(name)) return;
            var full = Path.GetFullPath(Path.Combine(root, name));
            Assert.Equal(root, Path.GetDirectoryName(full));
            Assert.Equal(name, Path.GetFileName(full));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
        Assert.False(QueryLake.Storage.Paths.LakeNames.IsValid(".."));
        Assert.True(QueryLake.Storage.Paths.LakeNames.IsValid("a.b-c_1"));
    }

    private static List<string> Listing(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal).ToList();
}
