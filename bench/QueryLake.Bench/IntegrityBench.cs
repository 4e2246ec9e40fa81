using System.Diagnostics;
using System.Globalization;
using QueryLake.Sessions;
using QueryLake.Storage.Integrity;

namespace QueryLake.Bench;

/// <summary>
/// What checksums cost a scan. A dataset of N rows (a BIGINT, d DOUBLE, s VARCHAR) is written; then, each time in a new
/// session (so every data file is opened, and verified, again; the files are in the page cache): a scan of every
/// column and a scan of one, and the time to hash every data file of the version (what verification adds to the first
/// scan of a process). Medians of `repeat`, next to one core's memory read bandwidth and the hash rate, same run.
/// usage: bench integrity [rows, default 10000000] [repeat, default 5] [dir]
/// </summary>
internal static class IntegrityBench
{
    public static void Run(string[] args)
    {
        long rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var root = Path.Combine(args.Length > 2 ? args[2] : Path.GetTempPath(), "ql-integrity-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (var s = QueryLakeSession.Open(root))
                s.Execute($"CREATE DATASET t AS SELECT range AS a, range * 0.5 AS d, 'row ' || CAST(range % 100000 AS VARCHAR) AS s FROM range({rows})");
            var files = Directory.EnumerateFiles(Path.Combine(root, "t", "data")).ToList();
            long bytes = files.Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"# checksums on scans — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}");
            Console.WriteLine($"# {rows:N0} rows in {files.Count} data files, {bytes / 1e6:F0} MB; medians of {repeat}; each scan in a new session (files verified on first open)");
            double bandwidth = Limits.MemoryReadBytesPerSecond();
            double hash = Median(repeat, () => { foreach (var f in files) FileChecksum.Of(f); });
            double all = Median(repeat, () => Scan(root, "SELECT sum(a), sum(d), sum(length(s)) FROM t"));
            double one = Median(repeat, () => Scan(root, "SELECT sum(a) FROM t"));
            Console.WriteLine($"memory read bandwidth (one core)      {bandwidth / 1e9,8:F1} GB/s");
            Console.WriteLine($"XXH3 of every data file              {hash * 1000,8:F1} ms  {bytes / hash / 1e9,6:F1} GB/s");
            Console.WriteLine($"first scan, all columns              {all * 1000,8:F1} ms  verification {hash / all * 100,5:F1}% of it");
            Console.WriteLine($"first scan, one column of three      {one * 1000,8:F1} ms  verification {hash / one * 100,5:F1}% of it");
            Console.WriteLine("later scans in the same process verify nothing again (files are verified once per open)");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    private static void Scan(string root, string sql)
    {
        using var s = QueryLakeSession.Open(root);
        s.Query(sql).Rows().ToList();
    }

    private static double Median(int repeat, Action run)
    {
        run();
        var times = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
