using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace QueryLake.Bench;

/// <summary>Physical limits of this machine, measured in the same run as the benchmarks they bound.</summary>
internal static class Limits
{
    /// <summary>The CPU's model name, recorded with every result.</summary>
    public static string CpuModel() =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown" : "unknown";

    /// <summary>Sequential write rate of the disk holding <paramref name="dir"/>: a large file written in 1 MiB blocks and fsynced (like dd conv=fsync).</summary>
    public static double DiskWriteBytesPerSecond(string dir, long bytes)
    {
        var path = Path.Combine(dir, "disk-probe.bin");
        var block = new byte[1 << 20];
        new Random(1).NextBytes(block);
        var sw = Stopwatch.StartNew();
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long w = 0; w < bytes; w += block.Length) fs.Write(block);
            fs.Flush(flushToDisk: true);
        }
        double rate = bytes / sw.Elapsed.TotalSeconds;
        File.Delete(path);
        return rate;
    }

    /// <summary>Single-thread memory read bandwidth: a vectorized sum over a buffer far larger than the caches (median of 5 passes).</summary>
    public static double MemoryReadBytesPerSecond(int bytes = 1 << 30)
    {
        var data = GC.AllocateUninitializedArray<long>(bytes / 8, pinned: true);
        new Random(2).NextBytes(MemoryMarshal.AsBytes(data.AsSpan()));
        SumInt64(data); // fault the pages in
        var rates = new double[5];
        for (int i = 0; i < rates.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(SumInt64(data));
            rates[i] = bytes / sw.Elapsed.TotalSeconds;
        }
        Array.Sort(rates);
        return rates[rates.Length / 2];
    }

    /// <summary>Memory read bandwidth with every core reading its own slice of a buffer far larger than the caches
    /// (median of 5 passes): the limit for a parallel scan.</summary>
    public static double MemoryReadBytesPerSecondAllCores(int bytes = 1 << 30)
    {
        var data = GC.AllocateUninitializedArray<long>(bytes / 8, pinned: true);
        new Random(2).NextBytes(MemoryMarshal.AsBytes(data.AsSpan()));
        int parts = Environment.ProcessorCount, slice = data.Length / parts;
        void Pass() => Parallel.For(0, parts, p => GC.KeepAlive(SumInt64(data.AsSpan(p * slice, slice))));
        Pass();
        var rates = new double[5];
        for (int i = 0; i < rates.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            Pass();
            rates[i] = (double)slice * parts * 8 / sw.Elapsed.TotalSeconds;
        }
        Array.Sort(rates);
        return rates[rates.Length / 2];
    }

    /// <summary>Read bandwidth for scattered rows, the access of a filtered scan that reads only the kept rows' vectors:
    /// every core reads every <paramref name="every"/>-th row of <paramref name="rowBytes"/> bytes in its slice of a
    /// 1 GiB buffer, each row whole (median of 5 passes; the better of plain loads and software prefetch of the rows
    /// four picks ahead). Bytes counted are those of the rows read.</summary>
    public static unsafe double PickedRowReadBytesPerSecond(int rowBytes, int every, int bytes = 1 << 30)
    {
        var data = GC.AllocateUninitializedArray<long>(bytes / 8, pinned: true);
        new Random(3).NextBytes(MemoryMarshal.AsBytes(data.AsSpan()));
        int words = rowBytes / 8, rows = data.Length / words, parts = Environment.ProcessorCount;
        long picked = (rows + every - 1) / every;
        double Best(bool prefetch)
        {
            void Pass() => Parallel.For(0, parts, p =>
            {
                long from = picked * p / parts, to = picked * (p + 1) / parts, sum = 0;
                fixed (long* d = data)
                    for (long k = from; k < to; k++)
                    {
                        long* row = d + k * every * words;
                        if (prefetch && k + 4 < to)
                            for (int w = 0; w < words; w += 8) System.Runtime.Intrinsics.X86.Sse.Prefetch0(d + (k + 4) * every * words + w);
                        sum += SumInt64(new ReadOnlySpan<long>(row, words));
                    }
                GC.KeepAlive(sum);
            });
            Pass();
            var rates = new double[5];
            for (int i = 0; i < rates.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                Pass();
                rates[i] = picked * (double)rowBytes / sw.Elapsed.TotalSeconds;
            }
            Array.Sort(rates);
            return rates[rates.Length / 2];
        }
        return Math.Max(Best(false), System.Runtime.Intrinsics.X86.Sse.IsSupported ? Best(true) : 0);
    }

    /// <summary>Single-thread memory copy bandwidth (bytes copied per second) with a 1 GiB buffer copy (median of 5).</summary>
    public static double MemoryCopyBytesPerSecond(int bytes = 1 << 30)
    {
        var a = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        var b = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        a.AsSpan().Fill(1);
        b.AsSpan().Fill(2);
        var rates = new double[5];
        for (int i = 0; i < rates.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            a.AsSpan().CopyTo(b);
            rates[i] = bytes / sw.Elapsed.TotalSeconds;
        }
        Array.Sort(rates);
        return rates[rates.Length / 2];
    }

    public static long SumInt64(ReadOnlySpan<long> values)
    {
        var acc = Vector<long>.Zero;
        int i = 0;
        for (; i <= values.Length - Vector<long>.Count; i += Vector<long>.Count) acc += new Vector<long>(values[i..]);
        long s = Vector.Sum(acc);
        for (; i < values.Length; i++) s += values[i];
        return s;
    }

    /// <summary>Float32 multiply-add throughput (flops/s, two per multiply-add) on <paramref name="threads"/> threads:
    /// twelve independent FMA chains of the widest vector the CPU has (more than latency × ports on Zen, 5 × 2), in registers, the compute peak a model run can
    /// approach.</summary>
    public static double FmaFlopsPerSecond(int threads)
    {
        const long iterations = 50_000_000;
        static float Chain(long n)
        {
            var a0 = System.Numerics.Vector<float>.One; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
            var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
            var m = new System.Numerics.Vector<float>(0.999999f); var c = new System.Numerics.Vector<float>(1e-7f);
            for (long i = 0; i < n; i++)
            {
                a0 = System.Numerics.Vector.FusedMultiplyAdd(a0, m, c); a1 = System.Numerics.Vector.FusedMultiplyAdd(a1, m, c);
                a2 = System.Numerics.Vector.FusedMultiplyAdd(a2, m, c); a3 = System.Numerics.Vector.FusedMultiplyAdd(a3, m, c);
                a4 = System.Numerics.Vector.FusedMultiplyAdd(a4, m, c); a5 = System.Numerics.Vector.FusedMultiplyAdd(a5, m, c);
                a6 = System.Numerics.Vector.FusedMultiplyAdd(a6, m, c); a7 = System.Numerics.Vector.FusedMultiplyAdd(a7, m, c);
                a8 = System.Numerics.Vector.FusedMultiplyAdd(a8, m, c); a9 = System.Numerics.Vector.FusedMultiplyAdd(a9, m, c);
                a10 = System.Numerics.Vector.FusedMultiplyAdd(a10, m, c); a11 = System.Numerics.Vector.FusedMultiplyAdd(a11, m, c);
            }
            return System.Numerics.Vector.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
        Chain(1000);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        System.Threading.Tasks.Parallel.For(0, threads, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Chain(iterations));
        return threads * iterations * 12.0 * System.Numerics.Vector<float>.Count * 2 / sw.Elapsed.TotalSeconds;
    }
}
