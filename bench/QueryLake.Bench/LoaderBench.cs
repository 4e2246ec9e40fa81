using System.Diagnostics;
using System.Globalization;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;
using QueryLake.Training;

using static QueryLake.Bench.Measure;

namespace QueryLake.Bench;

/// <summary>
/// The training-loader benchmark: N samples (default 100,000) of about 100 KB (incompressible bytes plus a label) in
/// a lake, read as one fully shuffled epoch of batches of 256 by <see cref="TrainingLoader"/>, with the page cache
/// dropped first (cold, from disk) and again with the data cached (warm), next to the disk's sequential read rate of
/// the same data files (cold) and the memory copy rate, measured in the same run. Medians of the repeats.
/// </summary>
internal static class LoaderBench
{
    private const int SampleBytes = 100 * 1024;

    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        int samples = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        string root = args.Length > 2 ? args[2] : Path.GetTempPath();
        var work = Path.Combine(root, "ql-loaderbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            using var session = QueryLakeSession.Open(Path.Combine(work, "lake"));
            var schema = new Schema([new Field("id", DataType.Int64, false), new Field("label", DataType.Int64, false), new Field("image", DataType.Binary, false)]);
            var ds = session.Lake.CreateDataset("samples", schema);
            var sw = Stopwatch.StartNew();
            ds.Append(Batches(schema, samples));
            double ingest = sw.Elapsed.TotalSeconds;
            long bytes = (long)samples * SampleBytes;
            var files = Directory.EnumerateFiles(Path.Combine(work, "lake", "samples"), "*.arrow", SearchOption.AllDirectories).ToList();
            long fileBytes = files.Sum(f => new FileInfo(f).Length);
            bool canDrop = CanDropCaches();
            Console.WriteLine($"# Training loader: {samples:N0} samples × {SampleBytes / 1024} KB ({fileBytes / 1e9:F1} GB in {files.Count} data files), full shuffle, batches of 256; median of {repeat}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"# ingest {ingest:F1} s ({bytes / ingest / 1e9:F2} GB/s); page cache {(canDrop ? "dropped before each cold run" : "NOT droppable here: cold runs are warm")}");

            var diskRead = Median(repeat, () =>
            {
                DropCaches(canDrop);
                var t = Stopwatch.StartNew();
                var buffer = new byte[4 << 20];
                foreach (var f in files)
                {
                    using var fs = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    while (fs.Read(buffer) > 0) { }
                }
                return fileBytes / t.Elapsed.TotalSeconds;
            });
            var memCopy = Limits.MemoryCopyBytesPerSecond();
            Console.WriteLine($"limit  disk sequential read of the data files (cold)  {diskRead / 1e9,8:F2} GB/s  {diskRead / SampleBytes,10:N0} samples/s");
            Console.WriteLine($"limit  memory copy (1 thread)                         {memCopy / 1e9,8:F2} GB/s");

            int epoch = 0;
            double Epoch(bool cold)
            {
                DropCaches(cold && canDrop);
                var t = Stopwatch.StartNew();
                long seen = 0, checksum = 0;
                foreach (var b in session.Load("SELECT id, label, image FROM samples", new LoaderOptions { BatchSize = 256, Seed = 7, Epoch = epoch++, Prefetch = 4 }))
                {
                    seen += b.Length;
                    var img = (Columnar.Arrays.BinaryArray)b.Columns[2];
                    for (int i = 0; i < b.Length; i++) checksum += img.GetBytes(i)[^1]; // touch every sample
                }
                if (seen != samples) throw new InvalidOperationException($"the epoch gave {seen} samples, not {samples}");
                GC.KeepAlive(checksum);
                return t.Elapsed.TotalSeconds;
            }
            foreach (var (name, cold) in new[] { ("cold (from disk)", true), ("warm (page cache)", false) })
            {
                if (!cold) Epoch(false); // load the cache
                double s = Median(repeat, () => Epoch(cold));
                Console.WriteLine($"loader full shuffle, {name,-18} {s,8:F2} s  {samples / s,10:N0} samples/s  {bytes / s / 1e6,8:F0} MB/s  {bytes / s / (cold ? diskRead : memCopy) * 100,5:F0}% of {(cold ? "disk read" : "memory copy")}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static bool CanDropCaches()
    {
        try { File.WriteAllText("/proc/sys/vm/drop_caches", "1"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static void DropCaches(bool drop)
    {
        if (!drop) return;
        using (Process.Start("sync")!) { }
        Thread.Sleep(200);
        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
    }

    private static IEnumerable<RecordBatch> Batches(Schema schema, int samples)
    {
        const int Rows = 256;
        ulong state = 11;
        var words = new ulong[SampleBytes / 8];
        for (int start = 0; start < samples; start += Rows)
        {
            int n = Math.Min(Rows, samples - start);
            var id = new PrimitiveBuilder<long>(DataType.Int64);
            var label = new PrimitiveBuilder<long>(DataType.Int64);
            var images = new BinaryBuilder(DataType.Binary);
            for (int i = start; i < start + n; i++)
            {
                id.Append(i);
                label.Append(i % 10);
                for (int w = 0; w < words.Length; w++) // SplitMix64: incompressible bytes, fast
                {
                    ulong z = state += 0x9E3779B97F4A7C15UL;
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                    words[w] = z ^ (z >> 31);
                }
                images.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(words.AsSpan()));
            }
            yield return new RecordBatch(schema, [id.Build(), label.Build(), images.Build()], n);
        }
    }
}
