using System.Diagnostics;
using System.Runtime.InteropServices;
using QueryLake.Bench;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Storage;
using static QueryLake.Bench.Measure;

// The storage benchmark harness. It measures QueryLake's appends, takes and scans next to the machine's
// physical limits, measured in the same run, and prints medians and ratios.
// usage: dotnet run -c Release --project bench/QueryLake.Bench -- [--dir DIR] [--rows N] [--blobs N] [--repeat N]
//        dotnet run -c Release --project bench/QueryLake.Bench -- sql [repeat]     (the SQL benchmark against DuckDB)
//        dotnet run -c Release --project bench/QueryLake.Bench -- tpch [sf] [repeat] [dir] [memory limit] (TPC-H's 22 queries against DuckDB)
//        dotnet run -c Release --project bench/QueryLake.Bench -- tpch-memory SF DIR LIMIT (peak memory per query, each engine in its own process)
//        dotnet run -c Release --project bench/QueryLake.Bench -- integrity [rows] [repeat] [dir] (what checksums cost a scan)
//        dotnet run -c Release --project bench/QueryLake.Bench -- arrow [tpch lake|-] [repeat] [dir] (Apache.Arrow conversion copies and time; Flight DoGet vs in process)
//        dotnet run -c Release --project bench/QueryLake.Bench -- copy CSV [repeat] [dir] (COPY against DuckDB's COPY, and the Arrow IPC writer against Apache.Arrow's)
//        dotnet run -c Release --project bench/QueryLake.Bench -- transactions [count] [dir] (commit latency with and without transactions)
//        dotnet run -c Release --project bench/QueryLake.Bench -- parquet [repeat] (the Parquet scan benchmark against DuckDB)
//        dotnet run -c Release --project bench/QueryLake.Bench -- sampling [repeat] [rows] (samples and splits against DuckDB)
//        dotnet run -c Release --project bench/QueryLake.Bench -- similarity [repeat] [scale] (top-k against DuckDB and LanceDB)
//        dotnet run -c Release --project bench/QueryLake.Bench -- loader [repeat] [samples] [dir] (shuffled training epochs vs disk read)
//        dotnet run -c Release --project bench/QueryLake.Bench -- stream [sizes] [dir] (ADO.NET SELECT * time to first row and memory vs DuckDB.NET)
//        dotnet run -c Release --project bench/QueryLake.Bench -- images [repeat] [pngs] (ImageSharp decoding, thumbnails and resizing vs memory bandwidth and djpeg)
//        dotnet run -c Release --project bench/QueryLake.Bench -- cluster [sf] [repeat] [dir] [rows] [dims] (TPC-H and a similarity top-k embedded, on 1 silo and on 3 silos; a model of time against nodes)
//        dotnet run -c Release --project bench/QueryLake.Bench -- hub [repeat] [rows] (a lake on S3 (s3rver): GETs and bytes per query, cold vs warm cache, commits, tiers)
//        dotnet run -c Release --project bench/QueryLake.Bench -- spill [rows] [limit MB] [repeat] [dir] (a sort over its memory limit vs DuckDB)
if (args is ["cluster", ..])
{
    ClusterBench.Run(args[1..]);
    return;
}
if (args is ["hub", ..])
{
    HubBench.Run(args[1..]);
    return;
}
if (args is ["embeddings", ..])
{
    EmbeddingBench.Run(args[1..]);
    return;
}
if (args is ["images", ..])
{
    ImageBench.Run(args[1..]);
    return;
}
if (args is ["arrow", ..])
{
    ArrowBench.Run(args[1..]);
    return;
}
if (args is ["copy", ..])
{
    CopyBench.Run(args[1..]);
    return;
}
if (args is ["transactions", ..])
{
    TransactionBench.Run(args[1..]);
    return;
}
if (args is ["integrity", ..])
{
    IntegrityBench.Run(args[1..]);
    return;
}
if (args is ["tpch-peak", ..])
{
    TpchPeakMemory.Child(args[1..]);
    return;
}
if (args is ["tpch-memory", var sfArg, var dirArg, var limitArg])
{
    // Peak memory only, on the data, lake and DuckDB file an earlier `tpch SF REPEAT DIR LIMIT` run left.
    var tpchWork = Path.Combine(dirArg, $"ql-tpch-sf{sfArg}");
    TpchPeakMemory.Report(Path.Combine(tpchWork, "data"), Path.Combine(tpchWork, "lake"), Path.Combine(tpchWork, "duck.db"), limitArg);
    return;
}
if (args is ["tpch", ..])
{
    TpchBench.Run(args[1..]);
    return;
}
if (args is ["sql", ..])
{
    SqlBench.Run(args[1..]);
    return;
}
if (args is ["sampling", ..])
{
    SamplingBench.Run(args[1..]);
    return;
}
if (args is ["similarity", ..])
{
    SimilarityBench.Run(args[1..]);
    return;
}
if (args is ["loader", ..])
{
    LoaderBench.Run(args[1..]);
    return;
}
if (args is ["spill", ..])
{
    SpillBench.Run(args[1..]);
    return;
}
if (args is ["stream", ..])
{
    StreamBench.Run(args[1..]);
    return;
}
if (args is ["parquet", ..])
{
    ParquetBench.Run(args[1..]);
    return;
}
var opts = ParseArgs(args);
var root = Path.Combine(opts.Dir, "ql-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(root);
Console.WriteLine($"# QueryLake storage benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"# data in {root}; rows={opts.Rows:N0}, blobs={opts.Blobs:N0} x 100 KB, repeat={opts.Repeat}");
try
{
    var disk = Median(opts.Repeat, () => Limits.DiskWriteBytesPerSecond(root, 2L << 30));
    var memRead = Median(opts.Repeat, () => Limits.MemoryReadBytesPerSecond());
    var memCopy = Median(opts.Repeat, () => Limits.MemoryCopyBytesPerSecond());
    Console.WriteLine($"limit  disk sequential write (fsync)   {Gb(disk),8:F2} GB/s");
    Console.WriteLine($"limit  memory read (1 thread, SIMD)     {Gb(memRead),8:F2} GB/s");
    Console.WriteLine($"limit  memory copy (1 thread)           {Gb(memCopy),8:F2} GB/s");

    var lake = Lake.Open(root);

    // 1. Append 10M rows of mixed scalar columns.
    var scalarSchema = new Schema([
        new Field("id", DataType.Int64, false), new Field("x", DataType.Float64), new Field("k", DataType.Int32),
        new Field("flag", DataType.Boolean), new Field("label", DataType.Utf8), new Field("ts", DataType.Timestamp("UTC"))]);
    var scalarBatches = MakeScalarBatches(scalarSchema, opts.Rows);
    long scalarBytes = scalarBatches.Sum(b => b.Columns.Sum(c => c.Data.Buffers.Sum(x => (long)x.Length)));
    Dataset? scalars = null;
    var appendScalar = Median(opts.Repeat, () =>
    {
        if (scalars is not null) lake.DropDataset("scalars");
        scalars = lake.CreateDataset("scalars", scalarSchema);
        var sw = Stopwatch.StartNew();
        scalars.Append(scalarBatches);
        return sw.Elapsed.TotalSeconds;
    });
    Console.WriteLine($"append {opts.Rows:N0} mixed rows             {opts.Rows / appendScalar / 1e6,8:F2} M rows/s  {Gb(scalarBytes / appendScalar),6:F2} GB/s  = {scalarBytes / appendScalar / disk:P0} of disk write");

    // 2. Append blobs of 100 KB.
    var blobSchema = new Schema([new Field("id", DataType.Int64, false), new Field("image", new ImageType("jpeg"))]);
    long blobBytes = (long)opts.Blobs * 100_000;
    Dataset? blobs = null;
    var appendBlobs = Median(Math.Min(opts.Repeat, 2), () =>
    {
        if (blobs is not null) lake.DropDataset("blobs");
        blobs = lake.CreateDataset("blobs", blobSchema, new DatasetWriteOptions { MaxRowsPerBatch = 1024, MaxRowsPerFile = 8192 });
        var sw = Stopwatch.StartNew();
        blobs.Append(MakeBlobBatches(blobSchema, opts.Blobs));
        return sw.Elapsed.TotalSeconds;
    });
    Console.WriteLine($"append {opts.Blobs:N0} blobs of 100 KB         {opts.Blobs / appendBlobs,8:F0} blobs/s   {Gb(blobBytes / appendBlobs),6:F2} GB/s  = {blobBytes / appendBlobs / disk:P0} of disk write");

    // 3. take() of 1,000 random rows from the blob dataset (several GB), cold and warm.
    var snapshot = blobs!.Latest();
    var rowIds = snapshot.Scan(["id"], withRowId: true).SelectMany(b => ((PrimitiveArray<long>)b.Column(RowId.ColumnName)).Values.ToArray()).ToArray();
    var rng = new Random(7);
    // 1,000 distinct random rows, as the LanceDB peer takes.
    long[] Pick()
    {
        var chosen = new HashSet<long>();
        while (chosen.Count < 1000) chosen.Add(rowIds[rng.Next(rowIds.Length)]);
        return chosen.ToArray();
    }
    Console.WriteLine($"dataset for takes: {Gb(blobBytes):F1} GB in {snapshot.Fragments.Count} fragments");
    var takeWarmResults = new Dictionary<string, double>();
    foreach (var (label, columns) in new (string, string[]?)[] { ("id only", ["id"]), ("id + 100 KB image", null) })
    {
        var takeCold = Median(opts.Repeat, () =>
        {
            PageCache.Evict(Path.Combine(root, "blobs"));
            var fresh = lake.OpenDataset("blobs").Latest();
            var ids = Pick();
            var sw = Stopwatch.StartNew();
            return CheckTake(fresh.Take(ids, columns), ids.Length, sw);
        });
        var warmSnapshot = lake.OpenDataset("blobs").Latest();
        warmSnapshot.Take(rowIds, ["id"]);
        var takeWarm = Median(opts.Repeat * 5, () =>
        {
            var ids = Pick();
            var sw = Stopwatch.StartNew();
            return CheckTake(warmSnapshot.Take(ids, columns), ids.Length, sw);
        });
        Console.WriteLine($"take 1,000 random rows ({label}), cold  {1000 / takeCold,9:F0} rows/s   ({takeCold * 1000:F1} ms; page cache evicted: {PageCache.LastEvictionWorked})");
        Console.WriteLine($"take 1,000 random rows ({label}), warm  {1000 / takeWarm,9:F0} rows/s   ({takeWarm * 1000:F2} ms)");
        takeWarmResults[columns is null ? "withImage" : "idOnly"] = takeWarm;
    }

    // 4. Full scan of one int64 column, next to memory read bandwidth.
    var scanSnapshot = lake.OpenDataset("scalars").Latest();
    long expected = 0;
    foreach (var b in scanSnapshot.Scan(["id"])) expected += Limits.SumInt64(((PrimitiveArray<long>)b.Columns[0]).Values);
    var scan = Median(opts.Repeat * 3, () =>
    {
        var sw = Stopwatch.StartNew();
        long sum = 0;
        foreach (var b in scanSnapshot.Scan(["id"])) sum += Limits.SumInt64(((PrimitiveArray<long>)b.Columns[0]).Values);
        if (sum != expected) throw new InvalidOperationException("scan result changed");
        return sw.Elapsed.TotalSeconds;
    });
    long scanBytes = opts.Rows * 8L;
    Console.WriteLine($"scan + sum of one int64 column         {Gb(scanBytes / scan),8:F2} GB/s   = {scanBytes / scan / memRead:P0} of memory read bandwidth");

    // 5. LanceDB on the same data, in the same run.
    var peers = Path.Combine(FindRepoRoot(), "bench", "peers");
    if (!Directory.Exists(Path.Combine(peers, "node_modules")))
    {
        Console.WriteLine("peer   LanceDB skipped: run `npm install --prefix bench/peers --no-save` first");
        return;
    }
    var mixedFile = Path.Combine(root, "mixed.arrow");
    using (var w = QueryLake.Formats.Ipc.ArrowFileWriter.Create(mixedFile, scalarSchema))
        foreach (var b in scalarBatches) w.Write(b);
    var blobFile = Path.Combine(root, "blob-batch.arrow");
    using (var w = QueryLake.Formats.Ipc.ArrowFileWriter.Create(blobFile, blobSchema))
        w.Write(MakeBlobBatches(blobSchema, 256).First());
    lake.DropDataset("blobs");
    var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = peers };
    foreach (var a in new[] { Path.Combine(peers, "lancedb-storage.mjs"), mixedFile, blobFile, opts.Blobs.ToString(System.Globalization.CultureInfo.InvariantCulture), root, opts.Repeat.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        psi.ArgumentList.Add(a);
    using var node = Process.Start(psi)!;
    var json = node.StandardOutput.ReadToEnd();
    node.WaitForExit();
    if (node.ExitCode != 0) throw new InvalidOperationException("the LanceDB peer failed");
    var lance = System.Text.Json.JsonDocument.Parse(json).RootElement;
    double L(string k) => lance.GetProperty(k).GetDouble();
    Console.WriteLine();
    Console.WriteLine("workload (same data, same run)           QueryLake      LanceDB    QueryLake/LanceDB speed");
    Row("append 10M mixed rows (s)", appendScalar, L("appendMixedSeconds"));
    Row("append 100 KB blobs (s)", appendBlobs, L("appendBlobsSeconds"));
    Row("take 1,000 rows, id only, warm (ms)", takeWarmResults["idOnly"], L("take_idOnly_warmSeconds"), 1000);
    Row("take 1,000 rows, with image, warm (ms)", takeWarmResults["withImage"], L("take_withImage_warmSeconds"), 1000);
    Row("scan one int64 column (ms)", scan, L("scanIdSeconds"), 1000);
}
finally
{
    Directory.Delete(root, recursive: true);
}

static void Row(string what, double ours, double theirs, double scale = 1) =>
    Console.WriteLine($"{what,-40} {ours * scale,10:F2}   {theirs * scale,10:F2}    {theirs / ours,6:F2}x");

static string FindRepoRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "QueryLake.sln"))) dir = Path.GetDirectoryName(dir);
    return dir ?? throw new InvalidOperationException("run the benchmark from inside the repository");
}

static double CheckTake(RecordBatch batch, int n, Stopwatch sw)
{
    double t = sw.Elapsed.TotalSeconds;
    if (batch.Length != n) throw new InvalidOperationException("take returned the wrong number of rows");
    return t;
}

static double Gb(double bytesPerSecond) => bytesPerSecond / 1e9;

static List<RecordBatch> MakeScalarBatches(Schema schema, long rows)
{
    var result = new List<RecordBatch>();
    var rng = new Random(3);
    string[] labels = ["day", "night", "dusk", "dawn", "rain", "hail"];
    for (long start = 0; start < rows; start += 1 << 16)
    {
        int n = (int)Math.Min(1 << 16, rows - start);
        var id = new PrimitiveBuilder<long>(DataType.Int64);
        var x = new PrimitiveBuilder<double>(DataType.Float64);
        var k = new PrimitiveBuilder<int>(DataType.Int32);
        var flag = new BooleanBuilder();
        var label = new BinaryBuilder(DataType.Utf8);
        var ts = new PrimitiveBuilder<long>(DataType.Timestamp("UTC"));
        for (int i = 0; i < n; i++)
        {
            id.Append(start + i);
            x.Append(rng.NextDouble());
            k.Append(rng.Next(1000));
            flag.Append((i & 1) == 0);
            label.Append(labels[rng.Next(labels.Length)]);
            ts.Append(1_700_000_000_000_000 + (start + i) * 1000);
        }
        result.Add(new RecordBatch(schema, [id.Build(), x.Build(), k.Build(), flag.Build(), label.Build(), ts.Build()], n));
    }
    return result;
}

// One 256-row batch of random 100 KB blobs, appended repeatedly, so the timing measures the store and not
// the generation of 10 GB of test data.
static IEnumerable<RecordBatch> MakeBlobBatches(Schema schema, int blobs)
{
    var payload = new byte[100_000];
    var rng = new Random(4);
    var id = new PrimitiveBuilder<long>(DataType.Int64);
    var image = new BinaryBuilder(new ImageType("jpeg"));
    for (int i = 0; i < 256; i++)
    {
        rng.NextBytes(payload);
        id.Append(i);
        image.Append(payload);
    }
    var batch = new RecordBatch(schema, [id.Build(), image.Build()], 256);
    for (int start = 0; start < blobs; start += 256)
        yield return blobs - start >= 256 ? batch : batch.Slice(0, blobs - start);
}

static (string Dir, long Rows, int Blobs, int Repeat) ParseArgs(string[] a)
{
    string dir = Path.GetTempPath();
    long rows = 10_000_000;
    int blobs = 100_000, repeat = 3;
    for (int i = 0; i < a.Length; i++)
    {
        switch (a[i])
        {
            case "--dir": dir = a[++i]; break;
            case "--rows": rows = long.Parse(a[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--blobs": blobs = int.Parse(a[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--repeat": repeat = int.Parse(a[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"unknown argument {a[i]}");
        }
    }
    return (dir, rows, blobs, repeat);
}

/// <summary>Evicts a folder's files from the OS page cache with posix_fadvise(DONTNEED), for cold reads.</summary>
internal static partial class PageCache
{
    public static bool LastEvictionWorked { get; private set; }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(int fd, long offset, long length, int advice);

    public static void Evict(string dir)
    {
        bool ok = true;
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            using var fs = new FileStream(f, FileMode.Open, FileAccess.Read);
            fs.Flush(flushToDisk: false);
            ok &= Fadvise((int)fs.SafeFileHandle.DangerousGetHandle(), 0, 0, 4) == 0;
        }
        LastEvictionWorked = ok;
    }
}
