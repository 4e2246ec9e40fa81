using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using QueryLake.Sessions;
using QueryLake.Tests.Tpch;

namespace QueryLake.Bench;

/// <summary>
/// Peak resident memory of each TPC-H query per engine, each engine in a process of its own (this program run again as
/// <c>tpch-peak ENGINE DATA LAKE-OR-DB LIMIT</c>): in one process, each engine's figure would include the other's
/// tables and caches. The child runs the 22 queries once each under the memory limit, resetting the kernel's
/// high-water mark (VmHWM) before each, and prints one line per query: the query number and its peak in MiB.
/// </summary>
internal static class TpchPeakMemory
{
    /// <summary>Peaks per query (index 1..22; -1 where the query failed) for <paramref name="engine"/>, from a child.</summary>
    public static long[] Measure(string engine, string data, string store, string limit)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet run` the host is the program's own executable; under `dotnet X.dll` the dll comes first.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(TpchPeakMemory).Assembly.Location);
        foreach (var a in new[] { "tpch-peak", engine, data, store, limit }) info.ArgumentList.Add(a);
        using var child = Process.Start(info)!;
        var err = child.StandardError.ReadToEndAsync();
        var peaks = Enumerable.Repeat(-1L, 23).ToArray();
        while (child.StandardOutput.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && int.TryParse(parts[0], out int q) && long.TryParse(parts[1], out long mib)) peaks[q] = mib;
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
                try { run(sql); }
                catch (Exception e) when (e is Errors.QueryLakeException or DuckDBException) { Console.Error.WriteLine($"q{q:D2}: {e.Message}"); continue; }
                Console.WriteLine($"{q} {PeakMiB()}");
            }
    }

    /// <summary>The process's peak resident memory since the last reset, in MiB (VmHWM).</summary>
    public static long PeakMiB()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
