using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;

using static QueryLake.Bench.Measure;

namespace QueryLake.Bench;

/// <summary>
/// The Parquet scan benchmark: flights-3m.parquet read directly by QueryLake and by DuckDB in the same run — a full
/// scan of every column, a 2-column projection and selective filters — with median times, ratios, and the decoded
/// bytes per second next to the machine's memory bandwidth measured in the same run. Also times QueryLake's writer.
/// </summary>
internal static class ParquetBench
{
    private static readonly string[] Queries =
    [
        "SELECT count(*), sum(delay), sum(distance), max(date), max(origin), max(destination) FROM '$FILE'",
        "SELECT sum(delay), sum(distance) FROM '$FILE'",
        "SELECT count(*), avg(delay) FROM '$FILE' WHERE date >= TIMESTAMP '2001-06-20 00:00:00'",
        "SELECT count(*), avg(delay) FROM '$FILE' WHERE origin = 'SFO'",
    ];

    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
        var file = Path.Combine(SqlBench.RepositoryRoot(), "tests", "oracles", "node_modules", "vega-datasets", "data", "flights-3m.parquet");
        var queries = Queries.Select(q => q.Replace("$FILE", file, StringComparison.Ordinal)).ToArray();
        var work = Path.Combine(Path.GetTempPath(), "ql-pqbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            // DuckDB times each query right before QueryLake does (the machine is shared, and its speed drifts over
            // minutes: timing all of one engine's queries first and then the other's compared different moments).
            var peers = Path.Combine(SqlBench.RepositoryRoot(), "bench", "peers");
            JsonElement Duck(string query)
            {
                var queriesFile = Path.Combine(work, "query.json");
                File.WriteAllText(queriesFile, JsonSerializer.Serialize(new[] { query }));
                var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = peers };
                foreach (var a in new[] { Path.Combine(peers, "duckdb-time.mjs"), queriesFile, repeat.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
                using var node = Process.Start(psi)!;
                var result = JsonDocument.Parse(node.StandardOutput.ReadToEnd()).RootElement[0].Clone();
                node.WaitForExit();
                return result;
            }

            double memRead = Median(repeat, () => Limits.MemoryReadBytesPerSecond());
            var reader = ParquetFileReader.Open(file);
            long decoded = reader.ReadAll().Sum(b => b.Columns.Sum(c => c.Data.Buffers.Sum(x => (long)x.Length)));
            Console.WriteLine($"# Parquet scan: QueryLake vs DuckDB — flights-3m.parquet ({new FileInfo(file).Length / 1e6:F1} MB, {reader.RowCount:N0} rows, {reader.RowGroupCount} row groups, {reader.CreatedBy}), median of {repeat}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine($"limit  memory read (1 thread, SIMD) {memRead / 1e9,8:F2} GB/s;  full decode produces {decoded / 1e6:F0} MB of Arrow buffers");
            using var session = QueryLakeSession.Open();
            Console.WriteLine($"{"query",-110} {"QueryLake ms",12} {"DuckDB ms",10} {"ratio",7}");
            double logSum = 0;
            for (int i = 0; i < queries.Length; i++)
            {
                var duck = Duck(queries[i]);
                session.Query(queries[i]);
                long rows = 0;
                double ours = Median(repeat, () =>
                {
                    var sw = Stopwatch.StartNew();
                    rows = session.Query(queries[i]).RowCount;
                    return sw.Elapsed.TotalSeconds;
                });
                double theirs = duck.GetProperty("seconds").GetDouble();
                if (rows != duck.GetProperty("rows").GetInt64()) Console.WriteLine($"  ! row counts differ: {rows} vs {duck.GetProperty("rows")}");
                logSum += Math.Log(ours / theirs);
                Console.WriteLine($"{Queries[i],-110} {ours * 1000,12:F1} {theirs * 1000,10:F1} {ours / theirs,7:F2}");
                if (i == 0) Console.WriteLine($"  full scan decodes {decoded / ours / 1e9:F2} GB/s of Arrow data = {decoded / ours / memRead:P0} of one thread's memory read bandwidth");
            }
            Console.WriteLine($"geometric mean of QueryLake/DuckDB time: {Math.Exp(logSum / queries.Length):F2}x");

            var batches = reader.ReadAll().ToList();
            var outFile = Path.Combine(work, "out.parquet");
            double write = Median(Math.Min(repeat, 3), () =>
            {
                var sw = Stopwatch.StartNew();
                using var w = new ParquetFileWriter(outFile, reader.Schema);
                foreach (var b in batches) w.Write(b);
                w.Finish();
                return sw.Elapsed.TotalSeconds;
            });
            Console.WriteLine($"write  flights-3m as Parquet (zstd, dictionary, page index): {write * 1000:F0} ms, {decoded / write / 1e9:F2} GB/s of Arrow data, {new FileInfo(outFile).Length / 1e6:F1} MB");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
