using QueryLake.Columnar.Statistics;
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
    IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel);

    /// <summary>Like <see cref="Scan"/>, for a caller that releases each batch (<see cref="RecordBatch.Release"/>) once it
    /// is done with it and keeps nothing of it: a source that decodes (Parquet) may then decode into pooled buffers that
    /// released batches give back (<see cref="Columnar.Memory.BufferLease"/>). Only such a caller may release a batch.</summary>
    IEnumerable<RecordBatch> ScanLent(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel) => Scan(columns, keep, cancel);

    /// <summary>A filtered read with late materialization, for sources that decode columns (Parquet): per fragment, the
    /// columns the filter reads (<paramref name="filterColumns"/>, some of <paramref name="columns"/>) are read first,
    /// <paramref name="select"/> picks rows of that batch, and the other columns are decoded for the picked rows only.
    /// Yields the picked rows of <paramref name="columns"/>, lent as by <see cref="ScanLent"/> when <paramref name="lend"/>
    /// is set. Null (the default) when the source cannot do better than <see cref="Scan"/> followed by the filter.</summary>
    IEnumerable<RecordBatch>? ScanWhere(IReadOnlyList<string> columns, IReadOnlyList<string> filterColumns, Func<RecordBatch, int[]> select,
        Func<IPrunable, bool>? keep, bool lend, CancellationToken cancel) => null;
}
