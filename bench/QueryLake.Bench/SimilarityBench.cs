using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Ipc;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// The similarity benchmark: brute-force top-10 cosine over 1M × 128-d and 100k × 768-d float32 embeddings, without
/// a filter and with a 10% filter, in QueryLake next to DuckDB (array_cosine_similarity … ORDER BY … LIMIT 10) and
/// LanceDB (flat search) on the same vectors in the same run; queries per second, and GB/s of vectors scanned next to
/// the memory read bandwidth measured in the same run; for the filtered searches also next to the bandwidth of reading
/// every tenth row (the pattern a filtered scan reads its kept vectors in). Both limits are measured again right before
/// each workload is timed, since the shared machine's speed drifts over minutes. Then import throughput for 10,000
/// PNG files.
/// usage: similarity [repeat] [scale]   (scale &lt; 1 shrinks every workload, for a quick check)
/// </summary>
internal static class SimilarityBench
{
    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        double scale = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
        var work = Path.Combine(Path.GetTempPath(), "ql-simbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            double oneCore = Limits.MemoryReadBytesPerSecond(), allCores = Limits.MemoryReadBytesPerSecondAllCores();
            Console.WriteLine($"# Similarity top-10: QueryLake vs DuckDB vs LanceDB (flat) — median of {repeat} × 5 probes, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            Console.WriteLine($"limit  memory read, 1 core {oneCore / 1e9:F2} GB/s, all {Environment.ProcessorCount} cores {allCores / 1e9:F2} GB/s");
            Console.WriteLine("per workload, measured right before it: mem = all cores reading in sequence; pick = all cores reading every 10th row whole");
            Console.WriteLine($"{"workload",-28} {"QL ms",8} {"QL q/s",8} {"QL GB/s",8} {"mem GB/s",9} {"% mem",6} {"pick GB/s",10} {"% pick",7} {"DuckDB ms",10} {"QL/Duck",8} {"Lance ms",9} {"QL/Lance",9} {"same top-10",12}");
            foreach (var (rows, dim) in new[] { (1_000_000, 128), (100_000, 768) })
                Workload(work, (int)(rows * scale), dim, repeat);
            Import(work, (int)(10_000 * scale));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Workload(string work, int rows, int dim, int repeat)
    {
        var rng = new Random(dim);
        var fileSchema = new Schema([new Field("id", DataType.Int64, false), new Field("vector", DataType.FixedSizeList(DataType.Float32, dim, nullable: false))]);
        var lakeSchema = new Schema([new Field("id", DataType.Int64, false), new Field("embedding", new EmbeddingType(dim))]);
        var batches = new List<RecordBatch>();
        for (int start = 0; start < rows; start += 65_536)
        {
            int n = Math.Min(65_536, rows - start);
            var ids = new PrimitiveBuilder<long>(DataType.Int64);
            var vectors = new FixedSizeListBuilder(fileSchema.Fields[1].DataType);
            var v = new float[dim];
            for (int i = 0; i < n; i++)
            {
                ids.Append(start + i);
                for (int k = 0; k < dim; k++) v[k] = (float)(rng.NextDouble() * 2 - 1);
                vectors.Append(v.AsSpan());
            }
            batches.Add(new RecordBatch(fileSchema, [ids.Build(), vectors.Build()], n));
        }
        string arrow = Path.Combine(work, $"v{dim}.arrow"), parquet = Path.Combine(work, $"v{dim}.parquet"), probesFile = Path.Combine(work, $"p{dim}.json");
        using (var w = ArrowFileWriter.Create(arrow, fileSchema)) { foreach (var b in batches) w.Write(b); w.Finish(); }
        using (var w = new ParquetFileWriter(parquet, fileSchema)) { foreach (var b in batches) w.Write(b); w.Finish(); }
        var probes = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToList();
        File.WriteAllText(probesFile, JsonSerializer.Serialize(probes));

        var peers = Path.Combine(SqlBench.RepositoryRoot(), "bench", "peers");
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = peers };
        foreach (var a in new[] { Path.Combine(peers, "vector-search.mjs"), arrow, dim.ToString(CultureInfo.InvariantCulture), probesFile, repeat.ToString(CultureInfo.InvariantCulture), work })
            psi.ArgumentList.Add(a);
        using var node = Process.Start(psi)!;
        var peer = JsonDocument.Parse(node.StandardOutput.ReadToEnd()).RootElement;
        node.WaitForExit();

        using var session = QueryLakeSession.Open(Path.Combine(work, $"lake{dim}"));
        session.Lake.CreateDataset("v", lakeSchema).Append(batches.Select(b =>
            new RecordBatch(lakeSchema, [b.Columns[0], Columnar.Arrays.ArrowArray.FromData(b.Columns[1].Data.WithType(lakeSchema.Fields[1].DataType))], b.Length)));
        foreach (var (key, filter, label) in new[] { ("all", "", "no filter"), ("filter10", "WHERE id % 10 = 0", "10% filter") })
        {
            string sql = $"SELECT id FROM v {filter} ORDER BY cosine_similarity(embedding, @probe) DESC LIMIT 10";
            session.Query(sql, new Dictionary<string, object?> { ["probe"] = probes[0] }); // warm
            double bandwidth = Limits.MemoryReadBytesPerSecondAllCores();
            double pickedBandwidth = filter.Length == 0 ? double.NaN : Limits.PickedRowReadBytesPerSecond(dim * 4, 10);
            var times = new List<double>();
            List<long>? firstIds = null;
            for (int r = 0; r < repeat; r++)
                foreach (var probe in probes)
                {
                    var sw = Stopwatch.StartNew();
                    var result = session.Query(sql, new Dictionary<string, object?> { ["probe"] = probe });
                    times.Add(sw.Elapsed.TotalSeconds);
                    if (probe == probes[0]) firstIds = result.Rows().Select(x => (long)x[0]!).ToList();
                }
            times.Sort();
            double ours = times[times.Count / 2];
            double duck = peer.GetProperty("duckdb").GetProperty(key).GetProperty("seconds").GetDouble();
            double lance = peer.GetProperty("lancedb").GetProperty(key).GetProperty("seconds").GetDouble();
            var duckIds = peer.GetProperty("duckdb").GetProperty(key).GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()).ToList();
            var lanceIds = peer.GetProperty("lancedb").GetProperty(key).GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()).ToList();
            // What the scan must read: every vector without a filter; with the filter, the id column (8 bytes a row) and
            // only the vectors of the rows it keeps (the selected rows are scored in place, never gathered).
            double bytes = filter.Length == 0 ? (double)rows * dim * 4 : (double)rows * 8 + rows / 10 * (double)dim * 4;
            var mine = firstIds ?? [];
            string same = mine.SequenceEqual(duckIds) && mine.SequenceEqual(lanceIds) ? "yes" : $"no ({mine.SequenceEqual(duckIds)}/{mine.SequenceEqual(lanceIds)})";
            Console.WriteLine($"{$"{rows / 1000:N0}k × {dim}, {label}",-28} {ours * 1000,8:F1} {1 / ours,8:F1} {bytes / ours / 1e9,8:F2} {bandwidth / 1e9,9:F2} {bytes / ours / bandwidth * 100,6:F0} {(filter.Length == 0 ? "" : (pickedBandwidth / 1e9).ToString("F2", CultureInfo.InvariantCulture)),10} {(filter.Length == 0 ? "" : (bytes / ours / pickedBandwidth * 100).ToString("F0", CultureInfo.InvariantCulture)),7} {duck * 1000,10:F1} {ours / duck,8:F2} {lance * 1000,9:F1} {ours / lance,9:F2} {same,12}");
        }
    }

    private static void Import(string work, int files)
    {
        var generator = new QueryLake.Demo.DrivingSceneGenerator { Drives = Math.Max(1, files / 50), FramesPerDrive = 50 };
        var written = generator.Generate(Path.Combine(work, "frames"));
        long bytes = Directory.GetFiles(Path.GetDirectoryName(written.FramesGlob)!).Sum(f => new FileInfo(f).Length);
        using var session = QueryLakeSession.Open(Path.Combine(work, "import-lake"));
        var sw = Stopwatch.StartNew();
        session.Execute($"IMPORT FILES '{written.FramesGlob}' INTO frames");
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"import {written.Frames:N0} PNG files ({bytes / 1e6:F0} MB, warm cache): {s:F2} s, {written.Frames / s:N0} files/s, {bytes / s / 1e6:F0} MB/s");
    }
}
