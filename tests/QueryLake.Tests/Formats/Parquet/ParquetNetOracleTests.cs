using System.Globalization;
using Parquet;
using Parquet.Schema;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>Parquet.Net, a second independent Parquet implementation, through its low-level column API: it reads the
/// files QueryLake writes and writes files QueryLake reads, across types, NULLs and codecs.</summary>
public sealed class ParquetNetOracleTests
{
    public static TheoryData<string> Codecs => new() { "none", "snappy", "zstd", "gzip" };

    private static string Text(object? v) => v switch
    {
        null => "NULL",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.00########", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture)!,
    };

    /// <summary>Every column of every row group, as Parquet.Net reads it, by column name.</summary>
    private static async Task<Dictionary<string, List<object?>>> ReadWithParquetNet(string path)
    {
        using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, new ParquetOptions { UseDateOnlyTypeForDates = true });
        var columns = reader.Schema.GetDataFields().ToDictionary(f => f.Name, _ => new List<object?>());
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            foreach (var f in reader.Schema.GetDataFields())
                columns[f.Name].AddRange(f.ClrType switch
                {
                    var t when t == typeof(long) => await Nullable<long>(rg, f, n),
                    var t when t == typeof(int) => await Nullable<int>(rg, f, n),
                    var t when t == typeof(double) => await Nullable<double>(rg, f, n),
                    var t when t == typeof(bool) => await Nullable<bool>(rg, f, n),
                    var t when t == typeof(decimal) => await Nullable<decimal>(rg, f, n),
                    var t when t == typeof(DateTime) => await Nullable<DateTime>(rg, f, n),
                    var t when t == typeof(DateOnly) => await Nullable<DateOnly>(rg, f, n),
                    var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => await Strings(rg, f, n),
                    var t => throw new Xunit.Sdk.XunitException($"column {f.Name}: no reader for {t}"),
                });
        }
        return columns;
    }

    private static async Task<IEnumerable<object?>> Nullable<T>(ParquetRowGroupReader rg, DataField f, int n) where T : struct
    {
        var values = new T?[n];
        await rg.ReadAsync<T>(f, values.AsMemory(), null);
        return values.Select(v => v.HasValue ? (object?)v.Value : null);
    }

    private static async Task<IEnumerable<object?>> Strings(ParquetRowGroupReader rg, DataField f, int n)
    {
        var values = new string?[n];
        await rg.ReadAsync(f, values.AsMemory(), null);
        return values;
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Parquet_net_reads_what_querylake_writes(string codec)
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        const string columns = """
            CASE WHEN range % 7 = 0 THEN NULL ELSE range * 1000003 END AS i64, CAST(range % 50000 AS INTEGER) AS i32,
            CASE WHEN range % 11 = 0 THEN NULL ELSE range * 0.25 - 7 END AS f64,
            CASE WHEN range % 5 = 0 THEN NULL ELSE 'text ' || (range % 997) END AS s, range % 3 = 0 AS b,
            DATE '2020-01-01' + CAST(range % 2000 AS INTEGER) AS d, TIMESTAMP '2024-03-01 12:00:00' + range * INTERVAL 1 SECOND AS ts,
            CAST(range * 1.25 AS DECIMAL(12, 2)) AS amount
            """;
        s.Execute($"CREATE DATASET t AS SELECT range AS id, {columns} FROM range(150000)");
        var file = dir.File($"out-{codec}.parquet");
        s.Execute($"COPY (SELECT * FROM t ORDER BY id) TO '{file}' (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 60000)");
        var theirs = await ReadWithParquetNet(file);
        var ours = s.Query("SELECT * FROM t ORDER BY id").Materialize();
        foreach (var (field, c) in ours.Schema.Fields.Select((f, c) => (f, c)))
        {
            var expected = ours.Rows().Select(r => Text(r[c])).ToList();
            Assert.Equal(expected.Count, theirs[field.Name].Count);
            var actual = theirs[field.Name].Select(Text).ToList();
            int at = Enumerable.Range(0, expected.Count).FirstOrDefault(i => expected[i] != actual[i], -1);
            Assert.True(at < 0, $"{field.Name} row {at}: QueryLake wrote {(at < 0 ? "" : expected[at])}, Parquet.Net read {(at < 0 ? "" : actual[at])}");
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Querylake_reads_what_parquet_net_writes(string codec)
    {
        using var dir = new TempDir();
        var file = dir.File($"parquetnet-{codec}.parquet");
        int n = 70000;
        var id = Enumerable.Range(0, n).Select(i => (long?)i).ToArray();
        var x = Enumerable.Range(0, n).Select(i => i % 9 == 0 ? null : (double?)(i * 0.5)).ToArray();
        var s = Enumerable.Range(0, n).Select(i => i % 4 == 0 ? null : "name " + (i % 1234)).ToArray();
        var b = Enumerable.Range(0, n).Select(i => i % 6 == 0 ? null : (bool?)(i % 2 == 0)).ToArray();
        var ts = Enumerable.Range(0, n).Select(i => i % 13 == 0 ? null : (DateTime?)new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 7)).ToArray();
        var i32 = Enumerable.Range(0, n).Select(i => i % 10 == 0 ? null : (int?)(i - 35000)).ToArray();
        var schema = new ParquetSchema(new DataField<long?>("id"), new DataField<double?>("x"), new DataField<string>("s"),
            new DataField<bool?>("b"), new DataField<DateTime?>("ts"), new DataField<int?>("i32"));
        var method = codec switch { "snappy" => CompressionMethod.Snappy, "zstd" => CompressionMethod.Zstd, "gzip" => CompressionMethod.Gzip, _ => CompressionMethod.None };
        await using (var stream = File.Create(file))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = method }))
        {
            // Two row groups.
            foreach (var (from, count) in new[] { (0, 40000), (40000, n - 40000) })
            {
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync<long>(schema.DataFields[0], id.AsMemory(from, count), null);
                await rg.WriteAsync<double>(schema.DataFields[1], x.AsMemory(from, count), null);
                await rg.WriteAsync(schema.DataFields[2], s.Skip(from).Take(count).ToList(), null);
                await rg.WriteAsync<bool>(schema.DataFields[3], b.AsMemory(from, count), null);
                await rg.WriteAsync<DateTime>(schema.DataFields[4], ts.AsMemory(from, count), null);
                await rg.WriteAsync<int>(schema.DataFields[5], i32.AsMemory(from, count), null);
            }
        }
        using var session = QueryLakeSession.Open(dir.File("lake"));
        var rows = session.Query($"SELECT id, x, s, b, ts, i32 FROM read_parquet('{file}') ORDER BY id").Rows().ToList();
        Assert.Equal(n, rows.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Text(id[i]), Text(rows[i][0]));
            Assert.Equal(Text(x[i]), Text(rows[i][1]));
            Assert.Equal(Text(s[i]), Text(rows[i][2]));
            Assert.Equal(Text(b[i]), Text(rows[i][3]));
            Assert.Equal(Text(ts[i]), Text(rows[i][4]));
            Assert.Equal(Text(i32[i]), Text(rows[i][5]));
        }
        Assert.Equal(x.Where(v => v.HasValue).Sum(v => v!.Value), (double)session.Query($"SELECT sum(x) FROM read_parquet('{file}')").Rows().Single()[0]!);
    }
}
