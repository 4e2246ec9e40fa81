using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace QueryLake.Tests.Support;

/// <summary>
/// The DuckDB side (in process, through DuckDB.NET) of the Parquet matrix and of the tests where DuckDB reads files
/// QueryLake wrote. <see cref="Write"/>: DuckDB writes one table with every type and nesting it supports into Parquet files
/// for each codec and format version, reads each back, and gives per file its rows in a canonical JSON form and the
/// encodings it used. <see cref="Read"/>: DuckDB reads any Parquet files into the same form.
/// The canonical form: integers as decimal strings, floats and decimals as JSON numbers, dates as days, times and
/// timestamps as microseconds (strings), blobs as base64, maps as lists of {key, value}; all made by DuckDB's own SQL.
/// </summary>
public static partial class DuckDbParquetMatrix
{
    /// <summary>The codecs DuckDB writes, crossed with format versions V1 and V2.</summary>
    public static readonly string[] Codecs = ["uncompressed", "snappy", "gzip", "zstd", "lz4_raw", "brotli"];

    private const string Table = """
        CREATE TABLE t AS SELECT
          i AS id,
          CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
          (i % 200 - 100)::TINYINT AS i8,
          CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 37 % 60000 - 30000)::SMALLINT END AS i16,
          (i * 7919 - 1000000)::INTEGER AS i32,
          CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1000000007::BIGINT - 5000000000000 END AS i64,
          (i % 250)::UTINYINT AS u8, (i * 13 % 65000)::USMALLINT AS u16, (i * 100003)::UINTEGER AS u32, (i * 1000000000039)::UBIGINT AS u64,
          CASE WHEN i % 13 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f,
          (i * 1.5 - 777.25)::DOUBLE AS d,
          ((i % 9000) / 100.0 - 45)::DECIMAL(4,2) AS dec4,
          (i * 3.125)::DECIMAL(9,3) AS dec9,
          CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 12345.6789)::DECIMAL(18,4) END AS dec18,
          (i * 98765.4321)::DECIMAL(38,10) AS dec38,
          CASE WHEN i % 17 = 0 THEN NULL ELSE 'label_' || (i % 20) END AS s_dict,
          'unique value number ' || i || repeat('x', i % 13) AS s_plain,
          CASE WHEN i % 4 = 0 THEN NULL ELSE ('\x' || lpad(to_hex(i % 256), 2, '0') || 'ab\x00')::BLOB END AS bl,
          (DATE '2001-01-01' + ((i * 3) % 20000 - 9000)::INTEGER) AS dt,
          (TIME '00:00:00' + INTERVAL (i * 123457) MILLISECOND) AS tm,
          (TIMESTAMP '2001-01-01 00:00:00' + INTERVAL (i * 3600007) MILLISECOND) AS ts,
          (TIMESTAMP '2001-01-01 00:00:00' + INTERVAL (i * 61) SECOND)::TIMESTAMP_MS AS ts_ms,
          (TIMESTAMP '1999-06-01 00:00:00' + INTERVAL (i * 17) MICROSECOND)::TIMESTAMP_NS AS ts_ns,
          (TIMESTAMP '2020-02-29 12:00:00' + INTERVAL (i) MINUTE)::TIMESTAMP_S AS ts_s,
          (TIMESTAMPTZ '2001-01-01 00:00:00+00' + INTERVAL (i) HOUR) AS tstz,
          ('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uid,
          (['sad', 'ok', 'happy'][i % 3 + 1])::mood AS en,
          CASE WHEN i % 9 = 0 THEN NULL ELSE ('{"k": ' || i || '}')::JSON END AS js,
          CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN [] ELSE [i, NULL, i + 1][1:(i % 4)] END AS li,
          CASE WHEN i % 8 = 0 THEN NULL ELSE ['a' || i, NULL, 'c'][1:(i % 3 + 1)] END AS ls,
          CASE WHEN i % 12 = 0 THEN NULL WHEN i % 12 = 1 THEN [[]] ELSE [[i], NULL, [i, i + 1, NULL], []][1:(i % 5)] END AS lli,
          CASE WHEN i % 6 = 0 THEN NULL ELSE {'a': CASE WHEN i % 4 = 0 THEN NULL ELSE i END, 'b': 'v' || (i % 5)} END AS st,
          {'x': CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i * 2][1:(i % 3)] END, 'y': CASE WHEN i % 7 = 1 THEN NULL ELSE {'z': i / 4.0} END} AS stl,
          CASE WHEN i % 9 = 0 THEN NULL ELSE [{'a': i, 'b': 'p'}, NULL, {'a': NULL, 'b': NULL}][1:(i % 4)] END AS lst,
          CASE WHEN i % 10 = 0 THEN NULL ELSE MAP(['k' || (i % 3), 'z' || i][1:(i % 2 + 1)], [i, NULL][1:(i % 2 + 1)]) END AS m,
          [i::FLOAT, -i, 0.5, i / 3]::FLOAT[4] AS emb
        FROM range(3000) r(i)
        """;

    /// <summary>Writes <c>matrix-CODEC-VERSION.parquet</c> into <paramref name="dir"/> for every codec and version, and
    /// gives, per file, <c>{ file, codec, version, encodings, columns, types, rows }</c> as DuckDB reads it back.</summary>
    public static JsonArray Write(string dir)
    {
        using var duck = DuckDbOracle.Open();
        DuckDbOracle.Execute(duck, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
        DuckDbOracle.Execute(duck, Table);
        var results = new JsonArray();
        foreach (var codec in Codecs)
            foreach (var version in new[] { "V1", "V2" })
            {
                var file = Path.Combine(dir, $"matrix-{codec}-{version}.parquet");
                DuckDbOracle.Execute(duck, $"COPY (SELECT * FROM t ORDER BY id) TO '{file}' (FORMAT parquet, COMPRESSION {codec}, PARQUET_VERSION {version}, ROW_GROUP_SIZE 1024)");
                var entry = Canonical(duck, file);
                entry["codec"] = codec;
                entry["version"] = version;
                entry["encodings"] = new JsonArray([.. Strings(duck, $"SELECT DISTINCT unnest(string_split(encodings, ', ')) AS e FROM parquet_metadata('{file}') ORDER BY e").Select(e => (JsonNode)e!)]);
                results.Add(entry);
            }
        return results;
    }

    /// <summary>DuckDB's reading of each file: <c>{ file, columns, types, rows }</c>.</summary>
    public static JsonArray Read(IEnumerable<string> files)
    {
        using var duck = DuckDbOracle.Open();
        return new JsonArray([.. files.Select(f => (JsonNode)Canonical(duck, f))]);
    }

    private static IEnumerable<string?> Strings(DuckDBConnection duck, string sql) =>
        DuckDbOracle.Rows(duck, sql).Select(r => r[0]?.ToString());

    private static JsonObject Canonical(DuckDBConnection duck, string file)
    {
        var columns = DuckDbOracle.Rows(duck, $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{file}')")
            .Select(r => (Name: (string)r[0]!, Type: (string)r[1]!)).ToList();
        var select = string.Join(", ", columns.Select(c => $"{Norm($"\"{c.Name}\"", c.Type, 0)} AS \"{c.Name}\""));
        var pack = string.Join(", ", columns.Select(c => $"\"{c.Name}\" := \"{c.Name}\""));
        var rows = new JsonArray();
        foreach (var json in Strings(duck, $"SELECT to_json(struct_pack({pack})) AS j FROM (SELECT {select} FROM '{file}')"))
        {
            var o = JsonNode.Parse(json!)!.AsObject();
            rows.Add(new JsonArray([.. columns.Select(c => o[c.Name]?.DeepClone())]));
        }
        return new JsonObject
        {
            ["file"] = file,
            ["columns"] = new JsonArray([.. columns.Select(c => (JsonNode)c.Name!)]),
            ["types"] = new JsonArray([.. columns.Select(c => (JsonNode)c.Type!)]),
            ["rows"] = rows,
        };
    }

    /// <summary>DuckDB SQL that turns <paramref name="expr"/> of DuckDB type <paramref name="type"/> into the canonical form.</summary>
    private static string Norm(string expr, string type, int depth)
    {
        var t = type.Trim();
        if (t.EndsWith("[]", StringComparison.Ordinal)) return $"list_transform({expr}, x{depth} -> {Norm($"x{depth}", t[..^2], depth + 1)})";
        if (FixedArray().Match(t) is { Success: true } arr)
            return $"list_transform({expr}::{arr.Groups[1].Value}[], x{depth} -> {Norm($"x{depth}", arr.Groups[1].Value, depth + 1)})";
        if (t.StartsWith("STRUCT(", StringComparison.Ordinal))
        {
            var fields = SplitTop(t[7..^1]).Select(f => StructField().Match(f.Trim())).Select(m => (m.Groups[2].Value, m.Groups[3].Value));
            return $"CASE WHEN {expr} IS NULL THEN NULL ELSE struct_pack({string.Join(", ", fields.Select(f => $"\"{f.Item1}\" := {Norm($"({expr}).\"{f.Item1}\"", f.Item2, depth + 1)}"))}) END";
        }
        if (t.StartsWith("MAP(", StringComparison.Ordinal))
        {
            var kv = SplitTop(t[4..^1]);
            return $"list_transform(map_entries({expr}), e{depth} -> struct_pack(key := {Norm($"e{depth}.key", kv[0], depth + 1)}, value := {Norm($"e{depth}.value", kv[1], depth + 1)}))";
        }
        if (IntegerType().IsMatch(t)) return $"CAST({expr} AS VARCHAR)";
        if (t is "FLOAT" or "DOUBLE" || t.StartsWith("DECIMAL", StringComparison.Ordinal)) return $"CAST({expr} AS DOUBLE)";
        if (t == "BLOB") return $"to_base64({expr})";
        if (t == "DATE") return $"CAST({expr} - DATE '1970-01-01' AS VARCHAR)";
        if (t == "TIME") return $"CAST((hour({expr}) * 3600 + minute({expr}) * 60)::BIGINT * 1000000 + microsecond({expr}) AS VARCHAR)";
        if (t.StartsWith("TIMESTAMP", StringComparison.Ordinal)) return $"CAST(epoch_us({expr}) AS VARCHAR)";
        if (t is "UUID" or "JSON" || t.StartsWith("ENUM", StringComparison.Ordinal)) return $"CAST({expr} AS VARCHAR)";
        return expr;
    }

    private static List<string> SplitTop(string s)
    {
        var output = new List<string>();
        int level = 0;
        var cur = new System.Text.StringBuilder();
        foreach (var c in s)
        {
            if (c == '(') level++;
            if (c == ')') level--;
            if (c == ',' && level == 0) { output.Add(cur.ToString()); cur.Clear(); }
            else cur.Append(c);
        }
        if (cur.ToString().Trim().Length > 0) output.Add(cur.ToString());
        return output;
    }

    [GeneratedRegex(@"^(.*)\[(\d+)\]$")]
    private static partial Regex FixedArray();

    [GeneratedRegex("^(\"?)([^\" ]+)\\1 (.*)$")]
    private static partial Regex StructField();

    [GeneratedRegex("^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT)$")]
    private static partial Regex IntegerType();
}
