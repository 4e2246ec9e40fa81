using System.Globalization;
using Xunit;

namespace QueryLake.Tests.Tpch;

/// <summary>All 22 TPC-H queries, exactly as the TPC's qgen writes them, on QueryLake and on DuckDB over the same data:
/// the same rows in the same order (numbers within a relative 1e-9, as sums of doubles may add in another order).</summary>
public sealed class TpchTests(TpchData data) : IClassFixture<TpchData>
{
    public static TheoryData<int> Queries => [.. Enumerable.Range(1, 22)];

    [TpchTheory]
    [MemberData(nameof(Queries))]
    public void Query_gives_DuckDB_s_result(int number)
    {
        var sql = data.Query(number);
        var expected = DuckDbRows(sql);
        var actual = data.Session.Query(sql).Rows().Select(r => r.Select(Normal).ToArray()).ToList();
        Assert.True(expected.Count == actual.Count, $"q{number}: DuckDB gives {expected.Count} rows, QueryLake {actual.Count}");
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.True(expected[r].Length == actual[r].Length, $"q{number} row {r}: {expected[r].Length} columns against {actual[r].Length}");
            for (int c = 0; c < expected[r].Length; c++)
                Assert.True(Same(expected[r][c], actual[r][c]), $"q{number} row {r} column {c}: DuckDB {Show(expected[r][c])}, QueryLake {Show(actual[r][c])}");
        }
    }

    private List<object?[]> DuckDbRows(string sql)
    {
        using var cmd = data.DuckDb.CreateCommand();
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
    private static object? Normal(object? v) => v switch
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

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (double x, double y) => x == y || Math.Abs(x - y) <= 1e-9 * Math.Max(Math.Abs(x), Math.Abs(y)) || Math.Abs(x - y) < 1e-9,
        _ => Equals(a, b),
    };

    private static string Show(object? v) => v switch { null => "NULL", double d => d.ToString("R", CultureInfo.InvariantCulture), _ => $"'{v}'" };
}
