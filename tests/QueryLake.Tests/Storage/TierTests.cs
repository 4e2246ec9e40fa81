using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>
/// Hot and cold tiers: <c>ALTER DATASET … SET TIER COLD WHERE …</c> moves the fragments whose rows all match to Parquet
/// zstd in one commit, <c>SET TIER HOT</c> brings them back, and every query gives the same rows whichever tier holds
/// them; DuckDB reads the cold files directly and finds the same rows.
/// </summary>
public sealed class TierTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Text(QueryResult r) => Canonical.Render(r.Schema, r).ToJsonString();

    /// <summary>Queries over every kind of read: scans with filters and pruning, aggregates, a take by row id, a
    /// similarity order, a join, time travel, a split's part.</summary>
    private static readonly string[] Queries =
    [
        "SELECT count(*), sum(id), min(captured_at), max(name), sum(emb[1]) FROM s",
        "SELECT id, name, emb FROM s WHERE id BETWEEN 19990 AND 20010 ORDER BY id",
        "SELECT label, count(*) FROM s GROUP BY label ORDER BY label",
        "SELECT id FROM s ORDER BY l2_distance(emb, [123.0, 4.0]), id LIMIT 7",
        "SELECT a.id, b.name FROM s a JOIN s b ON a.id = b.id + 1 WHERE a.id % 5000 = 1 ORDER BY a.id",
        "SELECT count(*) FROM s VERSION 2",
        "SELECT count(*), sum(id) FROM parts.train",
    ];

    private static void Fill(QueryLakeSession s)
    {
        s.Execute("""
            CREATE TABLE s AS SELECT i AS id, TIMESTAMP '2025-06-01 00:00:00' + INTERVAL '1 minute' * i AS captured_at,
                [i, i % 17]::FLOAT[2] AS emb, 'x' || i AS name, CASE WHEN i % 3 = 0 THEN 'night' ELSE 'day' END AS label FROM range(0, 20000) t(i);
            INSERT INTO s SELECT i, TIMESTAMP '2026-03-01 00:00:00' + INTERVAL '1 minute' * i, [i, i % 17]::FLOAT[2], 'y' || i, 'day' FROM range(20000, 25000) t(i);
            INSERT INTO s SELECT i, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1 minute' * i, [i, 0]::FLOAT[2], 'z' || i, 'night' FROM range(25000, 26000) t(i);
            DELETE FROM s WHERE id % 100 = 7;
            CREATE SPLIT parts FROM (SELECT id, label FROM s) INTO train 70 PERCENT, test 30 PERCENT STRATIFY BY label SEED 3;
            """);
    }

    private static List<string> Answers(QueryLakeSession s) => Queries.Select(q => Text(s.Query(q))).ToList();

    [Fact]
    public void Moving_fragments_between_tiers_changes_no_result_and_duckdb_reads_the_cold_files()
    {
        using var s = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        Fill(s);
        var hot = Answers(s);
        long hotBytes = (long)s.Query("SHOW FRAGMENTS s").Rows().First()[4]!;
        var moved = s.Query("ALTER DATASET s SET TIER COLD WHERE captured_at < '2026-01-01'").Rows().Single();
        // The first and the third appends match; the second does not.
        Assert.Equal(2L, moved[3]);
        Assert.Equal(19800L + 990L, moved[4]);
        var fragments = s.Query("SHOW FRAGMENTS s").Rows().ToList();
        Assert.Equal(["cold", "hot", "cold"], fragments.Select(r => (string)r[1]!));
        Assert.Equal(["parquet", "arrow", "parquet"], fragments.Select(r => (string)r[2]!));
        Assert.All(fragments, r => Assert.True(File.Exists((string)r[3]!), (string)r[3]!));
        Assert.Equal([19800L, 4950L, 990L], fragments.Select(r => (long)r[5]!));
        Assert.Equal(hot, Answers(s));
        // The archive is compact, and other tools read it as it is: DuckDB finds the live rows of each cold fragment.
        var cold = fragments.Where(r => (string)r[1]! == "cold").ToList();
        Assert.True((long)cold[0][4]! * 3 < hotBytes, $"cold {cold[0][4]} bytes, hot {hotBytes}");
        var files = string.Join(", ", cold.Select(r => $"'{r[3]}'"));
        var duck = DuckDbOracle.Rows($"SELECT count(*), sum(id), max(name), min(captured_at) FROM read_parquet([{files}])").Single();
        var ours = s.Query("SELECT count(*), sum(id), max(name), min(captured_at) FROM s WHERE captured_at < '2026-01-01'").Rows().Single();
        Assert.Equal(Convert.ToInt64(ours[0]), Convert.ToInt64(duck[0]));
        Assert.Equal(Convert.ToInt64(ours[1]), (long)(System.Numerics.BigInteger)duck[1]!); // DuckDB sums BIGINT as HUGEINT
        Assert.Equal(ours[2], duck[2]);
        // Deleting from a cold fragment works (a deletion vector); moving it cold again writes its live rows only.
        s.Execute("DELETE FROM s WHERE id = 5");
        Assert.Equal(19799L, s.Query("SHOW FRAGMENTS s").Rows().First()[5]);
        s.Execute("ALTER DATASET s SET TIER COLD WHERE captured_at < '2026-01-01'");
        Assert.Equal(0L, s.Query("SHOW FRAGMENTS s").Rows().First()[6]);
        // And back: all hot, the same answers (less the deleted row).
        s.Execute("ALTER DATASET s SET TIER HOT");
        Assert.All(s.Query("SHOW FRAGMENTS s").Rows(), r => Assert.Equal("hot", r[1]));
        Assert.Equal(Text(s.Query("SELECT count(*) AS n, sum(id) AS total FROM s")), Text(s.Query("SELECT count(*) AS n, sum(id) AS total FROM s VERSION 4 WHERE id <> 5")));
        Assert.Equal(["create", "append", "append", "delete", "tier", "delete", "tier", "tier"], s.Lake.OpenDataset("s").Versions().Select(v => v.Operation));
    }

    [Fact]
    public void A_move_is_one_commit_and_time_travel_still_reads_the_old_files()
    {
        using var s = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        Fill(s);
        long before = s.Lake.OpenDataset("s").LatestVersion;
        s.Execute("ALTER DATASET s SET TIER COLD");
        Assert.Equal(before + 1, s.Lake.OpenDataset("s").LatestVersion);
        Assert.Equal(Text(s.Query($"SELECT count(*), sum(id) FROM s VERSION {before}")), Text(s.Query("SELECT count(*), sum(id) FROM s")));
        // Nothing to move: no new version.
        Assert.Equal(0L, s.Query("ALTER DATASET s SET TIER COLD").Rows().Single()[3]);
        Assert.Equal(before + 1, s.Lake.OpenDataset("s").LatestVersion);
        // CHECK DATASET verifies the Parquet files against their checksums.
        Assert.All(s.Query("CHECK DATASET s").Rows(), r => Assert.Equal("ok", r[3]));
        // COMPACT leaves cold fragments cold.
        s.Execute("COMPACT s");
        Assert.All(s.Query("SHOW FRAGMENTS s").Rows(), r => Assert.Equal("cold", r[1]));
        // Errors name what is wrong.
        var e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute("ALTER DATASET s SET TIER COLD WHERE nope > 1"));
        Assert.Contains("nope", e.Message);
        Assert.Equal("QL-DATASET-NOT-FOUND", Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute("SHOW FRAGMENTS missing")).Code);
    }

    [Fact]
    public void The_cold_tier_may_live_outside_the_lake_and_vacuum_and_drop_clean_it()
    {
        using var s = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        Fill(s);
        var hot = Answers(s);
        var archive = Path.Combine(_dir.Path, "archive");
        s.Execute($"ALTER DATASET s SET TIER COLD LOCATION '{archive}' WHERE captured_at < '2026-01-01'");
        var fragments = s.Query("SHOW FRAGMENTS s").Rows().ToList();
        Assert.Equal(2, fragments.Count(r => ((string)r[3]!).StartsWith(archive + "/s/data/", StringComparison.Ordinal)));
        Assert.Equal(hot, Answers(s));
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(archive, "s", "data"), "*.parquet").Count());
        // A new process reads the lake with its archive.
        using (var again = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"))) Assert.Equal(hot, Answers(again));
        Assert.All(s.Query("CHECK DATASET s").Rows(), r => Assert.Equal("ok", r[3]));
        // Back to hot: the archive's files are named only by older versions; VACUUM RETAIN 1 VERSIONS removes them.
        s.Execute("ALTER DATASET s SET TIER HOT");
        s.Execute("SET vacuum_grace = '0s'");
        s.Execute("VACUUM s RETAIN 1 VERSIONS");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(archive, "s", "data")));
        Assert.Equal(hot[0], Text(s.Query(Queries[0])));
        // DROP removes cold files outside the lake too.
        s.Execute($"ALTER DATASET s SET TIER COLD LOCATION '{archive}'");
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(archive, "s", "data")));
        s.Execute("DROP DATASET s");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(archive, "s", "data")));
        // Errors: a relative location, a location inside the lake, a location for the hot tier.
        s.Execute("CREATE TABLE t AS SELECT 1 AS x");
        Assert.Equal("QL-BAD-LOCATION", Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute("ALTER DATASET t SET TIER COLD LOCATION 'relative/dir'")).Code);
        Assert.Equal("QL-BAD-LOCATION", Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute($"ALTER DATASET t SET TIER COLD LOCATION '{Path.Combine(_dir.Path, "lake", "inside")}'")).Code);
        Assert.Equal("QL-BAD-LOCATION", Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute($"ALTER DATASET t SET TIER HOT LOCATION '{archive}'")).Code);
    }

    [Fact]
    public void Fragments_move_by_version_age()
    {
        using var s = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        s.Execute("CREATE TABLE t (id BIGINT)");
        for (int i = 0; i < 5; i++) s.Execute($"INSERT INTO t SELECT i FROM range({i * 10}, {i * 10 + 10}) t(i)"); // versions 2..6
        s.Execute("UPDATE t SET id = id WHERE id = 0"); // version 7 rewrites the first fragment
        // Written more than 3 versions before version 7: versions 2..3 (the first fragment counts from its rewrite).
        var moved = s.Query("ALTER DATASET t SET TIER COLD OLDER THAN 3 VERSIONS").Rows().Single();
        Assert.Equal(1L, moved[3]);
        Assert.Equal(["hot", "cold", "hot", "hot", "hot"], s.Query("SHOW FRAGMENTS t").Rows().Select(r => (string)r[1]!));
        // Nothing was written more than a day ago; all of it more than 0 versions ago is refused as a number.
        Assert.Equal(0L, s.Query("ALTER DATASET t SET TIER COLD OLDER THAN 1 DAYS").Rows().Single()[3]);
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute("ALTER DATASET t SET TIER COLD OLDER THAN 0 VERSIONS")).Code);
        // Combined with WHERE: both hold.
        Assert.Equal(1L, s.Query("ALTER DATASET t SET TIER COLD OLDER THAN 2 VERSIONS WHERE id >= 20 AND id < 30").Rows().Single()[3]);
        Assert.Equal(["hot", "cold", "cold", "hot", "hot"], s.Query("SHOW FRAGMENTS t").Rows().Select(r => (string)r[1]!));
        Assert.Equal(1225L, s.Query("SELECT sum(id) FROM t").Rows().Single()[0]);
    }

    [Fact]
    public void Any_choice_of_fragments_to_move_gives_the_same_rows()
    {
        using var s = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        s.Execute("CREATE TABLE t (id BIGINT, v DOUBLE, tag TEXT)");
        for (int i = 0; i < 6; i++) s.Execute($"INSERT INTO t SELECT i, i * 0.5, 'g' || (i % 4) FROM range({i * 100}, {i * 100 + 100}) t(i)");
        s.Execute("DELETE FROM t WHERE id % 9 = 0");
        var expected = Text(s.Query("SELECT tag, count(*), sum(v), min(id), max(id) FROM t GROUP BY tag ORDER BY tag"));
        var ds = s.Lake.OpenDataset("t");
        var property = Prop.ForAll(Gen.Choose(0, 127).ToArbitrary(), mask =>
        {
            // Bit 6 chooses the tier, bits 0–5 the fragments.
            ds.SetTier((mask & 64) != 0 ? DataTier.Cold : DataTier.Hot, f => (mask >> (int)(f.Id % 6) & 1) != 0);
            Assert.Equal(expected, Text(s.Query("SELECT tag, count(*), sum(v), min(id), max(id) FROM t GROUP BY tag ORDER BY tag")));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }
}
