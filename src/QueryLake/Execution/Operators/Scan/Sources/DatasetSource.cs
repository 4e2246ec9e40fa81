using QueryLake.Columnar.Statistics;
using QueryLake.Columnar;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>A dataset version as a scan source: projection and fragment pruning go down to the store. With
/// <paramref name="withRowId"/>, the source also has each row's id as a last column, <c>_rowid</c> (what UPDATE and
/// DELETE plans read to name the rows they change). With <paramref name="fragments"/>, only those fragments are read (a
/// cluster worker's share), and of a fragment <paramref name="batches"/> names only those batches (a row range);
/// estimates stay the whole version's, so every worker plans as the coordinator does.</summary>
internal sealed class DatasetSource(DatasetSnapshot snapshot, string name, bool withRowId = false, IReadOnlySet<long>? fragments = null,
    IReadOnlyDictionary<long, (int First, int End)>? batches = null) : ITableSource
{
    public string Name { get; } = name;

    public Schema Schema { get; } = withRowId
        ? new Schema(snapshot.Schema.Fields.Append(new Field(RowId.ColumnName, Columnar.Types.DataType.Int64, false)).ToList())
        : snapshot.Schema;

    public long? EstimatedRows => snapshot.RowCount;
    public IReadOnlyList<FragmentInfo>? Fragments => snapshot.Fragments;
    public DatasetSnapshot Snapshot => snapshot;

    /// <summary>The same source reading only <paramref name="only"/> (a cluster task's fragments), and of a fragment
    /// <paramref name="rows"/> names only those batches.</summary>
    public DatasetSource Restricted(IReadOnlySet<long> only, IReadOnlyDictionary<long, (int First, int End)>? rows = null) => new(snapshot, Name, withRowId, only, rows);

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        int rowId = withRowId ? columns.ToList().IndexOf(RowId.ColumnName) : -1;
        var stored = rowId < 0 ? columns : columns.Where((_, i) => i != rowId).ToList();
        var filter = fragments is null ? keep
            : f => f is FragmentInfo info && fragments.Contains(info.Id) && (keep is null || keep(f));
        foreach (var b in snapshot.Scan(stored, rowId >= 0, filter, true, batches))
        {
            cancel.ThrowIfCancellationRequested();
            if (rowId < 0 || rowId == columns.Count - 1) { yield return b; continue; }
            // The store gives the id last: put it where the scan asked for it.
            var reordered = b.Columns.Take(b.Columns.Count - 1).ToList();
            reordered.Insert(rowId, b.Columns[^1]);
            var fields = b.Schema.Fields.Take(b.Columns.Count - 1).ToList();
            fields.Insert(rowId, b.Schema.Fields[^1]);
            yield return new RecordBatch(new Schema(fields), reordered.ToArray(), b.Length);
        }
    }
}
