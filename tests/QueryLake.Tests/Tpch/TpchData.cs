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

    private readonly TempDir _dir = new();

    public TpchData()
    {
        if (!File.Exists(Generator)) return;
        TpchFiles.Generate(Generator, ScaleFactor, _dir.Path);
        Session = QueryLakeSession.Open(Path.Combine(_dir.Path, "lake"));
        DuckDb = new DuckDBConnection("Data Source=:memory:");
        DuckDb.Open();
        foreach (var (table, _) in TpchFiles.Tables)
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
