using DuckDB.NET.Data;

namespace QueryLake.Tests.Support;

/// <summary>DuckDB in process (DuckDB.NET), for oracle checks.</summary>
public static class DuckDbOracle
{
    /// <summary>An open in-memory database.</summary>
    public static DuckDBConnection Open()
    {
        var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        return duck;
    }

    /// <summary>Runs a statement that returns no rows.</summary>
    public static void Execute(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>The rows of <paramref name="sql"/>, each value as <paramref name="value"/> reads it from the reader
    /// (by default as DuckDB.NET gives it); NULL as null.</summary>
    public static List<object?[]> Rows(DuckDBConnection duck, string sql, Func<DuckDBDataReader, int, object?>? value = null)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int c = 0; c < row.Length; c++) row[c] = reader.IsDBNull(c) ? null : value is null ? reader.GetValue(c) : value(reader, c);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The rows of <paramref name="sql"/> in a new in-memory database.</summary>
    public static List<object?[]> Rows(string sql)
    {
        using var duck = Open();
        return Rows(duck, sql);
    }
}
