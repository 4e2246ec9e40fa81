using QueryLake.Columnar;

namespace QueryLake.Sessions;

/// <summary>The result of one statement: a schema and batches (possibly empty), and for statements that change
/// data, the number of rows affected.</summary>
[Display.TypeFormatterSource(typeof(Display.QueryResultFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class QueryResult
{
    internal QueryResult(string statement, Schema schema, IReadOnlyList<RecordBatch> batches, long? rowsAffected = null)
    {
        Statement = statement;
        Schema = schema;
        Batches = batches;
        RowsAffected = rowsAffected;
    }

    /// <summary>The statement's text.</summary>
    public string Statement { get; }

    /// <summary>The result columns.</summary>
    public Schema Schema { get; }

    /// <summary>The result rows, in batches.</summary>
    public IReadOnlyList<RecordBatch> Batches { get; }

    /// <summary>Rows inserted, updated or deleted, for statements that change data.</summary>
    public long? RowsAffected { get; }

    /// <summary>Number of result rows.</summary>
    public long RowCount => Batches.Sum(b => (long)b.Length);

    /// <summary>The rows as arrays of .NET values (see <see cref="Columnar.Arrays.ArrowArray.GetValue"/>).</summary>
    public IEnumerable<object?[]> Rows()
    {
        foreach (var b in Batches)
            for (int r = 0; r < b.Length; r++)
            {
                var row = new object?[b.Columns.Count];
                for (int c = 0; c < row.Length; c++) row[c] = b.Columns[c].GetValue(r);
                yield return row;
            }
    }
}
