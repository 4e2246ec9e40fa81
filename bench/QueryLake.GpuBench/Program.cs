using System.Diagnostics;
using System.Globalization;
using QueryLake.Gpu.Kernels;
using QueryLake.Kernels.Similarity;

// The GPU similarity bench (issue 22), run on the device machine by bench/gpu/run.sh:
//   QueryLake.GpuBench [--sizes 1000000x768,10000000x128] [--probes 1000] [--repeat 20] [--data DIR] [--backend cuda|ilgpu-cpu]
// For each size it generates float32 vectors (a fixed seed) and writes them, the probes and the filter's rows to DIR
// for the PyTorch peer (bench/gpu/torch_peer.py reads the same bytes), then times on the GPU kernel: the upload,
// single-probe top-10 (median of --repeat, GB/s against the 4.8 TB/s of HBM3e), the same with a 10% filter, and
// --probes probes at once (probes/s, TFLOP/s); then the CPU path (the SIMD reference, all cores) on the same data.
var options = Args(args);
var sizes = options.GetValueOrDefault("sizes", "1000000x768,10000000x128").Split(',')
    .Select(s => s.Split('x')).Select(p => (Rows: int.Parse(p[0], CultureInfo.InvariantCulture), Dims: int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
int probeCount = int.Parse(options.GetValueOrDefault("probes", "1000"), CultureInfo.InvariantCulture);
int repeat = int.Parse(options.GetValueOrDefault("repeat", "20"), CultureInfo.InvariantCulture);
string data = options.GetValueOrDefault("data", Path.Combine(Path.GetTempPath(), "gpu-bench"));
string backend = options.GetValueOrDefault("backend", "cuda");
const int K = 10;
const double HbmGBs = 4800;
Directory.CreateDirectory(data);

Console.WriteLine($"cpu: {CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}");
GpuSimilarityKernel? gpu;
try
{
    gpu = backend == "ilgpu-cpu" ? GpuSimilarityKernel.OnCpuAccelerator() : GpuSimilarityKernel.TryCuda();
    Console.WriteLine(gpu is null ? "gpu: none found by ILGPU's CUDA backend" : $"gpu: {gpu.Device}, {gpu.DeviceMemory / 1e9:F1} GB");
}
catch (Exception e)
{
    // The exact error goes to the note (issue 22: a second backend if ILGPU's CUDA fails on the H200).
    Console.WriteLine($"gpu: ILGPU failed to start: {e}");
    gpu = null;
}

foreach (var (rows, dims) in sizes)
{
    Console.WriteLine($"\n== {rows:N0} x {dims} float32 ({rows * (double)dims * 4 / 1e9:F2} GB), top-{K}, cosine ==");
    var clock = Stopwatch.StartNew();
    var vectors = Generate(rows, dims, seed: 1);
    var probes = Generate(probeCount, dims, seed: 2);
    // The 10% filter: every row whose index is 3 modulo 10 (the peer builds the same mask).
    var selection = Enumerable.Range(0, rows / 10 + 1).Select(i => i * 10 + 3).Where(r => r < rows).ToArray();
    Console.WriteLine($"generated in {clock.Elapsed.TotalSeconds:F1} s");
    clock.Restart();
    Write(Path.Combine(data, $"vectors_{rows}x{dims}.f32"), vectors);
    Write(Path.Combine(data, $"probes_{probeCount}x{dims}.f32"), probes);
    Console.WriteLine($"written for the peer in {clock.Elapsed.TotalSeconds:F1} s");
    double bytes = rows * (double)dims * 4;
    double flopsPerProbe = 2.0 * rows * dims;
    var one = probes.AsSpan(0, dims).ToArray();
    NearestRows? gpuFirst = null;

    if (gpu is not null)
    {
        try
        {
            clock.Restart();
            using var column = gpu.Load(vectors, rows, dims, null);
            double upload = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"gpu upload: {upload:F2} s ({bytes / upload / 1e9:F1} GB/s)");
            var search = new SimilaritySearch(K, DistanceMetric.Cosine);
            gpuFirst = gpu.TopK(column, one, 1, search)[0];
            double single = Median(repeat, () => gpu.TopK(column, one, 1, search));
            Console.WriteLine($"gpu single-probe top-{K}: {single * 1e3:F3} ms median of {repeat}, {bytes / single / 1e9:F0} GB/s = {bytes / single / 1e9 / HbmGBs:P1} of {HbmGBs} GB/s");
            var filtered = search with { Selection = selection };
            double filter = Median(repeat, () => gpu.TopK(column, one, 1, filtered));
            Console.WriteLine($"gpu single-probe top-{K}, 10% filter: {filter * 1e3:F3} ms median of {repeat}");
            gpu.TopK(column, probes, Math.Min(probeCount, 16), search);
            double batched = Median(3, () => gpu.TopK(column, probes, probeCount, search));
            Console.WriteLine($"gpu {probeCount}-probe top-{K}: {batched * 1e3:F1} ms median of 3, {probeCount / batched:F0} probes/s, {flopsPerProbe * probeCount / batched / 1e12:F2} TFLOP/s");
        }
        catch (Exception e)
        {
            Console.WriteLine($"gpu run failed: {e}");
        }
    }

    // The CPU path: the SIMD reference on every core, on the same vectors.
    var cpu = CpuSimilarityKernel.Instance;
    using (var host = cpu.Load(vectors, rows, dims, null))
    {
        var search = new SimilaritySearch(K, DistanceMetric.Cosine);
        // One probe's rows are scored on one core: split the rows across cores for a single probe.
        var parts = Enumerable.Range(0, Environment.ProcessorCount).Select(p =>
        {
            int start = (int)((long)rows * p / Environment.ProcessorCount), end = (int)((long)rows * (p + 1) / Environment.ProcessorCount);
            return Enumerable.Range(start, end - start).ToArray();
        }).ToArray();
        double single = Median(Math.Min(repeat, 5), () => SingleOnAllCores(host, parts, one));
        Console.WriteLine($"cpu single-probe top-{K} ({Environment.ProcessorCount} cores): {single * 1e3:F1} ms median, {bytes / single / 1e9:F1} GB/s");
        int few = Math.Min(probeCount, Environment.ProcessorCount * 2);
        double batched = Median(1, () => cpu.TopK(host, probes, few, search));
        Console.WriteLine($"cpu {few}-probe top-{K}: {batched * 1e3:F1} ms, {few / batched:F1} probes/s, {flopsPerProbe * few / batched / 1e12:F3} TFLOP/s");
        var reference = cpu.TopK(host, one, 1, search)[0];
        if (gpuFirst is not null)
            Console.WriteLine($"gpu rows equal the cpu's for probe 0: {reference.Rows.SequenceEqual(gpuFirst.Rows)}; largest distance gap {reference.Distances.Zip(gpuFirst.Distances, (a, b) => Math.Abs(a - b)).Max():E2}");
    }
}

// One probe on every core: each searches a range of rows, and the ranges' nearest are merged.
static NearestRows SingleOnAllCores(IEmbeddingColumn column, int[][] parts, float[] probe)
{
    var partial = new NearestRows[parts.Length];
    Parallel.For(0, parts.Length, p =>
        partial[p] = CpuSimilarityKernel.Instance.TopK(column, probe, 1, new SimilaritySearch(10, DistanceMetric.Cosine) { Selection = parts[p] })[0]);
    var merged = TopKSelection.Sorted(partial.SelectMany(n => n.Rows.Zip(n.Distances, (r, d) => (d, r))).ToArray());
    return new NearestRows(merged.Rows.Take(10).ToArray(), merged.Distances.Take(10).ToArray());
}

static double Median(int repeat, Action run)
{
    var times = new List<double>();
    for (int i = 0; i < repeat; i++)
    {
        var clock = Stopwatch.StartNew();
        run();
        times.Add(clock.Elapsed.TotalSeconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

static float[] Generate(int rows, int dims, ulong seed)
{
    // Approximately normal values (the sum of four uniforms), from a splitmix64 stream per row: fast, and the same on
    // every machine.
    var v = new float[(long)rows * dims];
    Parallel.For(0, rows, r =>
    {
        ulong state = seed * 0x9E3779B97F4A7C15UL + (ulong)r * 0xBF58476D1CE4E5B9UL;
        for (int d = 0; d < dims; d++)
        {
            float sum = 0;
            for (int i = 0; i < 4; i++)
            {
                state += 0x9E3779B97F4A7C15UL;
                ulong z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                sum += (z >> 40) / (float)(1 << 24);
            }
            v[(long)r * dims + d] = sum - 2;
        }
    });
    return v;
}

static void Write(string path, float[] values)
{
    // In slices: a span of more than 2 GiB of bytes overflows.
    using var file = File.Create(path);
    for (long at = 0; at < values.LongLength; at += 1 << 26)
        file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan((int)at, (int)Math.Min(1 << 26, values.LongLength - at))));
}

static string CpuModel() => File.Exists("/proc/cpuinfo")
    ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
    : "?";

static Dictionary<string, string> Args(string[] args)
{
    var result = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i += 2) result[args[i].TrimStart('-')] = args[i + 1];
    return result;
}
