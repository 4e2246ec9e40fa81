using System.Diagnostics;
using System.Globalization;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// Commit latency: a one-row INSERT that commits by itself, the same inside BEGIN … COMMIT, and a transaction writing
/// one row to each of two datasets (whose commit point is the lake-level record). Medians over `count` commits each,
/// next to the disk's fsynced write rate measured in the same run (every commit fsyncs its files and manifests).
/// usage: bench transactions [count, default 200] [dir]
/// </summary>
internal static class TransactionBench
{
    public static void Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var root = Path.Combine(args.Length > 1 ? args[1] : Path.GetTempPath(), "ql-txn-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var s = QueryLakeSession.Open(root);
            // Each case writes fresh datasets: every one-row commit adds a fragment, and a manifest lists them all, so
            // a case after another would pay for the fragments the earlier one added.
            s.Execute("CREATE DATASET a1 (id BIGINT, v VARCHAR); CREATE DATASET a2 (id BIGINT, v VARCHAR); CREATE DATASET a3 (id BIGINT, v VARCHAR); CREATE DATASET b3 (id BIGINT, v VARCHAR)");
            Console.WriteLine($"# commit latency — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}; medians of {count}");
            Console.WriteLine($"# disk sequential write with fsync, same run: {Limits.DiskWriteBytesPerSecond(root, 64 << 20) / 1e6:F0} MB/s");
            int i = 0;
            double auto = Measure.MedianSeconds(count, () => s.Execute($"INSERT INTO a1 VALUES ({i++}, 'x')"));
            double one = Measure.MedianSeconds(count, () => s.Execute($"BEGIN; INSERT INTO a2 VALUES ({i++}, 'x'); COMMIT"));
            double two = Measure.MedianSeconds(count, () => s.Execute($"BEGIN; INSERT INTO a3 VALUES ({i++}, 'x'); INSERT INTO b3 VALUES ({i}, 'y'); COMMIT"));
            Console.WriteLine($"INSERT of one row, autocommit                 {auto * 1000,7:F2} ms");
            Console.WriteLine($"BEGIN; INSERT; COMMIT (one dataset)           {one * 1000,7:F2} ms");
            Console.WriteLine($"BEGIN; INSERT a; INSERT b; COMMIT (two)       {two * 1000,7:F2} ms");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

}
