using QueryLake.Columnar;
using QueryLake.Storage;

namespace QueryLake.Planning.Logical;

/// <summary>Something a scan reads: a dataset version, a file, or rows materialized in memory.</summary>
internal interface ITableSource
{
    string Name { get; }
    Schema Schema { get; }
    long? EstimatedRows { get; }

    /// <summary>Fragment statistics, when the source has them (for pruning).</summary>
    IReadOnlyList<FragmentInfo>? Fragments { get; }

    /// <summary>Reads the given columns, skipping fragments <paramref name="keep"/> rejects.</summary>
    IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<FragmentInfo, bool>? keep, CancellationToken cancel);
}
