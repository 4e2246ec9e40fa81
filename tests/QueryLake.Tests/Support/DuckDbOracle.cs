using DuckDB.NET.Data;

namespace QueryLake.Tests.Support;

/// <summary>DuckDB in process (DuckDB.NET), for oracle checks: a fresh in-memory database per call.</summary>
public static class DuckDbOracle
{
    /// <summary>Runs <paramref name="sql"/> in a new in-memory DuckDB and gives its rows, values as DuckDB.NET gives
    /// them (NULL as null).</summary>
    public static List<object?[]> Rows(string sql)
    {
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int c = 0; c < row.Length; c++) row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            rows.Add(row);
        }
        return rows;
    }
}
