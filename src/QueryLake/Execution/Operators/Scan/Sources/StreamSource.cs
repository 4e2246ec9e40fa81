using QueryLake.Columnar;
using QueryLake.Columnar.Statistics;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>Batches computed as they are read, never held: a file read row by row on each scan (CSV), or rows that
/// can be made only once (what IMPORT FILES reads from files; <paramref name="once"/>), which a plan scans exactly
/// once.</summary>
internal sealed class StreamSource(string name, Schema schema, Func<IEnumerable<RecordBatch>> open, long? rows = null, bool once = false) : ITableSource
{
    private int _scanned;

    public string Name { get; } = name;
    public Schema Schema { get; } = schema;
    public long? EstimatedRows { get; } = rows;
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        if (once && Interlocked.Exchange(ref _scanned, 1) != 0) throw new InvalidOperationException($"the rows of {Name} can be read once");
        var indices = columns.Select(c => Schema.IndexOf(c)).ToArray();
        var projected = new Schema(indices.Select(i => Schema.Fields[i]).ToList());
        foreach (var b in open())
        {
            cancel.ThrowIfCancellationRequested();
            yield return new RecordBatch(projected, indices.Select(i => b.Columns[i]).ToArray(), b.Length);
        }
    }
}
