using QueryLake.Columnar;
using QueryLake.Columnar.Statistics;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>Batches computed once, as they are read (the rows IMPORT FILES makes from files): a source a plan scans
/// exactly once, so a statement's write streams them without holding them.</summary>
internal sealed class StreamSource(string name, Schema schema, IEnumerable<RecordBatch> batches) : ITableSource
{
    private int _scanned;

    public string Name { get; } = name;
    public Schema Schema { get; } = schema;
    public long? EstimatedRows => null;
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        if (Interlocked.Exchange(ref _scanned, 1) != 0) throw new InvalidOperationException($"the rows of {Name} can be read once");
        var indices = columns.Select(c => Schema.IndexOf(c)).ToArray();
        var projected = new Schema(indices.Select(i => Schema.Fields[i]).ToList());
        foreach (var b in batches)
        {
            cancel.ThrowIfCancellationRequested();
            yield return new RecordBatch(projected, indices.Select(i => b.Columns[i]).ToArray(), b.Length);
        }
    }
}
