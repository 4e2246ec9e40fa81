using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace QueryLake.Tests.Tpch;

/// <summary>
/// TPC-H files and result comparison, shared by the TPC-H test and the TPC-H benchmark (which compiles this file too):
/// runs the TPC's dbgen/qgen (<c>../shared/tpch-dbgen/generate.sh</c>), rewrites each .tbl file as '|'-delimited CSV
/// with a header (dbgen ends every line with a '|'), reads DuckDB's rows, and compares results: numbers within a
/// relative 1e-9 (sums of doubles may add in another order), dates as ISO text.
/// </summary>
public static class TpchFiles
{
    public static readonly (string Table, string Columns)[] Tables =
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

    /// <summary>Generates scale factor <paramref name="sf"/> into <paramref name="dir"/>: <c>table.csv</c> for each table
    /// and <c>queries/qNN.sql</c>.</summary>
    public static void Generate(string generator, string sf, string dir)
    {
        var start = new ProcessStartInfo("bash", [generator, sf, dir]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var p = Process.Start(start)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"generate.sh failed: {err.Result}");
        }
        foreach (var (table, columns) in Tables)
        {
            var tbl = Path.Combine(dir, table + ".tbl");
            using (var w = new StreamWriter(Path.Combine(dir, table + ".csv")))
            {
                w.Write(columns);
                w.Write('\n');
                foreach (var line in File.ReadLines(tbl))
                {
                    w.Write(line.AsSpan().TrimEnd('|'));
                    w.Write('\n');
                }
            }
            File.Delete(tbl);
        }
    }

    /// <summary>DuckDB's rows for <paramref name="sql"/>, each value as <see cref="Normal"/> gives it.</summary>
    public static List<object?[]> DuckDbRows(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int c = 0; c < row.Length; c++) row[c] = Normal(reader.IsDBNull(c) ? null : reader.GetValue(c));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Numbers as double, dates and times as ISO text, everything else as itself.</summary>
    public static object? Normal(object? v) => v switch
    {
        null or DBNull => null,
        string s => s,
        bool b => b,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        System.Numerics.BigInteger i => (double)i,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    /// <summary>"same", or where the rows first differ (rows in order; numbers within a relative 1e-9).</summary>
    public static string Compare(List<object?[]> expected, List<object?[]> actual)
    {
        if (expected.Count != actual.Count) return $"DIFFERENT: {actual.Count} rows, DuckDB {expected.Count}";
        for (int r = 0; r < expected.Count; r++)
        {
            if (expected[r].Length != actual[r].Length) return $"DIFFERENT at row {r}: {actual[r].Length} columns, DuckDB {expected[r].Length}";
            for (int c = 0; c < expected[r].Length; c++)
                if (!Same(expected[r][c], actual[r][c])) return $"DIFFERENT at row {r} column {c}: {Show(actual[r][c])}, DuckDB {Show(expected[r][c])}";
        }
        return "same";
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (double x, double y) => x == y || Math.Abs(x - y) <= 1e-9 * Math.Max(Math.Abs(x), Math.Abs(y)) || Math.Abs(x - y) < 1e-9,
        _ => Equals(a, b),
    };

    private static string Show(object? v) => v switch { null => "NULL", double d => d.ToString("R", CultureInfo.InvariantCulture), _ => $"'{v}'" };
}
