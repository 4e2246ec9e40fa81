using System.Diagnostics;
using DuckDB.NET.Data;
using QueryLake.Sessions;
using QueryLake.Tests.Support;

namespace QueryLake.Tests.Tpch;

/// <summary>TPC-H at a small scale factor from the TPC's own dbgen and qgen (<c>../shared/tpch-dbgen/generate.sh</c>),
/// loaded into a QueryLake lake and into DuckDB (in process) from the same files: the .tbl files, rewritten once as
/// '|'-delimited CSV with a header (dbgen ends every line with a '|'). Both engines infer the column types.</summary>
public sealed class TpchData : IDisposable
{
    public const string ScaleFactor = "0.01";

    public static string Generator => Path.GetFullPath(Path.Combine(Oracles.Root, "..", "shared", "tpch-dbgen", "generate.sh"));

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

    private readonly TempDir _dir = new();

    public TpchData()
    {
        if (!File.Exists(Generator)) return;
        var start = new ProcessStartInfo("bash", [Generator, ScaleFactor, _dir.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var p = Process.Start(start)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"generate.sh failed: {err.Result}");
        }
        foreach (var (table, columns) in Tables)
        {
            using var w = new StreamWriter(Path.Combine(_dir.Path, table + ".csv"));
            w.Write(columns);
            w.Write('\n');
            foreach (var line in File.ReadLines(Path.Combine(_dir.Path, table + ".tbl")))
            {
                w.Write(line.AsSpan().TrimEnd('|'));
                w.Write('\n');
            }
        }
        Session = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        DuckDb = new DuckDBConnection("Data Source=:memory:");
        DuckDb.Open();
        foreach (var (table, _) in Tables)
        {
            var csv = Path.Combine(_dir.Path, table + ".csv");
            Session.Execute($"IMPORT CSV '{csv}' INTO {table} (DELIMITER '|')");
            using var cmd = DuckDb.CreateCommand();
            cmd.CommandText = $"CREATE TABLE {table} AS SELECT * FROM read_csv('{csv}', delim = '|', header = true)";
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>A lake holding the eight tables.</summary>
    public QueryLakeSession Session { get; } = null!;

    /// <summary>DuckDB in process, holding the same tables.</summary>
    public DuckDBConnection DuckDb { get; } = null!;

    /// <summary>Query <paramref name="number"/> (1–22) as qgen wrote it.</summary>
    public string Query(int number) => File.ReadAllText(Path.Combine(_dir.Path, "queries", $"q{number:D2}.sql"));

    public void Dispose()
    {
        Session?.Dispose();
        DuckDb?.Dispose();
        _dir.Dispose();
    }
}
