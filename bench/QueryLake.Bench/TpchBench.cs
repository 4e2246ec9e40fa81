using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// TPC-H against DuckDB: data and the 22 queries from the TPC's dbgen/qgen (<c>../shared/tpch-dbgen/generate.sh</c>),
/// loaded into a QueryLake lake and into DuckDB (in process, DuckDB.NET) from the same '|'-delimited files, each
/// engine inferring the column types. For each query: the median of the warm runs in each engine, the
/// QueryLake/DuckDB ratio and whether the results match (rows, numbers within 1e-9 relative); then the geometric
/// mean, the planning time of a 17-way join, the CPU model and the memory read bandwidth measured in the same run.
/// </summary>
internal static class TpchBench
{
    private static readonly (string Table, string Columns)[] Tables =
    [
        ("region", "r_regionkey|r_name|r_comment"),
        ("nation", "n_nationkey|n_name|n_regionkey|n_comment"),
        ("supplier", "s_suppkey|s_name|s_address|s_nationkey|s_phone|s_acctbal|s_comment"),
        ("customer", "c_custkey|c_name|c_address|c_nationkey|c_phone|c_acctbal|c_mktsegment|c_comment"),
        ("part", "p_partkey|p_name|p_mfgr|p_brand|p_type|p_size|p_container|p_retailprice|p_comment"),
        ("partsupp", "ps_partkey|ps_suppkey|ps_availqty|ps_supplycost|ps_comment"),
        ("orders", "o_orderkey|o_custkey|o_orderstatus|o_totalprice|o_orderdate|o_orderpriority|o_clerk|o_shippriority|o_comment"),
        ("lineitem", "l_orderkey|l_partkey|l_suppkey|l_linenumber|l_quantity|l_extendedprice|l_discount|l_tax|l_returnflag|l_linestatus|l_shipdate|l_commitdate|l_receiptdate|l_shipinstruct|l_shipmode|l_comment"),
    ];

    /// <summary>usage: tpch [scale factor, default 1] [repeat, default 3] [work dir, default the temp dir]</summary>
    public static void Run(string[] args)
    {
        string sf = args.Length > 0 ? args[0] : "1";
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var work = Path.Combine(args.Length > 2 ? args[2] : Path.GetTempPath(), $"ql-tpch-sf{sf}");
        var data = Path.Combine(work, "data");
        if (!File.Exists(Path.Combine(data, "lineitem.csv"))) Generate(sf, data);

        var clock = Stopwatch.StartNew();
        var lakePath = Path.Combine(work, "lake");
        // A lake loaded by an earlier run is reused (loading SF1 from CSV takes minutes); its load time is then not shown.
        bool reuse = Tables.All(t => Directory.Exists(Path.Combine(lakePath, t.Table, "_versions")));
        using var session = QueryLakeSession.Open(lakePath);
        if (!reuse)
            foreach (var (t, _) in Tables) session.Execute($"IMPORT CSV '{Path.Combine(data, t + ".csv")}' INTO {t} (DELIMITER '|')");
        var qlLoad = clock.Elapsed.TotalSeconds;
        clock.Restart();
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        foreach (var (t, _) in Tables) Exec(duck, $"CREATE TABLE {t} AS SELECT * FROM read_csv('{Path.Combine(data, t + ".csv")}', delim = '|', header = true)");
        var duckLoad = clock.Elapsed.TotalSeconds;
        session.StatementTimeout = TimeSpan.FromMinutes(2);

        Console.WriteLine($"# TPC-H SF{sf}: QueryLake vs DuckDB {DuckVersion(duck)} (in process) — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"# CPU: {CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}; median of {repeat} warm runs each");
        Console.WriteLine($"# memory read bandwidth (all cores, same run): {Limits.MemoryReadBytesPerSecondAllCores() / 1e9:F1} GB/s");
        Console.WriteLine($"# load from CSV: QueryLake {(reuse ? "(lake reused)" : $"{qlLoad:F1} s")}, DuckDB {duckLoad:F1} s; lineitem {session.Query("SELECT count(*) FROM lineitem").Rows().Single()[0]:N0} rows; statement timeout 2 min");
        Console.WriteLine($"{"query",-6} {"QueryLake ms",12} {"DuckDB ms",10} {"ratio",7}  result");
        double logSum = 0;
        int ran = 0, same = 0;
        for (int q = 1; q <= 22; q++)
        {
            var sql = File.ReadAllText(Path.Combine(data, "queries", $"q{q:D2}.sql"));
            var theirs = Time(repeat, () => Rows(duck, sql), out var expected);
            double ours;
            List<object?[]> actual;
            try { ours = Time(repeat, () => session.Query(sql).Rows().Select(r => r.Select(Normal).ToArray()).ToList(), out actual); }
            catch (Errors.QueryLakeException e)
            {
                Console.WriteLine($"q{q:D2}    {"failed",12} {theirs * 1000,10:F1} {"",7}  {e.Code}: {e.Message.Split('\n')[0]}");
                continue;
            }
            ran++;
            string verdict = Compare(expected, actual);
            if (verdict == "same") same++;
            double ratio = ours / theirs;
            logSum += Math.Log(ratio);
            Console.WriteLine($"q{q:D2}   {ours * 1000,12:F1} {theirs * 1000,10:F1} {ratio,7:F2}  {verdict}");
        }
        Console.WriteLine($"{ran}/22 ran, {same}/22 gave DuckDB's result; geometric mean of QueryLake/DuckDB time over those that ran: {Math.Exp(logSum / Math.Max(1, ran)):F2}x");

        // Planning a 17-way join (a chain of equalities over 17 copies of nation).
        var names = Enumerable.Range(0, 17).Select(i => $"n{i}").ToList();
        var join = $"EXPLAIN SELECT count(*) FROM {string.Join(", ", names.Select(n => $"nation {n}"))} WHERE " +
                   string.Join(" AND ", names.Skip(1).Select((n, i) => $"{names[i]}.n_nationkey = {n}.n_regionkey"));
        var plan = Time(5, () => session.Query(join).RowCount, out _);
        Console.WriteLine($"planning a 17-way join: {plan * 1000:F1} ms (median of 5)");
    }

    private static void Generate(string sf, string data)
    {
        var generator = Path.GetFullPath(Path.Combine(SqlBench.RepositoryRoot(), "..", "shared", "tpch-dbgen", "generate.sh"));
        var psi = new ProcessStartInfo("bash", [generator, sf, data]);
        using (var p = Process.Start(psi)!) p.WaitForExit();
        foreach (var (t, columns) in Tables)
        {
            using var w = new StreamWriter(Path.Combine(data, t + ".csv"));
            w.Write(columns);
            w.Write('\n');
            foreach (var line in File.ReadLines(Path.Combine(data, t + ".tbl")))
            {
                w.Write(line.AsSpan().TrimEnd('|'));
                w.Write('\n');
            }
            File.Delete(Path.Combine(data, t + ".tbl"));
        }
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

    private static List<object?[]> Rows(DuckDBConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = Normal(reader.IsDBNull(i) ? null : reader.GetValue(i));
            rows.Add(row);
        }
        return rows;
    }

    private static object? Normal(object? v) => v switch
    {
        null or DBNull => null,
        string s => s,
        bool b => b,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("O", CultureInfo.InvariantCulture),
        System.Numerics.BigInteger i => (double)i,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    private static string Compare(List<object?[]> expected, List<object?[]> actual)
    {
        if (expected.Count != actual.Count) return $"DIFFERENT: {actual.Count} rows, DuckDB {expected.Count}";
        for (int r = 0; r < expected.Count; r++)
            for (int c = 0; c < expected[r].Length; c++)
            {
                var (a, b) = (expected[r][c], actual[r][c]);
                bool ok = (a, b) switch
                {
                    (null, null) => true,
                    (double x, double y) => x == y || Math.Abs(x - y) <= 1e-9 * Math.Max(Math.Abs(x), Math.Abs(y)) || Math.Abs(x - y) < 1e-9,
                    _ => Equals(a, b),
                };
                if (!ok) return $"DIFFERENT at row {r} column {c}: {b ?? "NULL"} vs DuckDB {a ?? "NULL"}";
            }
        return "same";
    }

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown" : "unknown";
}
