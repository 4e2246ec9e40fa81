using QueryLake.Columnar.Statistics;
using QueryLake.Columnar;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>Rows held in memory (a file read whole, a materialized subquery) as a scan source.</summary>
internal sealed class MemorySource(string name, Schema schema, IReadOnlyList<RecordBatch> batches) : ITableSource
{
    public string Name { get; } = name;
    public Schema Schema { get; } = schema;
    public long? EstimatedRows => batches.Sum(b => (long)b.Length);
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        var idx = columns.Select(c => Schema.IndexOf(c)).ToArray();
        var outSchema = new Schema(idx.Select(i => Schema.Fields[i]).ToList());
        foreach (var b in batches)
        {
            cancel.ThrowIfCancellationRequested();
            yield return new RecordBatch(outSchema, idx.Select(i => b.Columns[i]).ToList(), b.Length);
        }
    }
}
