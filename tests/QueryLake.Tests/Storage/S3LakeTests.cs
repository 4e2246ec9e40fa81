using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Storage;
using QueryLake.Storage.Stores;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>The commit-race tests of <see cref="CommitConcurrencyTests"/> on a lake on object storage: s3rver on
/// loopback behind the proxy that enforces <c>If-None-Match: *</c> (s3rver ignores it; nothing else is faked).</summary>
public sealed class S3CommitConcurrencyTests(S3Fixture s3) : CommitConcurrencyTests(S3LakeTests.OpenLake(s3)), IClassFixture<S3Fixture>;

/// <summary>
/// A lake on object storage behaves as one in a folder: the same statements give the same results; a query reads only
/// the byte ranges it needs, and a warm cache none; a store that ignores conditional creates is refused for writing
/// unless a commit lock is named; transient faults are retried, and a commit that fails leaves nothing visible.
/// </summary>
public sealed class S3LakeTests(S3Fixture s3) : IClassFixture<S3Fixture>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A new lake under its own prefix, through the proxy (or straight to s3rver when <paramref name="direct"/>).</summary>
    internal static Lake OpenLake(S3Fixture s3, bool direct = false, string? commitLock = null, string? prefix = null)
    {
        IObjectStore store = new S3Store($"s3://{S3Server.Bucket}/{prefix ?? "lakes/" + Guid.NewGuid().ToString("N")}", new S3Options
        {
            Endpoint = direct ? s3.Server.Endpoint : s3.Proxy.Endpoint, AccessKey = S3Server.AccessKey, SecretKey = S3Server.SecretKey,
            MaxAttempts = 8,
        });
        if (commitLock is not null) store = new LockedCreates(store, commitLock);
        return Lake.Open(store);
    }

    private QueryLakeSession Session(Lake lake)
    {
        var session = QueryLakeSession.Open(lake);
        session.Execute($"SET cache_directory = '{Path.Combine(_dir.Path, "cache")}'");
        return session;
    }

    private static S3Store Store(Lake lake) => (S3Store)lake.Storage.Store;

    /// <summary>Statements that touch every kind of file the lake keeps: manifests, data files, deletion vectors, views,
    /// splits, transactions over two datasets.</summary>
    private const string Script = """
        CREATE TABLE scenes (id BIGINT, label TEXT, score DOUBLE, emb FLOAT[4]);
        INSERT INTO scenes SELECT i, CASE WHEN i % 3 = 0 THEN 'hail' WHEN i % 3 = 1 THEN 'rain' ELSE 'clear' END, i * 0.5,
            [i * 1.0, i % 7, 1.0, -i] FROM range(0, 3000) t(i);
        INSERT INTO scenes SELECT i, 'snow', i * 0.25, [1.0, 2.0, 3.0, i] FROM range(3000, 3500) t(i);
        DELETE FROM scenes WHERE id % 10 = 0;
        UPDATE scenes SET score = -1 WHERE label = 'snow' AND id % 7 = 0;
        ALTER DATASET scenes ADD COLUMN twice AS score * 2;
        INSERT INTO scenes (id, label, score, emb) VALUES (9999, 'fog', 1.5, [0.0, 0.0, 0.0, 1.0]);
        CREATE VIEW hail AS SELECT id, score FROM scenes WHERE label = 'hail';
        CREATE SPLIT by_label FROM (SELECT id, label FROM scenes) INTO train 80 PERCENT, test 20 PERCENT STRATIFY BY label SEED 7;
        BEGIN;
        CREATE TABLE notes (id BIGINT, note TEXT);
        INSERT INTO notes VALUES (1, 'one'), (2, 'two');
        DELETE FROM scenes WHERE id = 1;
        COMMIT;
        SELECT label, count(*), sum(score), min(id), max(id) FROM scenes GROUP BY label ORDER BY label;
        SELECT count(*) FROM scenes VERSION 5;
        SELECT id, twice FROM scenes WHERE id BETWEEN 100 AND 120 ORDER BY id;
        SELECT count(*), sum(score) FROM hail;
        SELECT count(*), sum(id) FROM by_label.train;
        SELECT id FROM scenes ORDER BY l2_distance(emb, [5.0, 5.0, 1.0, -5.0]), id LIMIT 5;
        SELECT * FROM notes ORDER BY id;
        SHOW DATASETS;
        """;

    private static List<string> Run(QueryLakeSession session) => session.ExecuteEach(Script).Select(Text).ToList();

    private static string Text(QueryResult r) => Canonical.Render(r.Schema, r).ToJsonString();

    [Fact]
    public void The_same_statements_give_the_same_results_on_object_storage_as_in_a_folder()
    {
        using var local = QueryLakeSession.Open(Path.Combine(_dir.Path, "local"));
        using var remote = Session(OpenLake(s3));
        var expected = Run(local);
        var actual = Run(remote);
        Assert.Equal(expected, actual);
        Assert.Equal(["notes", "scenes"], remote.Lake.ListDatasets());
        Assert.Contains("hail", expected[14]);
        // A second handle on the same lake (another process, another machine) sees it all.
        using var again = Session(OpenLake(s3, prefix: Store(remote.Lake).Location["s3://lake/".Length..]));
        Assert.Equal(expected[14], Text(again.Query("SELECT label, count(*), sum(score), min(id), max(id) FROM scenes GROUP BY label ORDER BY label")));
        // Tags and branches are objects too.
        var ds = again.Lake.OpenDataset("scenes");
        ds.CreateTag("kept", 3);
        ds.CreateBranch("experiment");
        Assert.Equal(3, remote.Lake.OpenDataset("scenes").CheckoutTag("kept").Version);
        Assert.Equal(["experiment", "main"], remote.Lake.OpenDataset("scenes").Branches());
    }

    [Fact]
    public void A_query_reads_only_the_ranges_it_needs_and_a_warm_cache_reads_none()
    {
        var lake = OpenLake(s3);
        using (var session = QueryLakeSession.Open(lake))
        {
            session.Execute("SET cache_directory = 'none'");
            session.Execute("CREATE TABLE wide AS SELECT i AS id, i % 10 AS k, repeat('x', 200) || i AS payload, [i, i, i, i, i, i, i, i]::FLOAT[8] AS emb FROM range(0, 100000) t(i)");
        }
        long fileBytes = lake.Storage.FilesUnder(Path.Combine(lake.Path, "wide", "data")).Sum(o => o.Size);
        var cold = OpenLake(s3, prefix: Store(lake).Location["s3://lake/".Length..]);
        using var reader = Session(cold);
        var counters = Store(cold).Counters;
        long before = counters.BytesRead;
        Assert.Contains("450000", Text(reader.Query("SELECT sum(k) FROM wide")));
        long read = counters.BytesRead - before;
        // One int64 column of four: far less than the files (the payload dominates them).
        Assert.InRange(read, 100_000 * 8 / 2, fileBytes / 3);
        // The same query again from a new handle with the same cache: no data is fetched (only the commit log is listed
        // and its manifest read).
        var warm = OpenLake(s3, prefix: Store(lake).Location["s3://lake/".Length..]);
        using var warmReader = Session(warm);
        Assert.Contains("450000", Text(warmReader.Query("SELECT sum(k) FROM wide")));
        Assert.True(Store(warm).Counters.BytesRead < 64 << 10, $"warm read {Store(warm).Counters}");
        Assert.True(warm.Files.Ranges!.Hits > 0);
    }

    [Fact]
    public void The_cli_and_ado_net_open_lakes_on_object_storage()
    {
        // Credentials come from the environment, as for every AWS tool; the child process inherits it.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3Server.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3Server.SecretKey);
        Environment.SetEnvironmentVariable("QUERYLAKE_CACHE", Path.Combine(_dir.Path, "cache"));
        var location = $"s3://{S3Server.Bucket}/cli/{Guid.NewGuid():N}";
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        var (exit, stdout, stderr) = Programs.Run(cli, null, location, "--endpoint", s3.Proxy.Endpoint,
            "-c", "CREATE TABLE t AS SELECT i AS id, i % 3 AS k FROM range(0, 1000) t(i)", "-c", "SELECT k, count(*) AS n FROM t GROUP BY k ORDER BY k", "--format", "csv");
        Assert.True(exit == 0, stderr);
        Assert.Contains("0,334", stdout);
        using (var connection = new QueryLake.Data.QueryLakeConnection($"Data Source={location};Endpoint={s3.Proxy.Endpoint};Region=us-east-1"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT sum(id) FROM t";
            Assert.Equal(499500L, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
            command.CommandText = "INSERT INTO t VALUES (1000, 1)";
            command.ExecuteNonQuery();
        }
        // Straight to s3rver, which ignores conditional creates: writing is refused with a clear error, reading works,
        // and a named commit lock makes writing safe.
        (exit, _, stderr) = Programs.Run(cli, null, location, "--endpoint", s3.Server.Endpoint, "-c", "INSERT INTO t VALUES (1001, 2)");
        Assert.NotEqual(0, exit);
        Assert.Contains("does not honour conditional creates", stderr);
        (exit, stdout, stderr) = Programs.Run(cli, null, location, "--endpoint", s3.Server.Endpoint, "--commit-lock", Path.Combine(_dir.Path, "lock"),
            "-c", "INSERT INTO t VALUES (1001, 2)", "-c", "SELECT count(*) AS n FROM t", "--format", "csv");
        Assert.True(exit == 0, stderr);
        Assert.Contains("1002", stdout);
    }

    [Fact]
    public void A_writer_killed_mid_upload_leaves_the_lake_readable_at_its_last_commit_and_vacuum_removes_the_orphans()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3Server.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3Server.SecretKey);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", s3.Proxy.Endpoint);
        Environment.SetEnvironmentVariable("QUERYLAKE_CACHE", Path.Combine(_dir.Path, "cache"));
        var prefix = "crash/" + Guid.NewGuid().ToString("N");
        var dll = Programs.Dll("QueryLake.CrashWriter", "QueryLake.CrashWriter");
        var rng = new Random(23);
        long committed = 0;
        var lake = OpenLake(s3, prefix: prefix);
        for (int run = 0; run < 4; run++)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(dll);
            psi.ArgumentList.Add($"s3://{S3Server.Bucket}/{prefix}");
            psi.ArgumentList.Add("crash");
            using var p = System.Diagnostics.Process.Start(psi)!;
            Assert.Equal("ready", p.StandardOutput.ReadLine());
            Assert.Equal("committed", p.StandardOutput.ReadLine());
            Thread.Sleep(rng.Next(5, 300));
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            var latest = lake.OpenDataset("crash").Latest();
            Assert.True(latest.RowCount >= committed && latest.RowCount % 1000 == 0, $"run {run}: {latest.RowCount} rows, {committed} before");
            committed = latest.RowCount;
            Assert.Equal(Enumerable.Range(0, (int)committed).Select(i => (long)i), LakeTestData.Ids(latest.Scan(), "n"));
        }
        // Files the killed writers uploaded without committing are named by no version: VACUUM removes exactly those.
        var data = Path.Combine(lake.Path, "crash", "data");
        int named = lake.OpenDataset("crash").Versions().SelectMany(v => lake.OpenDataset("crash").Checkout(v.Version).Fragments)
            .Select(f => f.Id).Distinct().Count();
        using var session = QueryLakeSession.Open(lake);
        session.Execute("SET vacuum_grace = '0s'");
        session.Execute("VACUUM crash");
        Assert.Equal(named, lake.Storage.Files(data).Count);
        Assert.Equal(committed, lake.OpenDataset("crash").Latest().RowCount);
        Assert.Equal(Enumerable.Range(0, (int)committed).Select(i => (long)i), LakeTestData.Ids(lake.OpenDataset("crash").Latest().Scan(), "n"));
    }

    [Fact]
    public void Tiers_work_on_object_storage()
    {
        using var session = Session(OpenLake(s3));
        session.Execute("CREATE TABLE t AS SELECT i AS id, i % 7 AS k, [i, 1.0]::FLOAT[2] AS emb FROM range(0, 30000) t(i)");
        session.Execute("INSERT INTO t SELECT i, i % 7, [i, 2.0]::FLOAT[2] FROM range(30000, 31000) t(i)");
        session.Execute("DELETE FROM t WHERE k = 3");
        const string Query = "SELECT k, count(*), sum(id), sum(emb[2]) FROM t GROUP BY k ORDER BY k";
        var expected = Text(session.Query(Query));
        session.Execute("ALTER DATASET t SET TIER COLD WHERE id < 30000");
        var fragments = session.Query("SHOW FRAGMENTS t").Rows().ToList();
        Assert.Equal(["cold", "hot"], fragments.Select(r => (string)r[1]!));
        Assert.StartsWith("s3://", (string)fragments[0][3]!);
        Assert.EndsWith(".parquet", (string)fragments[0][3]!);
        Assert.Equal(expected, Text(session.Query(Query)));
        // A new handle, cold cache: the Parquet file is read from the store.
        using var again = Session(OpenLake(s3, prefix: Store(session.Lake).Location["s3://lake/".Length..]));
        again.Execute("SET cache_directory = 'none'");
        Assert.Equal(expected, Text(again.Query(Query)));
        Assert.Equal(Text(session.Query("SELECT * FROM t WHERE id IN (17, 29999, 30500) ORDER BY id")), Text(again.Query("SELECT * FROM t WHERE id IN (17, 29999, 30500) ORDER BY id")));
        Assert.All(again.Query("CHECK DATASET t").Rows(), r => Assert.Equal("ok", r[3]));
    }

    [Fact]
    public void A_take_reads_only_the_bytes_of_the_rows_it_asks_for()
    {
        // Wide rows (a 64-float embedding, text), so the 20 rows asked for lie further apart than a request costs.
        var fill = "CREATE TABLE t AS SELECT i AS id, 'row ' || i || repeat('.', i % 50) AS note, " +
            $"[{string.Join(", ", Enumerable.Range(0, 64).Select(j => $"i + {j}"))}]::FLOAT[64] AS emb, " +
            "CASE WHEN i % 11 = 0 THEN NULL ELSE i * 0.5 END AS v, 'tag' || (i % 3) AS tag FROM range(0, 100000) t(i)";
        using var local = QueryLakeSession.Open(Path.Combine(_dir.Path, "local"));
        local.Execute(fill);
        var lake = OpenLake(s3);
        using (var s = QueryLakeSession.Open(lake)) { s.Execute("SET cache_directory = 'none'"); s.Execute(fill); }
        var expectedSnapshot = local.Lake.OpenDataset("t").Latest();
        var random = new Random(9);
        var ids = LakeTestData.Ids(expectedSnapshot.Scan(["id"], withRowId: true), RowId.ColumnName);
        var take = Enumerable.Range(0, 20).Select(_ => ids[random.Next(ids.Count)]).ToList();
        take.Add(take[0]); // a row twice, in the order asked
        var fresh = OpenLake(s3, prefix: Store(lake).Location["s3://lake/".Length..]);
        fresh.Files.Ranges = null;
        var snapshot = fresh.OpenDataset("t").Latest();
        long before = Store(fresh).Counters.BytesRead;
        var got = snapshot.Take(take);
        long read = Store(fresh).Counters.BytesRead - before;
        var want = expectedSnapshot.Take(take);
        Assert.Equal(Canonical.Render(want.Schema, [want]).ToJsonString(), Canonical.Render(got.Schema, [got]).ToJsonString());
        long total = fresh.Storage.FilesUnder(Path.Combine(fresh.Path, "t", "data")).Sum(o => o.Size);
        Assert.True(read < total / 4, $"a take of {take.Count} rows read {read} of {total} bytes");
    }

    [Fact]
    public void A_statement_timeout_interrupts_a_read_the_store_does_not_answer()
    {
        using var session = Session(OpenLake(s3));
        session.Execute("SET cache_directory = 'none'");
        session.Execute("CREATE TABLE t AS SELECT i AS id FROM range(0, 1000) t(i)");
        s3.Proxy.Faults = (method, path) => method == "GET" && path.Contains("/data/", StringComparison.Ordinal) ? ConditionalPutProxy.Fault.Stall : null;
        try
        {
            session.Execute("SET statement_timeout = '1s'");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.ThrowsAny<QueryLakeException>(() => session.Query("SELECT sum(id) FROM t").Materialize());
            Assert.Equal("QL-TIMEOUT", e.Code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the timeout took {clock.Elapsed}");
        }
        finally { s3.Proxy.Faults = null; }
        session.Execute("SET statement_timeout = 'none'");
        Assert.Contains("499500", Text(session.Query("SELECT sum(id) FROM t")));
    }

    [Fact]
    public void A_folder_lake_keeps_its_cold_tier_on_object_storage()
    {
        var options = new S3Options { Endpoint = s3.Proxy.Endpoint, AccessKey = S3Server.AccessKey, SecretKey = S3Server.SecretKey };
        var folder = Path.Combine(_dir.Path, "hot-lake");
        Directory.CreateDirectory(folder);
        Lake Open() => Lake.Open(new LocalStore(folder), bucket => new S3Store(bucket, options));
        using var session = QueryLakeSession.Open(Open());
        session.Execute("SET cache_directory = 'none'");
        session.Execute("CREATE TABLE t AS SELECT i AS id, 'n' || i AS name, [i, 0.5]::FLOAT[2] AS emb FROM range(0, 20000) t(i)");
        session.Execute("INSERT INTO t SELECT i, 'm' || i, [i, 1.5]::FLOAT[2] FROM range(20000, 21000) t(i)");
        const string Query = "SELECT count(*), sum(id), max(name), sum(emb[2]) FROM t";
        var expected = Text(session.Query(Query));
        var archive = $"s3://{S3Server.Bucket}/archive/{Guid.NewGuid():N}";
        session.Execute($"ALTER DATASET t SET TIER COLD LOCATION '{archive}' WHERE id < 20000");
        var fragments = session.Query("SHOW FRAGMENTS t").Rows().ToList();
        Assert.StartsWith(archive + "/t/data/", (string)fragments[0][3]!);
        Assert.Equal("hot", fragments[1][1]);
        Assert.Equal(expected, Text(session.Query(Query)));
        using (var again = QueryLakeSession.Open(Open()))
        {
            again.Execute("SET cache_directory = 'none'");
            Assert.Equal(expected, Text(again.Query(Query)));
            Assert.Equal(Text(session.Query("SELECT * FROM t WHERE id IN (3, 19999, 20500) ORDER BY id")), Text(again.Query("SELECT * FROM t WHERE id IN (3, 19999, 20500) ORDER BY id")));
        }
        using var stored = new S3Store(archive, options);
        Assert.Single(stored.List(""));
        session.Execute("DROP DATASET t");
        Assert.Empty(stored.List(""));
    }

    [Fact]
    public void A_store_that_ignores_conditional_creates_is_refused_for_writing_unless_a_commit_lock_is_named()
    {
        var direct = OpenLake(s3, direct: true);
        using (var session = QueryLakeSession.Open(direct))
        {
            var e = Assert.Throws<QueryLakeException>(() => session.Execute("CREATE TABLE t (a INT)"));
            Assert.Equal("QL-STORE-UNSAFE", e.Code);
            Assert.Empty(direct.ListDatasets());
        }
        // With a lock file every writer names, racing writers all land, one version each.
        var lockFile = Path.Combine(_dir.Path, "commit.lock");
        var prefix = "locked/" + Guid.NewGuid().ToString("N");
        var first = OpenLake(s3, direct: true, commitLock: lockFile, prefix: prefix);
        first.CreateDataset("d", LakeTestData.Scenes);
        const int Writers = 3, Appends = 4;
        var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            var ds = OpenLake(s3, direct: true, commitLock: lockFile, prefix: prefix).OpenDataset("d");
            for (int i = 0; i < Appends; i++) ds.Append(LakeTestData.Batch((w * Appends + i) * 10, 10));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var latest = first.OpenDataset("d").Latest();
        Assert.Equal(1 + Writers * Appends, latest.Version);
        Assert.Equal(Enumerable.Range(0, Writers * Appends * 10).Select(i => (long)i), LakeTestData.Ids(latest.Scan()).Order());
    }

    [Fact]
    public void Transient_faults_are_retried_and_the_results_are_exact()
    {
        var lake = OpenLake(s3);
        using var session = Session(lake);
        session.Execute("SET cache_directory = 'none'");
        var random = new Random(5);
        var faults = new[] { ConditionalPutProxy.Fault.SlowDown, ConditionalPutProxy.Fault.ServerError, ConditionalPutProxy.Fault.Reset, ConditionalPutProxy.Fault.TruncatedBody };
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        s3.Proxy.Faults = (method, path) =>
        {
            ConditionalPutProxy.Fault? f;
            lock (random) f = path.Contains("/lakes/", StringComparison.Ordinal) && random.Next(8) == 0 ? faults[random.Next(faults.Length)] : null;
            log.Enqueue($"{method} {path} {f}");
            return f;
        };
        try
        {
            session.Execute("CREATE TABLE t AS SELECT i AS id, i % 5 AS k FROM range(0, 20000) t(i)");
            for (int round = 0; round < 4; round++) session.Execute($"INSERT INTO t SELECT i, i % 5 FROM range({20000 + round * 100}, {20100 + round * 100}) t(i)");
            try { session.Execute("DELETE FROM t WHERE k = 4"); }
            catch (QueryLakeException e) when (e.Message.Contains("no such object"))
            {
                var id = System.Text.RegularExpressions.Regex.Match(e.Message, "data/([0-9a-f]{32})").Groups[1].Value;
                Assert.Fail(e.Message + "\n" + string.Join("\n", log.Where(l => !l.Contains("GET")).Take(60)));
            }
            var text = Text(session.Query("SELECT count(*), sum(id) FROM t"));
            long n = Enumerable.Range(0, 20400).Count(i => i % 5 != 4), sum = Enumerable.Range(0, 20400).Where(i => i % 5 != 4).Sum(i => (long)i);
            Assert.Contains($"{n}", text);
            Assert.Contains($"{sum}", text);
        }
        finally { s3.Proxy.Faults = null; }
    }

    [Fact]
    public void A_commit_that_cannot_be_published_leaves_the_old_version_and_vacuum_removes_its_files()
    {
        var lake = OpenLake(s3);
        using var session = Session(lake);
        session.Execute("CREATE TABLE t AS SELECT i AS id FROM range(0, 100) t(i)");
        // Every manifest PUT fails from now on (a lasting outage of the commit path).
        s3.Proxy.Faults = (method, path) => method == "PUT" && path.Contains("/_versions/", StringComparison.Ordinal) ? ConditionalPutProxy.Fault.ServerError : null;
        try
        {
            var e = Assert.Throws<QueryLakeException>(() => session.Execute("INSERT INTO t SELECT i FROM range(100, 200) t(i)"));
            Assert.Equal("QL-STORE-FAILED", e.Code);
            Assert.DoesNotContain(S3Server.SecretKey, e.Message);
        }
        finally { s3.Proxy.Faults = null; }
        Assert.Equal(1, lake.OpenDataset("t").LatestVersion);
        Assert.Contains("100", Text(session.Query("SELECT count(*) FROM t")));
        // The data file the failed insert uploaded is named by no version: VACUUM (no grace) removes it.
        var data = Path.Combine(lake.Path, "t", "data");
        Assert.Equal(2, lake.Storage.Files(data).Count);
        session.Execute("SET vacuum_grace = '0s'");
        session.Execute("VACUUM t");
        Assert.Single(lake.Storage.Files(data));
        Assert.Contains("100", Text(session.Query("SELECT count(*) FROM t")));
        // A lake-wide VACUUM also looks for multipart uploads killed writers left (s3rver cannot list them: none found).
        var report = session.Query("VACUUM").Rows().ToList();
        Assert.Contains(report, r => r[0] is null || (string?)r[0] == "(lake)");
        Assert.Contains("100", Text(session.Query("SELECT count(*) FROM t")));
    }
}
