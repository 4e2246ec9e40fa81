using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using QueryLake.Columnar.Interop;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// COPY against DuckDB's COPY on the same Parquet file (TPC-H lineitem, zstd), in the same run: Parquet to Parquet
/// zstd, Parquet to Arrow IPC, and reading alone; then writing the same in-memory batches as an Arrow IPC file with
/// QueryLake's writer and with Apache.Arrow's; next to the disk's fsynced write rate. Medians of `repeat`.
/// The input is made by DuckDB from dbgen's lineitem.tbl/csv (pipe-separated) at `csv`.
/// usage: bench copy CSV [repeat, default 3] [dir]
/// </summary>
internal static class CopyBench
{
    public static void Run(string[] args)
    {
        var csv = args[0];
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var root = Path.Combine(args.Length > 2 ? args[2] : Path.GetTempPath(), "ql-copy-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var source = Path.Combine(root, "lineitem.parquet");
            using var duck = new DuckDBConnection("Data Source=:memory:");
            duck.Open();
            Duck(duck, "SET threads = 2");
            Duck(duck, $"COPY (SELECT * FROM read_csv('{csv}', delim = '|', header = true)) TO '{source}' (FORMAT parquet, COMPRESSION zstd)");
            Console.WriteLine($"# COPY — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}; DuckDB {Scalar(duck, "SELECT version()")}; medians of {repeat}");
            Console.WriteLine($"# input: {source} ({new FileInfo(source).Length / 1e6:F0} MB, {Scalar(duck, $"SELECT count(*) FROM '{source}'")} rows)");
            Console.WriteLine($"# disk sequential write with fsync, same run: {Limits.DiskWriteBytesPerSecond(root, 512 << 20) / 1e6:F0} MB/s");
            using var s = QueryLakeSession.Open(Path.Combine(root, "lake"));
            string Out(string name) => Path.Combine(root, name);
            // Each pair is measured in turns (QueryLake, DuckDB, QueryLake, …): the page cache's write-back of one
            // side's output then falls on both sides alike.
            (double, double?) Pair(string ours, string theirs) => Measure.MedianSecondsInTurns(repeat, () => s.Execute(ours), () => Duck(duck, theirs));
            var rows = new List<(string, double, double?)>();
            void Row(string label, (double Ours, double? Theirs) r) => rows.Add((label, r.Ours, r.Theirs));
            Row("read only (count of every column)", Pair($"SELECT count(l_orderkey), count(l_comment), count(l_shipdate), sum(l_extendedprice) FROM read_parquet('{source}')",
                $"SELECT count(l_orderkey), count(l_comment), count(l_shipdate), sum(l_extendedprice) FROM read_parquet('{source}')"));
            Row("COPY to Parquet (zstd)", Pair($"COPY (SELECT * FROM read_parquet('{source}')) TO '{Out("ql.parquet")}' (FORMAT parquet, COMPRESSION zstd)",
                $"COPY (SELECT * FROM read_parquet('{source}')) TO '{Out("duck.parquet")}' (FORMAT parquet, COMPRESSION zstd)"));
            Row("COPY to Arrow IPC (uncompressed)", (Measure.MedianSeconds(repeat, () => s.Execute($"COPY (SELECT * FROM read_parquet('{source}')) TO '{Out("ql.arrow")}' (FORMAT arrow)")), null));
            Row("COPY to CSV", Pair($"COPY (SELECT * FROM read_parquet('{source}')) TO '{Out("ql.csv")}' (FORMAT csv)",
                $"COPY (SELECT * FROM read_parquet('{source}')) TO '{Out("duck.csv")}' (FORMAT csv)"));
            Console.WriteLine($"{"",-36} {"QueryLake",10} {"DuckDB",10} {"ratio",7}");
            foreach (var (label, ql, dk) in rows)
                Console.WriteLine($"{label,-36} {ql,9:F2}s {(dk is { } d ? $"{d,9:F2}s" : "         -"),10} {(dk is { } x ? $"{ql / x,6:F2}×" : "")}");
            // The writers alone, on the same batches in memory.
            var batches = s.Query($"SELECT * FROM read_parquet('{source}')").Materialize().Batches;
            long bytes = 0;
            var apacheSchema = ApacheArrowConvert.ToApache(batches[0].Schema);
            var apache = batches.Select(b => ApacheArrowConvert.ToApache(b, apacheSchema)).ToList();
            // Both writers get a new file each time (replacing an 850 MB file costs its truncation) and take turns.
            var (ours, theirs) = Measure.MedianSecondsInTurns(Math.Max(repeat, 5), () =>
            {
                File.Delete(Out("w-ql.arrow"));
                using var w = QueryLake.Formats.Ipc.ArrowFileWriter.Create(Out("w-ql.arrow"), batches[0].Schema);
                foreach (var b in batches) w.Write(b);
                w.Finish();
                bytes = new FileInfo(Out("w-ql.arrow")).Length;
            }, () =>
            {
                File.Delete(Out("w-apache.arrow"));
                using var fs = new FileStream(Out("w-apache.arrow"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                using var w = new Apache.Arrow.Ipc.ArrowFileWriter(fs, apacheSchema);
                foreach (var b in apache) w.WriteRecordBatch(b);
                w.WriteEnd();
            });
            Console.WriteLine($"Arrow IPC file writer, same batches:  QueryLake {ours:F2}s ({bytes / ours / 1e6:F0} MB/s), Apache.Arrow {theirs:F2}s: {ours / theirs:F2}×");
            // The writers' own cost, without the page cache: the same batches written to Stream.Null.
            var (oursNull, theirsNull) = Measure.MedianSecondsInTurns(Math.Max(repeat, 9), () =>
            {
                using var w = new QueryLake.Formats.Ipc.ArrowFileWriter(Stream.Null, batches[0].Schema, leaveOpen: true);
                foreach (var b in batches) w.Write(b);
                w.Finish();
            }, () =>
            {
                using var w = new Apache.Arrow.Ipc.ArrowFileWriter(Stream.Null, apacheSchema, leaveOpen: true);
                foreach (var b in apache) w.WriteRecordBatch(b);
                w.WriteEnd();
            });
            Console.WriteLine($"Arrow IPC file writer to Stream.Null: QueryLake {oursNull * 1e3:F1} ms, Apache.Arrow {theirsNull * 1e3:F1} ms: {oursNull / theirsNull:F2}×");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    private static void Duck(DuckDBConnection duck, string sql)
    {
        using var c = duck.CreateCommand();
        c.CommandText = sql;
        using var r = c.ExecuteReader();
        while (r.Read()) { }
    }

    private static object? Scalar(DuckDBConnection duck, string sql)
    {
        using var c = duck.CreateCommand();
        c.CommandText = sql;
        return c.ExecuteScalar();
    }

}
