using System.Diagnostics;
using System.Globalization;
using QueryLake.Sessions;
using QueryLake.Storage.Integrity;

namespace QueryLake.Bench;

/// <summary>
/// What checksums cost a scan. A dataset of N rows (a BIGINT, d DOUBLE, s VARCHAR) is written; then, each time in a new
/// session (so every data file is opened, and verified, again; the files are in the page cache), a scan of every
/// column and a scan of one, with verification on and off in turn. Medians of `repeat`, next to one core's memory read
/// bandwidth and the rate of hashing whole files, same run.
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
            foreach (var f in files) FileChecksum.Of(f); // warm the page cache
            double hash = Measure.MedianSeconds(repeat, () => { foreach (var f in files) FileChecksum.Of(f); });
            Console.WriteLine($"memory read bandwidth (one core)      {bandwidth / 1e9,8:F1} GB/s");
            Console.WriteLine($"XXH3 of every data file              {hash * 1000,8:F1} ms  {bytes / hash / 1e9,6:F1} GB/s (what CHECK DATASET hashes)");
            foreach (var (label, sql) in new[] { ("all columns", "SELECT sum(a), sum(d), sum(length(s)) FROM t"), ("one column of three", "SELECT sum(a) FROM t") })
            {
                // Verification on and off, alternating, each scan in a new session (files opened, and verified, again).
                var on = new List<double>();
                var off = new List<double>();
                for (int i = 0; i <= repeat; i++)
                {
                    Storage.Fragments.FileCache.VerifyChecksums = true;
                    var a = Time(() => Scan(root, sql));
                    Storage.Fragments.FileCache.VerifyChecksums = false;
                    var b = Time(() => Scan(root, sql));
                    if (i > 0) { on.Add(a); off.Add(b); }
                }
                Storage.Fragments.FileCache.VerifyChecksums = true;
                on.Sort();
                off.Sort();
                double with = on[on.Count / 2], without = off[off.Count / 2];
                Console.WriteLine($"first scan, {label,-20} {with * 1000,8:F1} ms verified, {without * 1000,8:F1} ms not: {(with - without) / without * 100,5:F1}% for checksums");
            }
            Console.WriteLine("later scans in the same process verify nothing again (each part is verified once per open file)");
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

    private static double Time(Action run)
    {
        var sw = Stopwatch.StartNew();
        run();
        return sw.Elapsed.TotalSeconds;
    }

}
