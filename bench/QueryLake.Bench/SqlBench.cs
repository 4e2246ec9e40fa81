using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// The SQL benchmark: the same queries over flights-3m (and airports) in QueryLake and in DuckDB, in one run on
/// one machine, reporting median times, the QueryLake/DuckDB ratio per query and their geometric mean.
/// </summary>
internal static class SqlBench
{
    private static readonly string[] Queries =
    [
        "SELECT count(*) FROM flights",
        "SELECT count(*) FROM flights WHERE delay > 60",
        "SELECT avg(delay), min(distance), max(distance), sum(distance) FROM flights",
        "SELECT count(*) FROM flights WHERE origin = 'SFO' AND delay BETWEEN 10 AND 100",
        "SELECT count(*) FROM flights WHERE destination LIKE 'S%'",
        "SELECT origin, count(*) AS n FROM flights GROUP BY origin ORDER BY n DESC LIMIT 10",
        "SELECT origin, destination, avg(delay) AS d FROM flights GROUP BY 1, 2 ORDER BY d DESC, 1, 2 LIMIT 10",
        "SELECT count(DISTINCT destination) FROM flights",
        "SELECT delay, distance, origin FROM flights ORDER BY delay DESC, distance, origin LIMIT 10",
        "SELECT month(date) AS m, avg(delay) FROM flights GROUP BY 1 ORDER BY 1",
        "SELECT distance // 100 AS d, count(*), avg(delay) FROM flights GROUP BY 1 ORDER BY 1",
        "SELECT a.state, count(*) AS n FROM flights f JOIN airports a ON f.origin = a.iata GROUP BY 1 ORDER BY n DESC LIMIT 5",
    ];

    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var work = Path.Combine(Path.GetTempPath(), "ql-sqlbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            var queriesFile = Path.Combine(work, "queries.json");
            File.WriteAllText(queriesFile, JsonSerializer.Serialize(Queries));
            var peers = Path.Combine(Root(), "bench", "peers");
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = peers };
            foreach (var a in new[] { Path.Combine(peers, "duckdb-sql.mjs"), work, queriesFile, repeat.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
            using var node = Process.Start(psi)!;
            var duck = JsonDocument.Parse(node.StandardOutput.ReadToEnd()).RootElement;
            node.WaitForExit();

            using var session = QueryLakeSession.Open(Path.Combine(work, "lake"));
            session.Execute($"CREATE DATASET flights AS SELECT * FROM '{Path.Combine(work, "flights.arrow")}'; CREATE DATASET airports AS SELECT * FROM '{Path.Combine(work, "airports.arrow")}'");
            Console.WriteLine($"# QueryLake vs DuckDB — flights-3m ({session.Query("SELECT count(*) FROM flights").Rows().Single()[0]:N0} rows), median of {repeat}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"{"query",-100} {"QueryLake ms",12} {"DuckDB ms",10} {"ratio",7}");
            double logSum = 0;
            for (int i = 0; i < Queries.Length; i++)
            {
                var times = new List<double>();
                long rows = 0;
                for (int r = 0; r < repeat; r++)
                {
                    var sw = Stopwatch.StartNew();
                    rows = session.Query(Queries[i]).RowCount;
                    times.Add(sw.Elapsed.TotalSeconds);
                }
                times.Sort();
                double ours = times[times.Count / 2], theirs = duck[i].GetProperty("seconds").GetDouble();
                if (rows != duck[i].GetProperty("rows").GetInt64()) Console.WriteLine($"  ! row counts differ: {rows} vs {duck[i].GetProperty("rows")}");
                double ratio = ours / theirs;
                logSum += Math.Log(ratio);
                Console.WriteLine($"{Queries[i],-100} {ours * 1000,12:F1} {theirs * 1000,10:F1} {ratio,7:F1}");
            }
            Console.WriteLine($"geometric mean of QueryLake/DuckDB time: {Math.Exp(logSum / Queries.Length):F1}x");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static string RepositoryRoot() => Root();

    private static string Root()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "QueryLake.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("run from inside the repository");
    }
}
