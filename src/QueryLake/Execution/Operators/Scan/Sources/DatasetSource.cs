using QueryLake.Columnar.Statistics;
using QueryLake.Columnar;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>A dataset version as a scan source: projection and fragment pruning go down to the store.</summary>
internal sealed class DatasetSource(DatasetSnapshot snapshot, string name) : ITableSource
{
    public string Name { get; } = name;
    public Schema Schema => snapshot.Schema;
    public long? EstimatedRows => snapshot.RowCount;
    public IReadOnlyList<FragmentInfo>? Fragments => snapshot.Fragments;
    public DatasetSnapshot Snapshot => snapshot;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        foreach (var b in snapshot.Scan(columns, fragmentFilter: keep, encoded: true))
        {
            cancel.ThrowIfCancellationRequested();
            yield return b;
        }
    }
}
