using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using QueryLake.Sessions;
using QueryLake.Storage;
using QueryLake.Storage.Stores;

namespace QueryLake.Bench;

/// <summary>
/// The hub's request pattern: a lake on S3-compatible storage (s3rver on loopback, so this measures requests and bytes,
/// not a network). For a filtered scan, a take of 1,000 random rows and a top-k over embeddings: GET requests and bytes
/// per query next to the bytes the query logically needs (the columns and rows it reads, as stored); time cold (no
/// cache), warm from the local range cache (a new handle, as after a restart) and warm in process. Commit latency, and
/// take throughput from the cold tier (Parquet) against the hot one (Arrow), in a folder lake and on the store. The
/// store's own limit is measured in the same run: one GET of a 64 MiB object. DuckDB runs the same scan and top-k over
/// the same cold Parquet files, locally, as the peer.
/// usage: bench hub [repeat, default 5] [rows, default 200000]
/// </summary>
internal static class HubBench
{
    private const int Dims = 64;

    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        int rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var work = Path.Combine(Path.GetTempPath(), "ql-hub-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "QueryLake.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("run from the repository");
        using var server = new QueryLake.Tests.Support.S3rverProcess(Path.Combine(root, "tests", "oracles", "node_modules", "s3rver", "bin", "s3rver.js"), Path.Combine(work, "s3"), "lake");
        var options = new S3Options { Endpoint = server.Endpoint, AccessKey = "S3RVER", SecretKey = "S3RVER" };
        var lockFile = Path.Combine(work, "commit.lock");
        Lake Remote() => Lake.Open(new LockedCreates(new S3Store("s3://lake/hub", options), lockFile));
        try
        {
            Console.WriteLine($"# hub on object storage — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}; " +
                $"s3rver 3.7.1 on loopback; {rows:N0} rows of (id BIGINT, k INTEGER, label TEXT, emb FLOAT[{Dims}]); medians of {repeat}");
            Console.WriteLine($"# store limit, same run: one GET of a 64 MiB object: {StoreGetBytesPerSecond(options) / 1e6:F0} MB/s");
            var fill = $"CREATE TABLE scenes AS SELECT i AS id, (i % 100)::INTEGER AS k, 'label' || (i % 10) AS label, " +
                $"[{string.Join(", ", Enumerable.Range(0, Dims).Select(j => $"((i * {7919 + 104 * j} + {j * 31}) % 1009) / 1009.0"))}]::FLOAT[{Dims}] AS emb FROM range(0, {rows}) t(i)";
            using (var s = QueryLakeSession.Open(Remote())) s.Execute(fill);
            var local = Path.Combine(work, "local");
            using (var s = QueryLakeSession.Open(local)) s.Execute(fill);

            var probe = string.Join(", ", Enumerable.Range(0, Dims).Select(j => (j % 7 / 7.0).ToString("F3", CultureInfo.InvariantCulture)));
            var random = new Random(42);
            var ids = Enumerable.Range(0, 1000).Select(_ => (long)random.Next(rows)).Distinct().ToList();
            // Row ids of 1,000 random rows, for the take (what the training loader does).
            List<long> takeIds;
            using (var s = QueryLakeSession.Open(local))
            {
                var all = s.Lake.OpenDataset("scenes").Latest().Scan(["id"], withRowId: true)
                    .SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((Columnar.Arrays.PrimitiveArray<long>)b.Columns[^1])[i])).ToList();
                takeIds = ids.Select(i => all[(int)i]).ToList();
            }
            var queries = new (string Name, Action<QueryLakeSession> Run, double NeededBytes)[]
            {
                ("filtered scan (k = 7)", s => s.Query("SELECT count(*), sum(id) FROM scenes WHERE k = 7").Materialize(), rows * 12.0),
                ("WHERE id IN (1,000 ids)", s => s.Query($"SELECT * FROM scenes WHERE id IN ({string.Join(", ", ids)})").Materialize(), rows * 8.0 + ids.Count * (8 + 4 + 10 + 4.0 * Dims)),
                ("take of 1,000 row ids", s => s.Lake.OpenDataset("scenes").Latest().Take(takeIds), ids.Count * (8 + 4 + 10 + 4.0 * Dims)),
                ("take of 32 row ids", s => s.Lake.OpenDataset("scenes").Latest().Take(takeIds.Take(32).ToList()), 32 * (8 + 4 + 10 + 4.0 * Dims)),
                ("top-10 by l2_distance", s => s.Query($"SELECT id FROM scenes ORDER BY l2_distance(emb, [{probe}]::FLOAT[{Dims}]) LIMIT 10").Materialize(), rows * (8 + 4.0 * Dims)),
            };
            var cache = Path.Combine(work, "cache");
            Console.WriteLine();
            Console.WriteLine($"{"query",-26} {"GETs",6} {"MB read",8} {"MB needed",10} {"read/needed",12} {"cold ms",9} {"warm cache ms",14} {"warm cache GETs",16} {"in process ms",14}");
            foreach (var (name, run, needed) in queries)
            {
                long gets = 0, bytes = 0;
                double cold = Measure.Median(repeat, () =>
                {
                    var lake = Remote();
                    using var s = QueryLakeSession.Open(lake);
                    s.Execute("SET cache_directory = 'none'");
                    var counters = ((S3Store)((LockedCreates)lake.Storage.Store).Inner).Counters;
                    long g0 = counters.Gets, b0 = counters.BytesRead;
                    double t = Measure.Seconds(() => run(s));
                    (gets, bytes) = (counters.Gets - g0, counters.BytesRead - b0);
                    return t;
                });
                // Fill the cache once, then each run is a new handle (a restarted process) reading from it.
                using (var s = QueryLakeSession.Open(Remote())) { s.Execute($"SET cache_directory = '{cache}'"); run(s); }
                long warmGets = 0;
                double warm = Measure.Median(repeat, () =>
                {
                    var lake = Remote();
                    using var s = QueryLakeSession.Open(lake);
                    s.Execute($"SET cache_directory = '{cache}'");
                    var counters = ((S3Store)((LockedCreates)lake.Storage.Store).Inner).Counters;
                    long g0 = counters.Gets;
                    double t = Measure.Seconds(() => run(s));
                    warmGets = counters.Gets - g0;
                    return t;
                });
                using var same = QueryLakeSession.Open(Remote());
                same.Execute($"SET cache_directory = '{cache}'");
                run(same);
                double hot = Measure.MedianSeconds(repeat, () => run(same));
                Console.WriteLine($"{name,-26} {gets,6} {bytes / 1e6,8:F2} {needed / 1e6,10:F2} {bytes / needed,12:F2} {cold * 1000,9:F1} {warm * 1000,14:F1} {warmGets,16} {hot * 1000,14:F1}");
            }

            // Commit latency: one-row INSERTs, each its own commit (HEAD and PUT under the commit lock, since s3rver
            // ignores conditional creates), against the same in a folder lake.
            using (var s = QueryLakeSession.Open(Remote()))
            using (var f = QueryLakeSession.Open(local))
            {
                s.Execute("CREATE TABLE commits (id BIGINT)");
                f.Execute("CREATE TABLE commits (id BIGINT)");
                int n = 0;
                double remote = Measure.MedianSeconds(Math.Max(repeat, 20), () => s.Execute($"INSERT INTO commits VALUES ({n++})"));
                double folder = Measure.MedianSeconds(Math.Max(repeat, 20), () => f.Execute($"INSERT INTO commits VALUES ({n++})"));
                Console.WriteLine();
                Console.WriteLine($"commit latency (one-row INSERT): object store {remote * 1000:F1} ms, folder lake {folder * 1000:F1} ms");
            }

            // Take throughput by tier: 1,000 random rows by row id, all columns.
            Console.WriteLine();
            foreach (var (where, open) in new (string, Func<Lake>)[] { ("folder lake", () => Lake.Open(local)), ("object store, warm cache", Remote) })
            {
                var lake = open();
                using var s = QueryLakeSession.Open(lake);
                if (lake.IsRemote) s.Execute($"SET cache_directory = '{cache}'");
                var snapshot = lake.OpenDataset("scenes").Latest();
                var rowIds = snapshot.Scan(["id"], withRowId: true).SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((Columnar.Arrays.PrimitiveArray<long>)b.Columns[^1])[i]))
                    .Where((_, i) => i % (rows / 1000) == 0).Take(1000).ToList();
                var order = rowIds.OrderBy(_ => random.Next()).ToList();
                // Each take opens the lake afresh (a new process's first take): the files are opened, verified and decoded.
                double hotTake = Measure.MedianSeconds(repeat, () => open().OpenDataset("scenes").Latest().Take(order));
                s.Execute("ALTER DATASET scenes SET TIER COLD");
                var coldIds = lake.OpenDataset("scenes").Latest().Scan(["id"], withRowId: true).SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((Columnar.Arrays.PrimitiveArray<long>)b.Columns[^1])[i]))
                    .Where((_, i) => i % (rows / 1000) == 0).Take(1000).OrderBy(_ => random.Next()).ToList();
                lake.OpenDataset("scenes").Latest().Take(coldIds);
                double coldTake = Measure.MedianSeconds(repeat, () => open().OpenDataset("scenes").Latest().Take(coldIds));
                long coldBytes = s.Query("SHOW FRAGMENTS scenes").Rows().Sum(r => (long)r[4]!);
                Console.WriteLine($"take 1,000 random rows from a new handle, {where}: hot (Arrow) {1000 / hotTake:N0} rows/s, cold (Parquet zstd) {1000 / coldTake:N0} rows/s; cold takes {coldTake / hotTake:F1}x the time; cold files {coldBytes / 1e6:F1} MB");
                s.Execute("ALTER DATASET scenes SET TIER HOT");
            }

            // The peer: DuckDB over the same cold Parquet files, locally (it cannot reach the store: no httpfs offline).
            using (var s = QueryLakeSession.Open(local))
            {
                s.Execute("ALTER DATASET scenes SET TIER COLD");
                var files = string.Join(", ", s.Query("SHOW FRAGMENTS scenes").Rows().Select(r => $"'{r[3]}'"));
                using var duck = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
                duck.Open();
                using var cmd = duck.CreateCommand();
                Console.WriteLine();
                foreach (var (name, ours, theirs) in new[]
                {
                    ("filtered scan (k = 7)", "SELECT count(*), sum(id) FROM scenes WHERE k = 7", $"SELECT count(*), sum(id) FROM read_parquet([{files}]) WHERE k = 7"),
                    ("top-10 by l2_distance", $"SELECT id FROM scenes ORDER BY l2_distance(emb, [{probe}]::FLOAT[{Dims}]) LIMIT 10",
                        $"SELECT id FROM read_parquet([{files}]) ORDER BY array_distance(emb::FLOAT[{Dims}], [{probe}]::FLOAT[{Dims}]) LIMIT 10"),
                })
                {
                    var (q, d) = Measure.MedianSecondsInTurns(repeat, () => s.Query(ours).Materialize(), () => { cmd.CommandText = theirs; using var r = cmd.ExecuteReader(); while (r.Read()) { } });
                    Console.WriteLine($"cold Parquet, folder lake, {name,-24} QueryLake {q * 1000,7:F1} ms, DuckDB {d * 1000,7:F1} ms, ratio {q / d:F2}");
                }
            }
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    /// <summary>The store's own rate: one GET of a 64 MiB object (median of 3), the ceiling for any read through it.</summary>
    private static double StoreGetBytesPerSecond(S3Options options)
    {
        using var store = new S3Store("s3://lake/limit", options);
        var blob = new byte[64 << 20];
        new Random(1).NextBytes(blob);
        store.Write("blob", blob);
        return blob.Length / Measure.MedianSeconds(3, () => store.ReadAll("blob"));
    }

}
