using System.Data.Common;
using System.Diagnostics;
using DuckDB.NET.Data;
using QueryLake.Data;

namespace QueryLake.Bench;

/// <summary>
/// Reading a whole dataset through ADO.NET: time to the first row, time to read every row, and the memory the process
/// holds while reading, for datasets of 1M, 10M and 100M rows (id BIGINT, x DOUBLE, s VARCHAR). QueryLake's reader
/// streams, so its memory should not grow with the size; DuckDB.NET's reader (streaming mode) runs beside it on the
/// same rows in the same run. Each engine runs in a child process of its own, so one's memory does not count against
/// the other's.
/// usage: bench stream [sizes, comma-separated] [dir]
/// </summary>
internal static class StreamBench
{
    public static void Run(string[] args)
    {
        if (args is ["child", var which, var dir, var rowsText]) { Child(which, dir, long.Parse(rowsText)); return; }
        var sizes = (args.Length > 0 ? args[0] : "1000000,10000000,100000000").Split(',').Select(long.Parse).ToArray();
        var root = Path.Combine(args.Length > 1 ? args[1] : Path.GetTempPath(), "ql-stream-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        Console.WriteLine($"# ADO.NET SELECT * streaming — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        Console.WriteLine($"# memory read bandwidth (one core, same run): {Limits.MemoryReadBytesPerSecond() / 1e9:F1} GB/s");
        Console.WriteLine("# rows: id BIGINT, x DOUBLE, s VARCHAR ('row ' || id); read with GetInt64, GetDouble, GetString per row");
        Console.WriteLine("# anon MiB: peak anonymous resident memory while reading, above the level before ExecuteReader (heap and native allocations)");
        Console.WriteLine("# RSS MiB: peak resident memory while reading, above the level before (includes pages of memory-mapped data files, which the OS reclaims)");
        Console.WriteLine("# peak RSS MiB: the child process's high-water mark, creating the table included");
        Console.WriteLine($"{"engine",-10} {"rows",12} {"first row ms",13} {"read all s",11} {"M rows/s",9} {"anon MiB",9} {"RSS MiB",9} {"peak RSS MiB",13}");
        try
        {
            foreach (var rows in sizes)
                foreach (var engine in new[] { "querylake", "duckdb" })
                {
                    var psi = new ProcessStartInfo(Environment.ProcessPath!, [typeof(StreamBench).Assembly.Location, "stream", "child", engine, root, rows.ToString()])
                        { RedirectStandardOutput = true };
                    if (!Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal)) psi.ArgumentList.RemoveAt(0);
                    using var p = Process.Start(psi)!;
                    Console.WriteLine(p.StandardOutput.ReadToEnd().TrimEnd());
                    p.WaitForExit();
                }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static void Child(string engine, string root, long rows)
    {
        var path = Path.Combine(root, $"{engine}-{rows}");
        string create = $"CREATE {(engine == "duckdb" ? "TABLE" : "DATASET")} t AS SELECT range AS id, CAST(range AS DOUBLE) * 0.5 AS x, 'row ' || CAST(range AS VARCHAR) AS s FROM range({rows})";
        using DbConnection c = engine == "duckdb" ? new DuckDBConnection($"Data Source={path}.duckdb") : new QueryLakeConnection($"Data Source={path}");
        c.Open();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = create;
            cmd.CommandTimeout = 0;
            cmd.ExecuteNonQuery();
        }
        if (engine == "duckdb")
        {
            // A fresh connection, so the table is read from the file as QueryLake's is.
            c.Close();
            c.Open();
        }
        GC.Collect();
        long anonBefore = RssAnon(), peakAnon = anonBefore, rssBefore = Status("VmRSS:"), peakRss = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakAnon = Math.Max(peakAnon, RssAnon());
                peakRss = Math.Max(peakRss, Status("VmRSS:"));
                try { await Task.Delay(5, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var sw = Stopwatch.StartNew();
        double firstMs = 0;
        long n = 0, sum = 0, chars = 0;
        double xs = 0;
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT * FROM t";
            cmd.CommandTimeout = 0;
            if (cmd is DuckDBCommand d) d.UseStreamingMode = true;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (n++ == 0) firstMs = sw.Elapsed.TotalMilliseconds;
                sum += r.GetInt64(0);
                xs += r.GetDouble(1);
                chars += r.GetString(2).Length;
            }
        }
        double total = sw.Elapsed.TotalSeconds;
        sampling.Cancel();
        sampler.Wait();
        if (n != rows || sum != rows * (rows - 1) / 2) throw new InvalidOperationException($"{engine} read {n} rows, sum {sum}");
        Console.WriteLine($"{engine,-10} {rows,12:N0} {firstMs,13:F1} {total,11:F2} {n / total / 1e6,9:F1} {(peakAnon - anonBefore) / (double)(1 << 20),9:F0} {(peakRss - rssBefore) / (double)(1 << 20),9:F0} {PeakRss() / (double)(1 << 20),13:F0}");
    }

    private static long RssAnon() => Status("RssAnon:");

    private static long PeakRss() => Status("VmHWM:");

    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

}
