using System.Diagnostics;
using DuckDB.NET.Data;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// A sort over about ten times its memory limit: QueryLake spills sorted runs and merges them, DuckDB (in process,
/// same rows, same limit, its own temp directory) does what it does. Both sort the same table of N rows (id BIGINT,
/// s VARCHAR with a pseudo-random key) by s, id; the time is to read every row of the sorted result. The disk write
/// rate measured in the same run bounds what spilling can cost.
/// usage: bench spill [rows] [memory limit MB] [repeat] [dir]
/// </summary>
internal static class SpillBench
{
    public static void Run(string[] args)
    {
        long rows = args.Length > 0 ? long.Parse(args[0]) : 10_000_000;
        int limitMb = args.Length > 1 ? int.Parse(args[1]) : 64;
        int repeat = args.Length > 2 ? int.Parse(args[2]) : 3;
        var root = Path.Combine(args.Length > 3 ? args[3] : Path.GetTempPath(), "ql-spill-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        Console.WriteLine($"# sort over its memory limit — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        Console.WriteLine($"# disk sequential write (fsync, same run): {Limits.DiskWriteBytesPerSecond(root, 1L << 30) / 1e9:F2} GB/s");
        Console.WriteLine($"# {rows:N0} rows (id BIGINT, s VARCHAR), ORDER BY s, id, memory_limit {limitMb} MB; median of {repeat} runs; every row read");
        const string Select = "SELECT id, s FROM t ORDER BY s, id";
        string make = $"SELECT range AS id, 'k' || CAST((range * 2654435761) % 1000000007 AS VARCHAR) AS s FROM range({rows})";
        try
        {
            using var session = QueryLakeSession.Open(Path.Combine(root, "lake"));
            session.TempDirectory = root;
            session.Execute($"CREATE DATASET t AS {make}");
            using var duck = new DuckDBConnection($"Data Source={Path.Combine(root, "t.duckdb")}");
            duck.Open();
            Exec(duck, $"CREATE TABLE t AS {make}");
            Exec(duck, $"SET temp_directory = '{Path.Combine(root, "duck-tmp")}'");
            foreach (var (limit, label) in new[] { ((long?)null, "no limit"), ((long)limitMb << 20, $"{limitMb} MB") })
            {
                session.MemoryLimit = limit;
                Exec(duck, limit is null ? "RESET memory_limit" : $"SET memory_limit = '{limitMb}MB'");
                double ql = Measure.Median(repeat, () =>
                {
                    var sw = Stopwatch.StartNew();
                    long n = 0;
                    foreach (var b in session.Query(Select)) n += b.Length;
                    if (n != rows) throw new InvalidOperationException($"QueryLake sorted {n} rows");
                    return sw.Elapsed.TotalSeconds;
                });
                double dk = Measure.Median(repeat, () =>
                {
                    var sw = Stopwatch.StartNew();
                    using var cmd = duck.CreateCommand();
                    cmd.CommandText = Select;
                    cmd.UseStreamingMode = true;
                    using var r = cmd.ExecuteReader();
                    long n = 0;
                    while (r.Read()) n++;
                    if (n != rows) throw new InvalidOperationException($"DuckDB sorted {n} rows");
                    return sw.Elapsed.TotalSeconds;
                });
                var plan = limit is null ? "" : " " + ((string)session.Query("EXPLAIN ANALYZE " + Select).Rows().Single()[0]!).Split('\n').First(l => l.StartsWith("total", StringComparison.Ordinal));
                Console.WriteLine($"{label,-9} QueryLake {ql,7:F2} s   DuckDB {dk,7:F2} s   ratio {ql / dk,5:F2}{plan}");
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static void Exec(DuckDBConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

}
