using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using QueryLake.Sessions;
using QueryLake.Tests.Tpch;

namespace QueryLake.Bench;

/// <summary>
/// Peak resident memory of each TPC-H query per engine, each engine in a process of its own (this program run again as
/// <c>tpch-peak ENGINE DATA LAKE-OR-DB LIMIT</c>): in one process, each engine's figure would include the other's
/// tables and caches. The child runs the 22 queries once each under the memory limit and prints one line per query:
/// the query number, the peak of its resident memory (the kernel's high-water mark VmHWM, reset before each query),
/// and the peaks of its two parts sampled every 5 ms: anonymous memory (RssAnon: heaps, buffers, hash tables) and
/// mapped files (RssFile: QueryLake reads its data files memory-mapped, pages the kernel may drop and read again).
/// </summary>
internal static class TpchPeakMemory
{
    /// <summary>Runs both children and prints the table of peaks per query (MiB).</summary>
    public static void Report(string data, string lake, string duckFile, string limit)
    {
        var ql = Measure("ql", data, lake, limit);
        var dk = Measure("duckdb", data, duckFile, limit);
        Console.WriteLine($"# peak resident memory per query, MiB, each engine alone in its process: total (VmHWM), and sampled every 5 ms: anonymous (RssAnon) and mapped files (RssFile)");
        Console.WriteLine($"{"query",-6} {"QL total",9} {"QL anon",8} {"QL file",8} {"Duck total",10} {"Duck anon",9} {"Duck file",9} {"anon ratio",10}");
        for (int q = 1; q <= 22; q++)
        {
            var (a, b) = (ql[q], dk[q]);
            Console.WriteLine($"q{q:D2}   {a.Total,9} {a.Anon,8} {a.File,8} {b.Total,10} {b.Anon,9} {b.File,9} {(a.Anon > 0 && b.Anon > 0 ? $"{a.Anon / (double)b.Anon,10:F2}" : "")}");
        }
        Console.WriteLine($"peak over all queries: QueryLake total {ql.Max(p => p.Total)} MiB (anonymous {ql.Max(p => p.Anon)}, mapped files {ql.Max(p => p.File)}); " +
                          $"DuckDB total {dk.Max(p => p.Total)} MiB (anonymous {dk.Max(p => p.Anon)}, mapped files {dk.Max(p => p.File)})");
    }

    /// <summary>Peaks per query (index 1..22; -1 where the query failed) for <paramref name="engine"/>, from a child.</summary>
    public static (long Total, long Anon, long File)[] Measure(string engine, string data, string store, string limit)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet run` the host is the program's own executable; under `dotnet X.dll` the dll comes first.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(TpchPeakMemory).Assembly.Location);
        foreach (var a in new[] { "tpch-peak", engine, data, store, limit }) info.ArgumentList.Add(a);
        using var child = Process.Start(info)!;
        var err = child.StandardError.ReadToEndAsync();
        var peaks = Enumerable.Repeat((-1L, -1L, -1L), 23).ToArray();
        while (child.StandardOutput.ReadLine() is { } line)
        {
            var p = line.Split(' ');
            if (p.Length == 4 && int.TryParse(p[0], out int q)) peaks[q] = (long.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture), long.Parse(p[3], CultureInfo.InvariantCulture));
        }
        child.WaitForExit();
        if (child.ExitCode != 0) Console.Error.WriteLine($"tpch-peak {engine} exited with {child.ExitCode}: {err.Result}");
        return peaks;
    }

    /// <summary>The child: <c>tpch-peak ql|duckdb DATA STORE LIMIT</c>.</summary>
    public static void Child(string[] args)
    {
        var (engine, data, store, limit) = (args[0], args[1], args[2], args[3]);
        Func<string, int> run;
        IDisposable resource;
        if (engine == "ql")
        {
            var session = QueryLakeSession.Open(store);
            session.Execute($"SET memory_limit = '{limit}'");
            session.StatementTimeout = TimeSpan.FromMinutes(10);
            run = sql => session.Query(sql).Rows().Count();
            resource = session;
        }
        else
        {
            var duck = new DuckDBConnection($"Data Source={store};ACCESS_MODE=READ_ONLY");
            duck.Open();
            using (var cmd = duck.CreateCommand()) { cmd.CommandText = $"SET memory_limit = '{limit}'"; cmd.ExecuteNonQuery(); }
            run = sql => TpchFiles.DuckDbRows(duck, sql).Count;
            resource = duck;
        }
        using (resource)
            for (int q = 1; q <= 22; q++)
            {
                var sql = File.ReadAllText(Path.Combine(data, "queries", $"q{q:D2}.sql"));
                GC.Collect();
                try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                long anon = 0, file = 0;
                using var done = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!done.IsCancellationRequested)
                    {
                        var (a, f) = (Status("RssAnon:"), Status("RssFile:"));
                        anon = Math.Max(anon, a);
                        file = Math.Max(file, f);
                        try { await Task.Delay(5, done.Token); } catch (OperationCanceledException) { }
                    }
                });
                try { run(sql); }
                catch (Exception e) when (e is Errors.QueryLakeException or DuckDBException) { Console.Error.WriteLine($"q{q:D2}: {e.Message}"); continue; }
                finally { done.Cancel(); sampler.Wait(); }
                Console.WriteLine($"{q} {Status("VmHWM:")} {anon} {file}");
            }
    }

    /// <summary>A memory figure of /proc/self/status (VmHWM, RssAnon, RssFile), in MiB.</summary>
    private static long Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
