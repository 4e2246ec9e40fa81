using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using QueryLake.Tests.Tpch;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// TPC-H against DuckDB: data and the 22 queries from the TPC's dbgen/qgen (<c>../shared/tpch-dbgen/generate.sh</c>),
/// loaded into a QueryLake lake and into DuckDB (in process, DuckDB.NET) from the same '|'-delimited files, each
/// engine inferring the column types. For each query: the median of the warm runs in each engine, the
/// QueryLake/DuckDB ratio and whether the results match (rows, numbers within 1e-9 relative); then the geometric
/// mean, the planning time of a 17-way join, the CPU model and the memory read bandwidth measured in the same run.
/// With a memory limit (the fourth argument, e.g. 2GB), both engines run under it (QueryLake's <c>memory_limit</c>,
/// DuckDB's, with DuckDB on a database file so its tables need not fit), and each query's peak resident memory is
/// measured per engine, each engine in a process of its own (<see cref="TpchPeakMemory"/>).
/// </summary>
internal static class TpchBench
{
    /// <summary>usage: tpch [scale factor, default 1] [repeat, default 3] [work dir, default the temp dir] [memory limit, default none]</summary>
    /// <summary>The TPC-H files (with the 22 queries in data/queries) and a lake loaded from them under
    /// <paramref name="work"/>; a lake loaded by an earlier run is reused (loading SF1 from CSV takes minutes).</summary>
    public static (string Data, string Lake, bool Reused) Lake(string sf, string work)
    {
        var data = Path.Combine(work, "data");
        if (!File.Exists(Path.Combine(data, "lineitem.csv")))
            TpchFiles.Generate(Path.GetFullPath(Path.Combine(SqlBench.RepositoryRoot(), "..", "shared", "tpch-dbgen", "generate.sh")), sf, data);
        var lakePath = Path.Combine(work, "lake");
        bool reuse = TpchFiles.Tables.All(t => Directory.Exists(Path.Combine(lakePath, t.Table, "_versions")));
        if (!reuse)
        {
            using var session = QueryLakeSession.Open(lakePath);
            foreach (var (t, _) in TpchFiles.Tables) session.Execute($"IMPORT CSV '{Path.Combine(data, t + ".csv")}' INTO {t} (DELIMITER '|')");
        }
        return (data, lakePath, reuse);
    }

    public static void Run(string[] args)
    {
        string sf = args.Length > 0 ? args[0] : "1";
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var work = Path.Combine(args.Length > 2 ? args[2] : Path.GetTempPath(), $"ql-tpch-sf{sf}");
        string? limit = args.Length > 3 ? args[3] : null;
        var clock = Stopwatch.StartNew();
        var (data, lakePath, reuse) = Lake(sf, work);
        using var session = QueryLakeSession.Open(lakePath);
        var qlLoad = clock.Elapsed.TotalSeconds;
        clock.Restart();
        // Under a memory limit DuckDB keeps its tables in a file, as QueryLake keeps them in the lake.
        var duckFile = Path.Combine(work, "duck.db");
        if (limit is not null) File.Delete(duckFile);
        var duck = new DuckDBConnection(limit is null ? "Data Source=:memory:" : $"Data Source={duckFile}");
        duck.Open();
        if (limit is not null)
        {
            Exec(duck, $"SET memory_limit = '{limit}'");
            Exec(duck, $"SET temp_directory = '{Path.Combine(work, "duck-tmp")}'");
            session.Execute($"SET memory_limit = '{limit}'");
        }
        foreach (var (t, _) in TpchFiles.Tables) Exec(duck, $"CREATE TABLE {t} AS SELECT * FROM read_csv('{Path.Combine(data, t + ".csv")}', delim = '|', header = true)");
        var duckLoad = clock.Elapsed.TotalSeconds;
        var timeout = TimeSpan.FromMinutes(double.Parse(sf, CultureInfo.InvariantCulture) >= 10 ? 10 : 2);
        session.StatementTimeout = timeout;

        Console.WriteLine($"# TPC-H SF{sf}: QueryLake vs DuckDB {DuckVersion(duck)} (in process) — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"# CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}; median of {repeat} warm runs each");
        Console.WriteLine($"# memory read bandwidth (all cores, same run): {Limits.MemoryReadBytesPerSecondAllCores() / 1e9:F1} GB/s");
        Console.WriteLine($"# load from CSV: QueryLake {(reuse ? "(lake reused)" : $"{qlLoad:F1} s")}, DuckDB {duckLoad:F1} s; lineitem {session.Query("SELECT count(*) FROM lineitem").Rows().Single()[0]:N0} rows; statement timeout {timeout.TotalMinutes} min");
        if (limit is not null) Console.WriteLine($"# memory_limit {limit} in both engines; peak RSS per query and engine, each engine alone in a process (VmHWM, reset before each query)");
        Console.WriteLine($"{"query",-6} {"QueryLake ms",12} {"DuckDB ms",10} {"ratio",7}  result");
        double logSum = 0;
        int ran = 0, same = 0;
        for (int q = 1; q <= 22; q++)
        {
            var sql = File.ReadAllText(Path.Combine(data, "queries", $"q{q:D2}.sql"));
            var theirs = Time(repeat, () => TpchFiles.DuckDbRows(duck, sql), out var expected);
            double ours;
            List<object?[]> actual;
            try { ours = Time(repeat, () => session.Query(sql).Rows().Select(r => r.Select(TpchFiles.Normal).ToArray()).ToList(), out actual); }
            catch (Errors.QueryLakeException e)
            {
                Console.WriteLine($"q{q:D2}    {"failed",12} {theirs * 1000,10:F1} {"",7}  {e.Code}: {e.Message.Split('\n')[0]}");
                continue;
            }
            ran++;
            string verdict = TpchFiles.Compare(expected, actual);
            if (verdict == "same") same++;
            double ratio = ours / theirs;
            logSum += Math.Log(ratio);
            Console.WriteLine($"q{q:D2}   {ours * 1000,12:F1} {theirs * 1000,10:F1} {ratio,7:F2}  {verdict}");
        }
        Console.WriteLine($"{ran}/22 ran, {same}/22 gave DuckDB's result; geometric mean of QueryLake/DuckDB time over those that ran: {Math.Exp(logSum / Math.Max(1, ran)):F2}x");
        if (limit is not null)
        {
            // The DuckDB file is closed first: the child opens it.
            duck.Dispose();
            TpchPeakMemory.Report(data, lakePath, duckFile, limit);
        }
        else duck.Dispose();

        // Planning a 17-way join (a chain of equalities over 17 copies of nation).
        var names = Enumerable.Range(0, 17).Select(i => $"n{i}").ToList();
        var join = $"EXPLAIN SELECT count(*) FROM {string.Join(", ", names.Select(n => $"nation {n}"))} WHERE " +
                   string.Join(" AND ", names.Skip(1).Select((n, i) => $"{names[i]}.n_nationkey = {n}.n_regionkey"));
        var plan = Time(5, () => session.Query(join).RowCount, out _);
        Console.WriteLine($"planning a 17-way join: {plan * 1000:F1} ms (median of 5)");
    }


    private static double Time<T>(int repeat, Func<T> run, out T result)
    {
        var warm = Stopwatch.StartNew();
        result = run(); // warm-up
        if (warm.Elapsed > TimeSpan.FromSeconds(30)) return warm.Elapsed.TotalSeconds; // too slow to repeat: one run
        var times = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            result = run();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static void Exec(DuckDBConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string DuckVersion(DuckDBConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT version()";
        return (string)cmd.ExecuteScalar()!;
    }




}
