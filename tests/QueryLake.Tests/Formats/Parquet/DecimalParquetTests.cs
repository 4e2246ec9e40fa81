using DuckDB.NET.Data;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>DECIMAL columns against DuckDB: a Parquet file DuckDB writes (INT32, INT64 and 16-byte FIXED_LEN_BYTE_ARRAY
/// decimals, up to 38 digits, with NULLs) reads as DECIMAL with the same exact sums, minimums and maximums; the same
/// columns stored in a lake dataset and written back to Parquet read in DuckDB with their types and values; and the
/// TPC-H money arithmetic (sum(price * (1 - discount))) gives DuckDB's exact answer.</summary>
public sealed class DecimalParquetTests
{
    private const string Aggregates = "sum(a), sum(b), sum(c), min(b), max(b), min(a), max(c), sum(a * d), sum(a * (1 - d))";

    [Fact]
    public void Decimal_columns_read_and_write_as_DuckDB_reads_and_writes_them()
    {
        using var dir = new TempDir();
        var source = dir.File("dec.parquet");
        var written = dir.File("out.parquet");
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        Run(duck, $"""
            COPY (SELECT (i * 7.31 - 5000)::DECIMAL(15,2) AS a,
                         CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 1234567890123.456789 - 9e17)::DECIMAL(38,6) END AS b,
                         (i % 1000 - 500)::DECIMAL(4,0) AS c,
                         ((i % 11) / 100)::DECIMAL(4,2) AS d
                  FROM range(1, 3000) t(i)) TO '{source}' (FORMAT parquet)
            """);
        var expected = Rows(duck, $"SELECT {Aggregates} FROM '{source}'");
        Assert.DoesNotContain("NULL", Assert.Single(expected));

        using var s = QueryLakeSession.Open(dir.File("lake"));
        Assert.Equal(expected, Text(s.Query($"SELECT {Aggregates} FROM '{source}'").Rows()));
        Assert.Equal(["DECIMAL(15,2)", "DECIMAL(38,6)", "DECIMAL(4,0)", "DECIMAL(4,2)"],
            s.Query($"SELECT typeof(a), typeof(b), typeof(c), typeof(d) FROM '{source}' LIMIT 1").Rows().Single().Select(v => (string)v!).ToArray());

        s.Execute($"CREATE DATASET money AS SELECT * FROM '{source}'");
        Assert.Equal(expected, Text(s.Query($"SELECT {Aggregates} FROM money").Rows()));
        s.Execute($"COPY (SELECT * FROM money) TO '{written}'");
        Assert.Equal(expected, Rows(duck, $"SELECT {Aggregates} FROM '{written}'"));
        Assert.Equal(["DECIMAL(15,2)", "DECIMAL(38,6)", "DECIMAL(4,0)", "DECIMAL(4,2)"], Rows(duck, $"SELECT column_type FROM (DESCRIBE SELECT * FROM '{written}')"));
        // Row by row, in order, the values DuckDB reads back are the ones it wrote.
        Assert.Equal(Rows(duck, $"SELECT a, b, c, d FROM '{source}'"), Rows(duck, $"SELECT a, b, c, d FROM '{written}'"));
    }

    private static void Run(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static List<string> Rows(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(c => DuckValueText.Of(r.GetValue(c)))));
        return rows;
    }

    private static List<string> Text(IEnumerable<object?[]> rows) => rows.Select(r => string.Join("|", r.Select(DuckValueText.Of))).ToList();
}
