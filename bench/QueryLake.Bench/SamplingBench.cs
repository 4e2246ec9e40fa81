using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;

using static QueryLake.Bench.Measure;

namespace QueryLake.Bench;

/// <summary>
/// The sampling benchmark: a stratified sample and a stratified grouped split of N rows (default 10M) in QueryLake,
/// next to DuckDB doing the same with row_number() OVER (PARTITION BY … ORDER BY hash(…)) on the same data in the
/// same run; medians and ratios.
/// </summary>
internal static class SamplingBench
{
    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        long rows = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
        var work = Path.Combine(Path.GetTempPath(), "ql-sampbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            // The same rows in both engines: drive = id % 10007, lighting: 10% night, 20% dusk, 70% day.
            const string Lighting = "CASE WHEN id % 10 = 0 THEN 'night' WHEN id % 10 < 3 THEN 'dusk' ELSE 'day' END";
            var setup = Path.Combine(work, "setup.sql");
            File.WriteAllText(setup, $"CREATE TABLE t AS SELECT range AS id, range % 10007 AS drive, {Lighting.Replace("id", "range")} AS lighting FROM range({rows})");
            string[] duckQueries =
            [
                "SELECT lighting, count(*) FROM (SELECT lighting, row_number() OVER (PARTITION BY lighting ORDER BY hash(id, 7)) AS rn, count(*) OVER (PARTITION BY lighting) AS n FROM t) WHERE rn <= round(n * 0.1) GROUP BY lighting",
                "SELECT part, count(*) FROM (SELECT CASE WHEN row_number() OVER (PARTITION BY lighting ORDER BY hash(drive, 7)) <= round(0.8 * count(*) OVER (PARTITION BY lighting)) THEN 'train' ELSE 'test' END AS part FROM (SELECT drive, min(lighting) AS lighting FROM t GROUP BY drive)) GROUP BY part",
            ];
            var queriesFile = Path.Combine(work, "queries.json");
            File.WriteAllText(queriesFile, JsonSerializer.Serialize(duckQueries));
            var peers = Path.Combine(SqlBench.RepositoryRoot(), "bench", "peers");
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = peers };
            foreach (var a in new[] { Path.Combine(peers, "duckdb-time.mjs"), queriesFile, repeat.ToString(CultureInfo.InvariantCulture), setup }) psi.ArgumentList.Add(a);
            using var node = Process.Start(psi)!;
            var duck = JsonDocument.Parse(node.StandardOutput.ReadToEnd()).RootElement;
            node.WaitForExit();

            using var session = QueryLakeSession.Open(Path.Combine(work, "lake"));
            var schema = new Schema([new Field("id", DataType.Int64, false), new Field("drive", DataType.Int64, false), new Field("lighting", DataType.Utf8, false)]);
            var ds = session.Lake.CreateDataset("t", schema);
            ds.Append(Batches(schema, rows));
            Console.WriteLine($"# Sampling and splits: QueryLake vs DuckDB — {rows:N0} rows, 10,007 drives, 3 lighting strata; median of {repeat}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"{"workload",-60} {"QueryLake ms",12} {"DuckDB ms",10} {"ratio",7}");
            double sample = Median(repeat, () => Time(() => session.Query("SELECT lighting, count(*) FROM t SAMPLE 10 PERCENT STRATIFY BY lighting SEED 7 GROUP BY lighting")));
            Report("stratified 10% sample (exact per-stratum counts)", sample, duck[0].GetProperty("seconds").GetDouble());
            int k = 0;
            double split = Median(repeat, () => Time(() => session.Execute($"CREATE SPLIT s{k++} FROM (SELECT * FROM t) INTO train 80 PERCENT, test 20 PERCENT STRATIFY BY lighting GROUP BY drive SEED 7")));
            Report("stratified split grouped by drive, 80/20 (persisted)", split, duck[1].GetProperty("seconds").GetDouble());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static IEnumerable<RecordBatch> Batches(Schema schema, long rows)
    {
        const int Size = 1 << 16;
        for (long start = 0; start < rows; start += Size)
        {
            int n = (int)Math.Min(Size, rows - start);
            var id = new PrimitiveBuilder<long>(DataType.Int64);
            var drive = new PrimitiveBuilder<long>(DataType.Int64);
            var lighting = new BinaryBuilder(DataType.Utf8);
            for (long i = start; i < start + n; i++)
            {
                id.Append(i);
                drive.Append(i % 10007);
                lighting.Append(i % 10 == 0 ? "night" : i % 10 < 3 ? "dusk" : "day");
            }
            yield return new RecordBatch(schema, [id.Build(), drive.Build(), lighting.Build()], n);
        }
    }

    private static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalSeconds;
    }

    private static void Report(string name, double ours, double theirs) =>
        Console.WriteLine($"{name,-60} {ours * 1000,12:F0} {theirs * 1000,10:F0} {ours / theirs,7:F1}");
}
