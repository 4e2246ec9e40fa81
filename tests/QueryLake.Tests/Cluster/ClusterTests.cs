using System.Globalization;
using System.Net;
using Microsoft.Extensions.Hosting;
using QueryLake.Cluster.Execution;
using QueryLake.Cluster.Grains;
using QueryLake.Cluster.Hosting;
using QueryLake.Columnar;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>Three Orleans silos in this process, on loopback ports, over one lake folder: a client connected to their
/// gateways, and the lake's data written by an embedded session.</summary>
public sealed class ThreeSilos : IAsyncLifetime
{
    public TempDir Dir { get; } = new();
    public List<IHost> Silos { get; } = [];
    public List<IPEndPoint> Gateways { get; } = [];
    public ClusterClient Client { get; private set; } = null!;
    public QueryLakeSession Embedded { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Embedded = QueryLakeSession.Open(Dir.File("lake"));
        var rng = new Random(9);
        Embedded.Execute("CREATE DATASET t (id BIGINT, g VARCHAR, x DOUBLE, n BIGINT, e EMBEDDING(4))");
        // Eight appends: eight fragments to spread over the silos.
        for (int f = 0; f < 8; f++)
            Embedded.Execute("INSERT INTO t VALUES " + string.Join(", ", Enumerable.Range(f * 250, 250).Select(i =>
                $"({i}, '{"abcde"[i % 5]}', {(rng.NextDouble() * 10).ToString("F4", CultureInfo.InvariantCulture)}, {(i % 9 == 0 ? "NULL" : (i % 17).ToString(CultureInfo.InvariantCulture))}, " +
                $"[{rng.Next(-3, 4)}, {rng.Next(-3, 4)}, {rng.Next(-3, 4)}, {rng.Next(-3, 4)}])")));
        Embedded.Execute("CREATE DATASET names AS SELECT * FROM (VALUES ('a', 'alpha'), ('b', 'beta')) v(g, name)");
        Silos.AddRange(await Start(Dir.File("lake"), 3));
        Gateways.AddRange(Silos.Select(s => Endpoint(s)));
        Client = await ClusterClient.ConnectAsync(Gateways, ClusterIdOf(Dir.File("lake")));
    }

    /// <summary>Starts <paramref name="count"/> silos over <paramref name="lake"/>, the first as the primary.</summary>
    public static async Task<List<IHost>> Start(string lake, int count)
    {
        var silos = new List<IHost>();
        IPEndPoint? primary = null;
        for (int i = 0; i < count; i++)
        {
            int port = S3rverProcess.FreePort();
            var options = new ClusterSiloOptions
            {
                Lake = lake, SiloPort = port, GatewayPort = S3rverProcess.FreePort(), Primary = primary,
                ClusterId = ClusterIdOf(lake), FailureDetection = TimeSpan.FromSeconds(1),
            };
            silos.Add(await ClusterSilo.StartAsync(options));
            Ports[silos[^1]] = options.GatewayPort;
            primary ??= new IPEndPoint(IPAddress.Loopback, port);
        }
        return silos;
    }

    private static readonly Dictionary<IHost, int> Ports = [];

    /// <summary>The cluster's name for a test lake: its temporary folder's.</summary>
    public static string ClusterIdOf(string lake) => "test-" + Path.GetFileName(Path.GetDirectoryName(lake));

    public static IPEndPoint Endpoint(IHost silo) => new(IPAddress.Loopback, Ports[silo]);

    /// <summary>Stops <paramref name="silos"/> at once (ungracefully, as a test's end needs) and disposes them.</summary>
    public static async Task StopAll(IEnumerable<IHost> silos)
    {
        foreach (var silo in silos)
        {
            try { await silo.StopAsync(new CancellationToken(canceled: true)); } catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
            silo.Dispose();
        }
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        foreach (var silo in Silos)
        {
            try { await silo.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
            silo.Dispose();
        }
        Embedded.Dispose();
        Dir.Dispose();
    }
}

/// <summary>
/// Distributed queries on three silos equal the embedded results: scans, filters, projections, grouped and global
/// aggregates (partial on the workers), top-k and similarity top-k, sorts and aggregates the coordinator finishes,
/// and a join that runs whole on the coordinator; the fragments' tasks spread over the silos. A silo killed while it
/// holds tasks: the query completes on the survivors, with the same result.
/// </summary>
public sealed class ClusterTests(ThreeSilos cluster) : IClassFixture<ThreeSilos>
{
    public static TheoryData<string> Queries => new()
    {
        "SELECT id, g, x * 2 AS y FROM t WHERE n > 10",
        "SELECT g, count(*) AS c, count(n) AS cn, sum(n) AS s, min(x) AS lo, max(x) AS hi FROM t GROUP BY g ORDER BY g",
        "SELECT count(*), sum(n), min(id), max(id) FROM t",
        "SELECT count(*), sum(n) FROM t WHERE id < 0",
        "SELECT id, x FROM t ORDER BY x DESC, id LIMIT 7 OFFSET 3",
        "SELECT id, cosine_distance(e, [1.0, 0.5, 0.0, -1.0]) AS d FROM t ORDER BY d, id LIMIT 10",
        "SELECT g, avg(x) AS a FROM t GROUP BY g ORDER BY g",
        "SELECT * FROM t LIMIT 5",
        "SELECT t.g, name, count(*) AS c FROM t JOIN names ON t.g = names.g GROUP BY ALL ORDER BY 1",
        "SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY x, id) AS r, avg(x) OVER (PARTITION BY g) AS a FROM t WHERE id % 3 = 0 ORDER BY id",
    };

    private static List<string> Show(IEnumerable<RecordBatch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => string.Join("|", b.Columns.Select(c => c.GetValue(r) switch
        {
            null => "NULL",
            double v => v.ToString("G12", CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToHexString(bytes),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        })))).ToList();

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_distributed_query_equals_the_embedded_one(string sql)
    {
        var expected = cluster.Embedded.Query(sql).Materialize();
        var (schema, batches, stages) = await cluster.Client.QueryAsync(sql);
        Assert.Equal(expected.Schema.Fields.Select(f => f.Name), schema.Fields.Select(f => f.Name));
        Assert.Equal(Show(expected), Show(batches));
        Assert.NotEmpty(stages);
    }

    [Fact]
    public async Task A_join_filter_crosses_the_silos_and_keeps_the_result()
    {
        const string Sql = "SELECT count(*) AS c, sum(a.x) AS s, min(b.g) AS g FROM t a JOIN t b ON a.id = b.id WHERE b.n = 3 AND b.id % 5 = 0";
        var expected = Show(cluster.Embedded.Query(Sql).Materialize());
        // Every side partitioned: the big side's tasks, on all silos, receive the filter the other side's tasks built.
        var (_, batches, stages) = await cluster.Client.QueryAsync(Sql, new QuerySettings(null, 0, 0));
        Assert.Equal(expected, Show(batches));
        var filtered = stages.Single(s => s.Contains("rows without a key of stage", StringComparison.Ordinal));
        long rows = long.Parse(filtered.Split(" tasks, ")[1].Split(" rows")[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.True(rows < 200, filtered);
        var (_, off, offStages) = await cluster.Client.QueryAsync(Sql, new QuerySettings(null, 0, 0, JoinFilters: false));
        Assert.Equal(expected, Show(off));
        Assert.DoesNotContain(offStages, s => s.Contains("join filter", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_large_fragment_is_read_by_row_range_tasks_on_several_silos()
    {
        // One fragment of three batches (65,536 rows at most each).
        cluster.Embedded.Execute("CREATE DATASET ranged AS SELECT range AS k, range % 11 AS m FROM range(140000)");
        const string Sql = "SELECT m, count(*) AS c, sum(k) AS s, min(k) AS lo FROM ranged GROUP BY m ORDER BY m";
        var expected = Show(cluster.Embedded.Query(Sql).Materialize());
        var (_, batches, stages) = await cluster.Client.QueryAsync(Sql, new QuerySettings(null, 100_000, 50_000, true, 65_536));
        Assert.Equal(expected, Show(batches));
        var tasks = stages.Where(s => s.StartsWith("  fragments [0] batches ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["0–0", "1–1", "2–2"], tasks.Select(t => t.Split(" batches ")[1].Split(" on ")[0]));
    }

    [Fact]
    public async Task Tasks_spread_over_the_silos_by_fragment()
    {
        var (_, _, stages) = await cluster.Client.QueryAsync("SELECT g, count(*) FROM t GROUP BY g");
        Assert.StartsWith("stage 0 on the workers: scan of t, partial aggregate, one task per fragment of t@", stages[0]);
        var silos = stages.Where(s => s.StartsWith("  fragments", StringComparison.Ordinal)).Select(s => s.Split(" on ")[1].Split(": ")[0]).ToList();
        Assert.Equal(8, silos.Count);
        Assert.True(silos.Distinct().Count() >= 2, string.Join("\n", stages));
        // The same fragment goes to the same silo next time (its caches).
        var (_, _, again) = await cluster.Client.QueryAsync("SELECT g, count(*) FROM t GROUP BY g");
        Assert.Equal(silos, again.Where(s => s.StartsWith("  fragments", StringComparison.Ordinal)).Select(s => s.Split(" on ")[1].Split(": ")[0]).ToList());
    }

    [Fact]
    public async Task Add_column_as_runs_a_task_per_fragment_and_commits_once()
    {
        cluster.Embedded.Execute("CREATE DATASET w (id BIGINT, x DOUBLE)");
        for (int f = 0; f < 5; f++) cluster.Embedded.Execute($"INSERT INTO w SELECT range + {f * 40}, range * 0.5 FROM range(40)");
        cluster.Embedded.Execute("DELETE FROM w WHERE id % 9 = 0");
        long before = cluster.Embedded.Lake.OpenDataset("w").LatestVersion;
        var (_, batches, stages) = await cluster.Client.QueryAsync("ALTER DATASET w ADD COLUMN y AS x * 2 + id");
        Assert.Contains("added column y", batches.Single().Columns[0].GetValue(0)?.ToString());
        Assert.Equal(5, stages.Count(l => l.StartsWith("  fragments", StringComparison.Ordinal)));
        Assert.True(stages.Select(l => l.Split(" on ").ElementAtOrDefault(1)?.Split(": ")[0]).Where(x => x is not null).Distinct().Count() >= 2, string.Join("\n", stages));
        // One new version, the same values as the embedded expression, and the column derived for later appends.
        var ds = cluster.Embedded.Lake.OpenDataset("w");
        Assert.Equal(before + 1, ds.LatestVersion);
        Assert.Equal(cluster.Embedded.Query("SELECT id, x * 2 + id FROM w ORDER BY id").Rows().Select(r => $"{r[0]}|{r[1]}"),
            cluster.Embedded.Query("SELECT id, y FROM w ORDER BY id").Rows().Select(r => $"{r[0]}|{r[1]}"));
        cluster.Embedded.Execute("INSERT INTO w (id, x) VALUES (1000, 1.5)");
        Assert.Equal(1003.0, cluster.Embedded.Query("SELECT y FROM w WHERE id = 1000").Rows().Single()[0]);
        var e = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync("ALTER DATASET w ADD COLUMN y AS x"));
        Assert.Equal("QL-COLUMN-EXISTS", e.Code);
    }

    [Fact]
    public async Task Import_files_reads_on_the_workers_and_commits_once()
    {
        var folder = cluster.Dir.File("incoming");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 37; i++) File.WriteAllText(Path.Combine(folder, $"doc{i:D2}.txt"), new string((char)('a' + i % 26), i * 13));
        var (_, batches, stages) = await cluster.Client.QueryAsync($"IMPORT FILES '{folder}/*.txt' INTO docs");
        Assert.Equal(37L, batches.Single().Columns[0].GetValue(0));
        var tasks = stages.Where(l => l.StartsWith("  files ", StringComparison.Ordinal)).ToList();
        Assert.True(tasks.Count > 1, string.Join("\n", stages));
        Assert.True(tasks.Select(l => l.Split(" on ")[1].Split(": ")[0]).Distinct().Count() >= 2, string.Join("\n", stages));
        // The same rows as an embedded IMPORT FILES, in one commit after the dataset's creation.
        cluster.Embedded.Execute($"IMPORT FILES '{folder}/*.txt' INTO docs_here");
        const string Rows = "SELECT path, size, kind, format, error, content FROM {0} ORDER BY path";
        Assert.Equal(Show(cluster.Embedded.Query(string.Format(CultureInfo.InvariantCulture, Rows, "docs_here")).Materialize()),
            Show(cluster.Embedded.Query(string.Format(CultureInfo.InvariantCulture, Rows, "docs")).Materialize()));
        long version = cluster.Embedded.Lake.OpenDataset("docs").LatestVersion;
        // Again, into the existing dataset: one more version with the files again.
        await cluster.Client.QueryAsync($"IMPORT FILES '{folder}/doc1*.txt' INTO docs");
        Assert.Equal(version + 1, cluster.Embedded.Lake.OpenDataset("docs").LatestVersion);
        Assert.Equal(47L, cluster.Embedded.Query("SELECT count(*) FROM docs").Rows().Single()[0]);
    }

    [Fact]
    public async Task A_failed_import_commits_nothing_and_leaves_no_new_dataset()
    {
        var folder = cluster.Dir.File("failing");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 12; i++) File.WriteAllText(Path.Combine(folder, $"f{i}.bin"), $"payload {i}");
        var missing = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync($"IMPORT FILES '{folder}/*.none' INTO nothing"));
        Assert.Equal("QL-FILE-NOT-FOUND", missing.Code);
        // Every attempt at one chunk fails (a worker that keeps dying): the import fails, and the dataset it created goes.
        StageWorker.BeforeRun[cluster.Dir.File("lake")] = (task, _, _) => task.Files is not null && task.Task == 1 ? throw new IOException("the disk went away") : Task.CompletedTask;
        try
        {
            var e = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync($"IMPORT FILES '{folder}/*.bin' INTO failed"));
            Assert.Equal("QL-CLUSTER-FAILED", e.Code);
            Assert.Contains("files 1 of stage 0 failed on 4 silos", e.Message);
        }
        finally { StageWorker.BeforeRun.TryRemove(cluster.Dir.File("lake"), out _); }
        Assert.False(cluster.Embedded.Lake.DatasetExists("failed"));
        Assert.False(cluster.Embedded.Lake.DatasetExists("nothing"));
    }

    [Fact]
    public async Task Copy_shards_are_written_by_the_workers_and_appear_together()
    {
        string target = cluster.Dir.File("shards");
        const string Query = "SELECT id, g, x FROM t WHERE n > 3";
        var (_, batches, stages) = await cluster.Client.QueryAsync($"COPY ({Query}) TO '{target}' (FORMAT parquet, SHARDS 3)");
        var expected = cluster.Embedded.Query($"{Query} ORDER BY id").Materialize();
        Assert.Equal((long)expected.Batches.Sum(b => b.Length), batches.Single().Columns[0].GetValue(0));
        Assert.Equal(["part-00000-of-00003.parquet", "part-00001-of-00003.parquet", "part-00002-of-00003.parquet"],
            Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Show(expected), Show(cluster.Embedded.Query($"SELECT id, g, x FROM read_parquet('{target}/*.parquet') ORDER BY id").Materialize()));
        // Dealt round-robin by every task from its own offset: the shards are even to within the task count.
        var sizes = Enumerable.Range(0, 3).Select(k => (long)cluster.Embedded.Query($"SELECT count(*) FROM read_parquet('{target}/part-0000{k}-of-00003.parquet')").Rows().Single()[0]!).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 8, string.Join(", ", sizes));
        Assert.Equal(3, stages.Count(l => l.StartsWith("  shard ", StringComparison.Ordinal)));
        // Its lineage: the query, the version read, the shards, and a hash of its rows in no order, which the query run
        // again embedded at that version matches.
        var lineage = cluster.Embedded.Query($"SHOW LINEAGE '{target}'").Rows().Single();
        Assert.Equal("export (parquet, 3 shards)", lineage[0]);
        Assert.Equal(Query, lineage[2]);
        Assert.Equal("t", lineage[3]);
        Assert.StartsWith("m1:", (string)lineage[8]!);
        Assert.Equal(lineage[8], lineage[9]);
        Assert.Equal(true, lineage[10]);
        // Rows in an order only the coordinator knows: it writes the shards itself, byte for byte as embedded, and
        // records the same lineage hash as an embedded COPY.
        string sorted = cluster.Dir.File("sorted"), here = cluster.Dir.File("sorted-here");
        await cluster.Client.QueryAsync($"COPY (SELECT id, x FROM t ORDER BY x DESC, id) TO '{sorted}' (FORMAT csv, SHARDS 2)");
        cluster.Embedded.Execute($"COPY (SELECT id, x FROM t ORDER BY x DESC, id) TO '{here}' (FORMAT csv, SHARDS 2)");
        foreach (var name in new[] { "part-00000-of-00002.csv", "part-00001-of-00002.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(here, name)), File.ReadAllBytes(Path.Combine(sorted, name)));
        Assert.Equal(cluster.Embedded.Query($"SHOW LINEAGE '{here}'").Rows().Single()[8], cluster.Embedded.Query($"SHOW LINEAGE '{sorted}'").Rows().Single()[8]);
        var shuffle = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync($"COPY (SELECT id FROM t) TO '{cluster.Dir.File("s")}' (SHARDS 2, SHUFFLE SEED 1)"));
        Assert.Equal("QL-CLUSTER-UNSUPPORTED", shuffle.Code);
        var inLake = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync($"COPY (SELECT id FROM t) TO '{cluster.Dir.File("lake")}/x' (SHARDS 2)"));
        Assert.Equal("QL-TARGET-IN-LAKE", inLake.Code);
    }

    [Fact]
    public async Task A_failed_copy_leaves_no_shard_behind()
    {
        string target = cluster.Dir.File("never");
        StageWorker.BeforeRun[cluster.Dir.File("lake")] = (task, _, _) => task.CopyShard && task.Partition == 1 ? throw new IOException("the disk is full") : Task.CompletedTask;
        try
        {
            var e = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync($"COPY (SELECT id, x FROM t) TO '{target}' (FORMAT arrow, SHARDS 3)"));
            Assert.Equal("QL-CLUSTER-FAILED", e.Code);
        }
        finally { StageWorker.BeforeRun.TryRemove(cluster.Dir.File("lake"), out _); }
        // The shards that were written stay pending and are removed: none appears.
        Assert.Empty(Directory.Exists(target) ? Directory.GetFiles(target) : []);
    }

    [Fact]
    public async Task A_grouped_split_s_parts_read_on_the_cluster_equal_the_embedded_ones()
    {
        cluster.Embedded.Execute("CREATE SPLIT by_g FROM (SELECT * FROM t) INTO train 70 PERCENT, holdout 30 PERCENT GROUP BY n SEED 11");
        foreach (var sql in new[]
        {
            "SELECT n, count(*) AS c, sum(id) AS s FROM by_g.train GROUP BY n ORDER BY n NULLS FIRST",
            "SELECT count(*) AS c, min(id) AS lo, max(id) AS hi FROM by_g.holdout",
            "SELECT h.id, names.name FROM by_g.holdout h JOIN names ON h.g = names.g ORDER BY h.id",
        })
        {
            // A split's part is its query's rows filtered by the stored assignments, made when the query is bound: the
            // coordinator reads it, and whatever else the query reads runs on the workers.
            var (_, batches, _) = await cluster.Client.QueryAsync(sql);
            Assert.Equal(Show(cluster.Embedded.Query(sql).Materialize()), Show(batches));
        }
        // No group straddles the parts, read on the cluster.
        var (_, both, _) = await cluster.Client.QueryAsync("SELECT count(*) FROM (SELECT DISTINCT n FROM by_g.train) a JOIN (SELECT DISTINCT n FROM by_g.holdout) b ON a.n = b.n");
        Assert.Equal(0L, both.Single().Columns[0].GetValue(0));
    }

    [Fact]
    public async Task An_engine_error_comes_back_with_its_code()
    {
        var e = await Assert.ThrowsAsync<Errors.QueryLakeException>(() => cluster.Client.QueryAsync("SELECT nope FROM t"));
        Assert.StartsWith("QL-", e.Code);
        Assert.Contains("nope", e.Message);
    }
}

/// <summary>A silo killed while it runs tasks: they run again on the survivors and the query's result is exact.</summary>
public sealed class ClusterFailureTests
{
    [Theory]
    [InlineData("SELECT n, count(*) AS c FROM t GROUP BY n ORDER BY n", false)]
    [InlineData("SELECT a.n, count(*) AS c, sum(b.id) AS s FROM t a JOIN t b ON a.id = b.id + 1 GROUP BY a.n ORDER BY a.n", true)]
    public async Task A_silo_killed_mid_query_has_its_tasks_rerun_elsewhere(string sql, bool inExchange)
    {
        using var dir = new TempDir();
        using (var s = QueryLakeSession.Open(dir.File("lake")))
        {
            s.Execute("CREATE DATASET t (id BIGINT, n BIGINT)");
            for (int f = 0; f < 9; f++) s.Execute($"INSERT INTO t SELECT range + {f * 100}, range % 7 FROM range(100)");
        }
        var silos = await ThreeSilos.Start(dir.File("lake"), 3);
        // The victim: the first silo other than the coordinator's (the client's gateway) that gets a task (of the join's
        // stage, which reads the exchange, when inExchange).
        IHost? victim = null;
        await using var client = await ClusterClient.ConnectAsync([ThreeSilos.Endpoint(silos[0])], ThreeSilos.ClusterIdOf(dir.File("lake")));
        DistributedQuery.TaskTimeout = TimeSpan.FromSeconds(20);
        var killed = new TaskCompletionSource();
        string? victimAddress = null;
        string blocked = "";
        try
        {
            StageWorker.BeforeRun[dir.File("lake")] = async (task, where, unused) =>
            {
                var host = silos.Skip(1).FirstOrDefault(h => where.Contains($":{PortOf(h)}:", StringComparison.Ordinal));
                bool first;
                lock (silos)
                {
                    first = host is not null && task.Attempt == 0 && victimAddress is null && (task.Partition >= 0) == inExchange;
                    if (first) victimAddress = where;
                }
                if (first)
                {
                    victim = host!;
                    blocked = inExchange ? $"partition {task.Partition}" : $"fragments [{task.Fragments[0]}]";
                    _ = Task.Run(async () =>
                    {
                        await victim.StopAsync(new CancellationToken(canceled: true)).ContinueWith(_ => { }, TaskScheduler.Default);
                        killed.TrySetResult();
                    });
                    await Task.Delay(TimeSpan.FromSeconds(60));
                    // The victim's task never runs: later tests (those that measure the process's memory) must not see it.
                    throw new IOException("the killed silo's task does not run");
                }
            };
            // Small as the join's sides are, they are partitioned, not broadcast: the client's settings say so.
            var (_, batches, stages) = await client.QueryAsync(sql, inExchange ? new QuerySettings(null, 0, 50_000) : null);
            Assert.Equal(7, Show(batches).Count);
            using var embedded = QueryLakeSession.Open(dir.File("lake"));
            Assert.Equal(Show(embedded.Query(sql).Materialize()), Show(batches));
            Assert.NotNull(victimAddress);
            {
                Assert.True(killed.Task.IsCompleted);
                // The task the victim held ran again on a survivor.
                var line = stages.Single(s => s.StartsWith($"  {blocked} ", StringComparison.Ordinal));
                Assert.Contains(", attempt ", line);
                Assert.DoesNotContain(victimAddress, line);
            }
            // The exchange files, the failed attempt's included, are gone with the query.
            var exchange = Path.Combine(dir.File("lake"), "_exchange");
            Assert.False(Directory.Exists(exchange) && Directory.EnumerateFiles(exchange, "*", SearchOption.AllDirectories).Any());
        }
        finally
        {
            StageWorker.BeforeRun.TryRemove(dir.File("lake"), out _);
            DistributedQuery.TaskTimeout = TimeSpan.FromMinutes(5);
            await ThreeSilos.StopAll(silos);
        }
    }

    [Fact]
    public async Task A_silo_killed_mid_write_leaves_one_commit_with_every_fragment_s_file()
    {
        using var dir = new TempDir();
        using (var s = QueryLakeSession.Open(dir.File("lake")))
        {
            s.Execute("CREATE DATASET t (id BIGINT)");
            for (int f = 0; f < 9; f++) s.Execute($"INSERT INTO t SELECT range + {f * 10} FROM range(10)");
        }
        long before;
        using (var s = QueryLakeSession.Open(dir.File("lake"))) before = s.Lake.OpenDataset("t").LatestVersion;
        var silos = await ThreeSilos.Start(dir.File("lake"), 3);
        DistributedQuery.TaskTimeout = TimeSpan.FromSeconds(20);
        string? victimAddress = null;
        try
        {
            StageWorker.BeforeRun[dir.File("lake")] = async (task, where, unused) =>
            {
                var host = silos.Skip(1).FirstOrDefault(h => where.Contains($":{PortOf(h)}:", StringComparison.Ordinal));
                bool first;
                lock (silos) { first = host is not null && task.Attempt == 0 && victimAddress is null; if (first) victimAddress = where; }
                if (first)
                {
                    _ = Task.Run(() => host!.StopAsync(new CancellationToken(canceled: true)).ContinueWith(_ => { }, TaskScheduler.Default));
                    await Task.Delay(TimeSpan.FromSeconds(60));
                    // The victim's task never runs: later tests (those that measure the process's memory) must not see it.
                    throw new IOException("the killed silo's task does not run");
                }
            };
            await using var client = await ClusterClient.ConnectAsync([ThreeSilos.Endpoint(silos[0])], ThreeSilos.ClusterIdOf(dir.File("lake")));
            var (_, _, stages) = await client.QueryAsync("ALTER DATASET t ADD COLUMN twice AS id * 2");
            Assert.NotNull(victimAddress);
            Assert.Contains(stages, l => l.Contains(", attempt ", StringComparison.Ordinal));
            using var embedded = QueryLakeSession.Open(dir.File("lake"));
            var ds = embedded.Lake.OpenDataset("t");
            Assert.Equal(before + 1, ds.LatestVersion);
            Assert.Equal(0L, embedded.Query("SELECT count(*) FROM t WHERE twice IS DISTINCT FROM id * 2").Rows().Single()[0]);
            // Each fragment names exactly one file of the new column: nothing was committed twice.
            Assert.All(ds.Latest().Manifest.Fragments, f => Assert.Equal(2, f.Files.Count));
        }
        finally
        {
            StageWorker.BeforeRun.TryRemove(dir.File("lake"), out _);
            DistributedQuery.TaskTimeout = TimeSpan.FromMinutes(5);
            await ThreeSilos.StopAll(silos);
        }
    }

    [Fact]
    public async Task A_client_timeout_cancels_the_query_on_the_silos()
    {
        using var dir = new TempDir();
        using (var s = QueryLakeSession.Open(dir.File("lake")))
        {
            s.Execute("CREATE DATASET t (id BIGINT)");
            for (int f = 0; f < 3; f++) s.Execute($"INSERT INTO t SELECT range FROM range({f * 10}, {f * 10 + 10})");
        }
        var silos = await ThreeSilos.Start(dir.File("lake"), 2);
        int cancelled = 0;
        try
        {
            // Every task waits a minute unless cancelled.
            StageWorker.BeforeRun[dir.File("lake")] = async (_, _, cancel) =>
            {
                try { await Task.Delay(TimeSpan.FromSeconds(60), cancel); }
                catch (OperationCanceledException) { Interlocked.Increment(ref cancelled); throw; }
            };
            using var session = QueryLake.Cluster.Hosting.ClusterSession.Open($"cluster://127.0.0.1:{ThreeSilos.Endpoint(silos[0]).Port}?cluster={ThreeSilos.ClusterIdOf(dir.File("lake"))}");
            session.Execute("SET statement_timeout = '2s'");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.ThrowsAny<Errors.QueryLakeException>(() => session.Query("SELECT count(*) FROM t").Rows().ToList());
            Assert.Equal("QL-TIMEOUT", e.Code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed}");
            // The tasks on the silos were cancelled, not left to run out their minute.
            for (int i = 0; i < 50 && Volatile.Read(ref cancelled) < 3; i++) await Task.Delay(100);
            Assert.Equal(3, Volatile.Read(ref cancelled));
        }
        finally
        {
            StageWorker.BeforeRun.TryRemove(dir.File("lake"), out _);
            await ThreeSilos.StopAll(silos);
        }
    }

    private static int PortOf(IHost silo) => silo.Services.GetService(typeof(Orleans.Runtime.ILocalSiloDetails)) is Orleans.Runtime.ILocalSiloDetails d ? d.SiloAddress.Endpoint.Port : -1;

    private static List<string> Show(IEnumerable<RecordBatch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => string.Join("|", b.Columns.Select(c => Convert.ToString(c.GetValue(r), CultureInfo.InvariantCulture))))).ToList();
}
