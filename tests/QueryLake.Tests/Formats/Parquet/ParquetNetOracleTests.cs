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

    /// <summary>The (definition level, repetition level, value) triples the Dremel encoding gives one leaf of a value,
    /// computed here from the rows QueryLake returns, straight from the Parquet spec: every present optional node and
    /// every non-empty repeated node adds a definition level; a list's first element keeps its parent's repetition
    /// level, the next ones take the list's depth. <paramref name="path"/> names the struct fields down to the leaf.</summary>
    private static void Shred(QueryLake.Columnar.Types.DataType type, bool nullable, object? value, string[] path, int at, int def, int rep,
        int depth, List<(int Def, int Rep, object? Value)> output)
    {
        if (nullable)
        {
            if (value is null) { output.Add((def, rep, null)); return; }
            def++;
        }
        switch (type)
        {
            case QueryLake.Columnar.Types.ListType list:
            {
                var items = (object?[])value!;
                if (items.Length == 0) { output.Add((def, rep, null)); return; }
                for (int i = 0; i < items.Length; i++)
                    Shred(list.ValueType, list.ValueField.Nullable, items[i], path, at, def + 1, i == 0 ? rep : depth + 1, depth + 1, output);
                break;
            }
            case QueryLake.Columnar.Types.StructType st:
            {
                var field = st.Fields.Single(f => f.Name == path[at]);
                Shred(field.DataType, field.Nullable, ((Dictionary<string, object?>)value!)[field.Name], path, at + 1, def, rep, depth, output);
                break;
            }
            default:
                output.Add((def, rep, value));
                break;
        }
    }

    /// <summary>One leaf of a row group as Parquet.Net's raw column reader gives it: (definition level, repetition level,
    /// value) per slot. The values are packed at the front of its buffer, one per slot at the maximum definition level
    /// (every slot, for a required leaf).</summary>
    private static async Task<List<(int Def, int Rep, string Value)>> Raw<T>(ParquetRowGroupReader rg, DataField f, Func<T, object?> value) where T : struct
    {
        using var raw = (global::Parquet.Data.RawColumnData<T>)await rg.ReadRawColumnDataBaseAsync(f);
        var values = raw.Values.ToArray();
        int[] defs = f.MaxDefinitionLevel > 0 ? raw.DefinitionLevels.ToArray() : new int[values.Length];
        int[] reps = f.MaxRepetitionLevel > 0 ? raw.RepetitionLevels.ToArray() : new int[defs.Length];
        var result = new List<(int, int, string)>();
        int next = 0;
        for (int i = 0; i < defs.Length; i++)
            result.Add((defs[i], reps[i], defs[i] == f.MaxDefinitionLevel ? Text(value(values[next++])) : "NULL"));
        return result;
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Parquet_net_reads_the_levels_and_values_of_nested_columns_querylake_writes(string codec)
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        // NULL lists, empty lists, NULL elements; NULL structs and NULL fields; lists of structs and of lists.
        const string columns = """
            CASE WHEN range % 7 = 0 THEN NULL WHEN range % 7 = 1 THEN [] ELSE [range, NULL, range * 3] END AS l,
            CASE WHEN range % 5 = 0 THEN NULL ELSE {'a': CASE WHEN range % 3 = 0 THEN NULL ELSE range END, 'b': 'x' || (range % 13)} END AS st,
            [{'x': range * 0.5}, NULL, {'x': NULL}][1:CASE WHEN range % 4 = 0 THEN 0 ELSE 3 END] AS ls,
            CASE WHEN range % 6 = 0 THEN NULL ELSE [['a' || range], ['b'][2:1], NULL, ['7' || range, NULL]] END AS ll
            """;
        s.Execute($"CREATE DATASET t AS SELECT range AS id, {columns} FROM range(20000)");
        var file = dir.File($"nested-{codec}.parquet");
        s.Execute($"COPY (SELECT * FROM t ORDER BY id) TO '{file}' (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 8000)");
        var ours = s.Query("SELECT * FROM t ORDER BY id").Materialize();
        using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var leaves = reader.Schema.GetDataFields().Where(f => f.Path.ToList()[0] != "id").ToList();
        Assert.Equal(5, leaves.Count); // l, st.a, st.b, ls.x, ll's element
        var theirs = leaves.ToDictionary(f => f.Path.ToString(), _ => new List<(int Def, int Rep, string Value)>());
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            foreach (var f in leaves)
                theirs[f.Path.ToString()].AddRange(f.ClrType == typeof(long) ? await Raw<long>(rg, f, v => v)
                    : f.ClrType == typeof(double) ? await Raw<double>(rg, f, v => v)
                    : await Raw<ReadOnlyMemory<char>>(rg, f, v => v.ToString()));
        }
        foreach (var f in leaves)
        {
            var names = f.Path.ToList();
            int column = ours.Schema.IndexOf(names[0]);
            var field = ours.Schema.Fields[column];
            // The struct field names on the way down (the LIST wrappers' "list" and "element" are not fields).
            var path = names.Skip(1).Where(n => n is not "list" and not "element").ToArray();
            var shredded = new List<(int Def, int Rep, object? Value)>();
            foreach (var row in ours.Rows()) Shred(field.DataType, field.Nullable, row[column], path, 0, 0, 0, 0, shredded);
            var expected = shredded.Select(e => (e.Def, e.Rep, Text(e.Value))).ToList();
            var actual = theirs[f.Path.ToString()];
            Assert.Equal(expected.Count, actual.Count);
            int at = Enumerable.Range(0, expected.Count).FirstOrDefault(i => expected[i] != actual[i], -1);
            Assert.True(at < 0, $"{f.Path} slot {at}: QueryLake's rows give {(at < 0 ? "" : expected[at])}, Parquet.Net read {(at < 0 ? "" : actual[at])}");
            Assert.Equal(expected.Max(e => e.Def), f.MaxDefinitionLevel);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Querylake_reads_the_nested_columns_parquet_net_writes(string codec)
    {
        using var dir = new TempDir();
        var file = dir.File($"nested-parquetnet-{codec}.parquet");
        int n = 9000;
        // Rows as objects: a list of BIGINT and a struct of a BIGINT and a text, with NULLs at every level.
        var lists = Enumerable.Range(0, n).Select(i => i % 7 == 0 ? null : i % 7 == 1 ? [] : (object?[])[(long)i, null, (long)i * 3]).ToArray();
        var structs = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? null : new Dictionary<string, object?> { ["a"] = i % 3 == 0 ? null : (long?)i, ["b"] = "x" + (i % 13) }).ToArray();
        var listType = QueryLake.Columnar.Types.DataType.List(QueryLake.Columnar.Types.DataType.Int64);
        var structType = new QueryLake.Columnar.Types.StructType([new("a", QueryLake.Columnar.Types.DataType.Int64), new("b", QueryLake.Columnar.Types.DataType.Utf8)]);
        var schema = new ParquetSchema(new ListField("l", new DataField<long?>("element")), new StructField("st", new DataField<long?>("a"), new DataField<string>("b")));
        var method = codec switch { "snappy" => CompressionMethod.Snappy, "zstd" => CompressionMethod.Zstd, "gzip" => CompressionMethod.Gzip, _ => CompressionMethod.None };
        // Each leaf's levels and packed values, shredded here by the spec's rules and written through Parquet.Net's level API.
        (int[] Defs, int[] Reps, List<object?> Values) Leaf(QueryLake.Columnar.Types.DataType type, IEnumerable<object?> rows, string[] path, int maxDef, int from, int count)
        {
            var shredded = new List<(int Def, int Rep, object? Value)>();
            foreach (var row in rows.Skip(from).Take(count)) Shred(type, true, row, path, 0, 0, 0, 0, shredded);
            return (shredded.Select(e => e.Def).ToArray(), shredded.Select(e => e.Rep).ToArray(), shredded.Where(e => e.Def == maxDef).Select(e => e.Value).ToList());
        }
        await using (var stream = File.Create(file))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = method }))
        {
            foreach (var (from, count) in new[] { (0, 5000), (5000, n - 5000) })
            {
                using var rg = writer.CreateRowGroup();
                var fields = schema.GetDataFields();
                var l = Leaf(listType, lists, [], fields[0].MaxDefinitionLevel, from, count);
                await rg.WriteAllPartsAsync<long>(fields[0], l.Values.Select(v => (long)v!).ToArray(), l.Defs, l.Reps, CancellationToken.None);
                var a = Leaf(structType, structs, ["a"], fields[1].MaxDefinitionLevel, from, count);
                await rg.WriteAllPartsAsync<long>(fields[1], a.Values.Select(v => (long)v!).ToArray(), a.Defs, null, CancellationToken.None);
                var b = Leaf(structType, structs, ["b"], fields[2].MaxDefinitionLevel, from, count);
                await rg.WriteAllPartsAsync<ReadOnlyMemory<char>>(fields[2], b.Values.Select(v => ((string)v!).AsMemory()).ToArray(), b.Defs, null, CancellationToken.None);
            }
        }
        using var session = QueryLakeSession.Open(dir.File("lake"));
        var rows = session.Query($"SELECT l, st, st.a, len(l) FROM read_parquet('{file}')").Rows().ToList();
        Assert.Equal(n, rows.Count);
        static string Show(object? v) => v switch
        {
            null => "NULL",
            object?[] items => "[" + string.Join(", ", items.Select(Show)) + "]",
            Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(kv => kv.Key + ": " + Show(kv.Value))) + "}",
            _ => Text(v),
        };
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Show(lists[i]), Show(rows[i][0]));
            Assert.Equal(Show(structs[i]), Show(rows[i][1]));
            Assert.Equal(Show(structs[i]?["a"]), Show(rows[i][2]));
            Assert.Equal(Show(lists[i]?.Length is { } len ? (long)len : null), Show(rows[i][3]));
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
