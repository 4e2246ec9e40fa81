using System.Diagnostics;
using System.Globalization;
using System.Net;
using DuckDB.NET.Data;
using Microsoft.Extensions.Hosting;
using QueryLake.Cluster.Hosting;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using QueryLake.Tests.Tpch;

namespace QueryLake.Bench;

/// <summary>
/// The cluster (issue 24) on this machine: TPC-H (the TPC's dbgen and qgen) and a similarity top-k over rows × dims
/// float32 embeddings in 8 fragments, run embedded, on 1 silo and on 3 silos (all in this process, localhost
/// clustering), medians of <c>repeat</c>. On 2 cores this measures the cluster's overhead, not a speed-up. Then a
/// model of time against node count from each fragment's worker stage timed alone: T(n) = the coordinator's time (the
/// 3-silo total less its busiest node's tasks) + the busiest of n nodes' share of the tasks.
/// <c>bench cluster [sf=1] [repeat=3] [work dir] [rows=1000000] [dims=768]</c>
/// </summary>
internal static class ClusterBench
{
    public static void Run(string[] args)
    {
        string sf = args.Length > 0 ? args[0] : "1";
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string root = args.Length > 2 ? args[2] : Path.GetTempPath();
        int rows = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1_000_000;
        int dims = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 768;
        var (data, lake, reused) = TpchBench.Lake(sf, Path.Combine(root, $"ql-tpch-sf{sf}"));
        Console.WriteLine($"# cluster bench — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Limits.CpuModel()}, {Environment.ProcessorCount} cores; memory read {Limits.MemoryReadBytesPerSecondAllCores() / 1e9:F1} GB/s (all cores)");
        Console.WriteLine($"# TPC-H SF{sf} lake {(reused ? "reused" : "loaded")}; silos in this process on loopback; medians of {repeat}");
        var queries = Enumerable.Range(1, 22).Select(q => ($"q{q:D2}", File.ReadAllText(Path.Combine(data, "queries", $"q{q:D2}.sql")))).ToList();
        // The single-machine peer on the same data, in this process: DuckDB, from the same dbgen files.
        using (var duck = new DuckDBConnection("Data Source=:memory:"))
        {
            duck.Open();
            foreach (var (t, _) in TpchFiles.Tables)
            {
                using var load = duck.CreateCommand();
                load.CommandText = $"CREATE TABLE {t} AS SELECT * FROM read_csv('{Path.Combine(data, t + ".csv")}', delim = '|', header = true)";
                load.ExecuteNonQuery();
            }
            Measure("TPC-H", lake, queries, repeat, sql => Median(repeat, () => TpchFiles.DuckDbRows(duck, sql)));
        }

        var vectors = Path.Combine(root, $"ql-cluster-vectors-{rows}x{dims}");
        if (!Directory.Exists(Path.Combine(vectors, "v", "_versions"))) Vectors(vectors, rows, dims);
        var probe = "[" + string.Join(", ", Enumerable.Range(0, dims).Select(i => (((i * 7919) % 201) / 100.0 - 1).ToString("F2", CultureInfo.InvariantCulture))) + "]";
        Measure($"similarity, {rows:N0} x {dims}", vectors, [("top10", $"SELECT id, cosine_distance(embedding, {probe}) AS d FROM v ORDER BY d LIMIT 10"),
            ("top10f", $"SELECT id, cosine_distance(embedding, {probe}) AS d FROM v WHERE id % 10 = 3 ORDER BY d LIMIT 10")], repeat);
    }

    private static void Measure(string title, string lake, List<(string Name, string Sql)> queries, int repeat, Func<string, double>? peer = null)
    {
        Console.WriteLine($"\n## {title}");
        Console.WriteLine($"{"query",-7} {"DuckDB ms",10} {"embedded ms",12} {"1 silo ms",10} {"3 silos ms",11} {"1 silo/emb",11} {"3/1 silos",10} {"3 silos/DuckDB",15}  stages");
        using var embedded = QueryLakeSession.Open(lake);
        var one = Start(lake, 1, "bench-1");
        var three = Start(lake, 3, "bench-3");
        try
        {
            var client1 = QueryLake.Cluster.Hosting.ClusterClient.ConnectAsync([one.Gateways[0]], "bench-1").GetAwaiter().GetResult();
            var client3 = QueryLake.Cluster.Hosting.ClusterClient.ConnectAsync([three.Gateways[0]], "bench-3").GetAwaiter().GetResult();
            var tasks = new List<(string Query, double[][] TaskMs, long Bytes, double Total)>();
            foreach (var (name, sql) in queries)
            {
                double? d = peer?.Invoke(sql);
                double e = Median(repeat, () => embedded.Query(sql).Rows().Count());
                double s1 = Median(repeat, () => client1.QueryAsync(sql).GetAwaiter().GetResult());
                double s3 = Median(repeat, () => client3.QueryAsync(sql).GetAwaiter().GetResult());
                // Each task alone, one after another in this process (the silos' task times overlap on 2 cores, so
                // they overstate what a node of its own would take), by stage; and the bytes each exchange wrote.
                var plan = embedded.PlanDistributed(sql);
                var byStage = plan.Split.Stages.Select(_ => new List<double>()).ToArray();
                long exchanged = 0;
                if (plan.IsCut)
                {
                    var gate = new SemaphoreSlim(1);
                    QueryLake.Execution.Distributed.StageScheduler.Run(embedded, plan, 6, async (work, token) =>
                    {
                        await gate.WaitAsync(token);
                        try
                        {
                            var output = embedded.RunStage(sql, plan.Pins, work, token);
                            lock (byStage) { byStage[work.Stage].Add(output.Milliseconds); exchanged += output.Bytes; }
                            return output;
                        }
                        finally { gate.Release(); }
                    }, default).GetAwaiter().GetResult();
                }
                int taskCount = byStage.Sum(t => t.Count);
                Console.WriteLine($"{name,-7} {(d is { } dm ? (dm * 1e3).ToString("F1", CultureInfo.InvariantCulture) : "—"),10} {e * 1e3,12:F1} {s1 * 1e3,10:F1} {s3 * 1e3,11:F1} {s1 / e,10:F2}x {s3 / s1,9:F2}x {(d is { } dd ? (s3 / dd).ToString("F2", CultureInfo.InvariantCulture) + "x" : "—"),15}  " +
                    (plan.IsCut ? $"{plan.Split.Stages.Count} stages, {taskCount} tasks, {exchanged / 1e6:F1} MB exchanged" : "whole on the coordinator"));
                if (plan.IsCut) tasks.Add((name, byStage.Select(t => t.ToArray()).ToArray(), exchanged, s3 * 1e3));
            }
            // The model: each stage's tasks, timed alone, spread over n nodes largest first (stages one after another),
            // the exchanged bytes over the network (each node sends its share, (n − 1)/n of it to others, at
            // LinkBytesPerSecond), and the coordinator's share (the 3-silo total less the 3-node stage times).
            if (tasks.Count > 0)
            {
                Console.WriteLine($"\nmodel of the cut queries' time against nodes (ms): coordinator + Σ stages' busiest node (tasks timed alone) + exchange at {LinkBytesPerSecond / 1e9:F2} GB/s per node; the measured 3-silo total for reference");
                Console.WriteLine($"{"query",-7} {"3 silos",8} " + string.Join(" ", new[] { 1, 2, 4, 8, 16 }.Select(n => $"{n + " nodes",9}")));
                foreach (var (name, ms, bytes, total) in tasks)
                {
                    double Nodes(int n) => ms.Sum(stage => stage.Length == 0 ? 0 : Busiest(stage, n)) + 1e3 * bytes * (n - 1) / ((double)n * n * LinkBytesPerSecond);
                    double coordinator = Math.Max(0, total - Nodes(3));
                    Console.WriteLine($"{name,-7} {total,8:F1} " + string.Join(" ", new[] { 1, 2, 4, 8, 16 }.Select(n => $"{coordinator + Nodes(n),9:F1}")));
                }
            }
        }
        finally
        {
            foreach (var silo in one.Silos.Concat(three.Silos)) { silo.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult(); silo.Dispose(); }
        }
    }

    /// <summary>A node's network bandwidth in the model: 10 Gbit/s.</summary>
    private const double LinkBytesPerSecond = 1.25e9;

    /// <summary>The largest total of task times one of <paramref name="nodes"/> nodes gets when tasks go, largest first,
    /// to the least loaded node.</summary>
    private static double Busiest(double[] taskMs, int nodes)
    {
        var load = new double[nodes];
        foreach (var t in taskMs.OrderDescending()) load[Array.IndexOf(load, load.Min())] += t;
        return load.Max();
    }

    private static (List<IHost> Silos, List<IPEndPoint> Gateways) Start(string lake, int count, string cluster)
    {
        var silos = new List<IHost>();
        var gateways = new List<IPEndPoint>();
        IPEndPoint? primary = null;
        for (int i = 0; i < count; i++)
        {
            int port = S3rverProcess.FreePort(), gateway = S3rverProcess.FreePort();
            silos.Add(ClusterSilo.StartAsync(new ClusterSiloOptions { Lake = lake, SiloPort = port, GatewayPort = gateway, Primary = primary, ClusterId = cluster }).GetAwaiter().GetResult());
            gateways.Add(new IPEndPoint(IPAddress.Loopback, gateway));
            primary ??= new IPEndPoint(IPAddress.Loopback, port);
        }
        return (silos, gateways);
    }

    /// <summary>The median of <paramref name="repeat"/> timed runs after one warm-up (<see cref="QueryLake.Bench.Measure.MedianSeconds"/>).</summary>
    private static double Median(int repeat, Action run)
    {
        run();
        return QueryLake.Bench.Measure.MedianSeconds(repeat, run);
    }

    /// <summary>rows × dims random float32 embeddings in 8 appends (8 fragments).</summary>
    private static void Vectors(string lake, int rows, int dims)
    {
        using var session = QueryLakeSession.Open(lake);
        var schema = new Schema([new Field("id", DataType.Int64, false), new Field("embedding", new EmbeddingType(dims))]);
        var dataset = session.Lake.CreateDataset("v", schema);
        var rng = new Random(3);
        int perFragment = (rows + 7) / 8;
        for (int start = 0; start < rows; start += perFragment)
        {
            var batches = new List<RecordBatch>();
            for (int b = start; b < Math.Min(rows, start + perFragment); b += 65_536)
            {
                int n = Math.Min(65_536, Math.Min(rows, start + perFragment) - b);
                var ids = new PrimitiveBuilder<long>(DataType.Int64);
                var vectors = new FixedSizeListBuilder(DataType.FixedSizeList(DataType.Float32, dims, nullable: false));
                var v = new float[dims];
                for (int i = 0; i < n; i++)
                {
                    ids.Append(b + i);
                    for (int k = 0; k < dims; k++) v[k] = (float)(rng.NextDouble() * 2 - 1);
                    vectors.Append(v.AsSpan());
                }
                var built = vectors.Build();
                batches.Add(new RecordBatch(schema, [ids.Build(), Columnar.Arrays.ArrowArray.FromData(built.Data.WithType(schema.Fields[1].DataType))], n));
            }
            dataset.Append(batches);
        }
    }
}
