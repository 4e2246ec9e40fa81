using QueryLake.Columnar.Statistics;
using QueryLake.Columnar;
using QueryLake.Columnar.Memory;
using QueryLake.Errors;
using QueryLake.Formats.Parquet;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>One or more Parquet files with one schema as a scan source: each row group is a fragment with its column
/// statistics (so filters prune row groups, and then pages through the page index), only the selected columns are
/// decoded, and row groups decode in parallel.</summary>
internal sealed class ParquetSource : ITableSource
{
    private const int BatchRows = 1 << 16;
    private readonly IReadOnlyList<ParquetFileReader> _files;
    private readonly List<(int File, int RowGroup)> _groups = [];

    public ParquetSource(string name, IReadOnlyList<ParquetFileReader> files)
    {
        Name = name;
        _files = files;
        Schema = files[0].Schema;
        foreach (var f in files.Skip(1))
            if (!SameColumns(f.Schema, Schema))
                throw new QueryLakeException("QL-SCHEMA-MISMATCH", $"'{f.Path}' has columns ({string.Join(", ", f.Schema.Fields)}) but '{files[0].Path}' has ({string.Join(", ", Schema.Fields)}); files read together must share a schema");
        var fragments = new List<FragmentInfo>();
        for (int f = 0; f < files.Count; f++)
            for (int g = 0; g < files[f].RowGroupCount; g++)
            {
                long rows = files[f].RowGroupRows(g);
                fragments.Add(new FragmentInfo(_groups.Count, rows, rows, [files[f].Path], files[f].RowGroupStatistics(g)));
                _groups.Add((f, g));
            }
        Fragments = fragments;
    }

    private static bool SameColumns(Schema a, Schema b) =>
        a.Fields.Count == b.Fields.Count && a.Fields.Zip(b.Fields).All(p => p.First.Name == p.Second.Name && p.First.DataType.Equals(p.Second.DataType));

    public string Name { get; }
    public Schema Schema { get; }
    public long? EstimatedRows => _files.Sum(f => f.RowCount);
    public IReadOnlyList<FragmentInfo>? Fragments { get; }

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel) =>
        Read(columns, keep, lend: false, cancel);

    /// <summary>Row groups decoded into pooled buffers, each lent to the caller with its batches.</summary>
    public IEnumerable<RecordBatch> ScanLent(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel) =>
        Read(columns, keep, lend: true, cancel);

    private IEnumerable<RecordBatch> Read(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, bool lend, CancellationToken cancel) =>
        Batches(Execution.Parallel.OrderedMap(Wanted(keep), fg =>
        {
            var lease = lend ? new BufferLease(BufferPool.Shared) : null;
            return (_files[fg.File].ReadRowGroup(fg.RowGroup, columns, keep, encoded: true, lease), lease);
        }, Environment.ProcessorCount, cancel));

    /// <summary>Row groups in parallel, each reading the filter's columns, picking rows and decoding the other columns
    /// for the picked rows only (<see cref="ParquetFileReader.ReadRowGroupWhere"/>). Row groups whose picked rows are
    /// gathered here are always decoded into pooled buffers, given back once gathered.</summary>
    public IEnumerable<RecordBatch>? ScanWhere(IReadOnlyList<string> columns, IReadOnlyList<string> filterColumns, Func<RecordBatch, int[]> select,
        Func<IPrunable, bool>? keep, bool lend, CancellationToken cancel)
    {
        var decoded = Execution.Parallel.OrderedMap(Wanted(keep), fg =>
        {
            var lease = new BufferLease(BufferPool.Shared);
            return (Group: _files[fg.File].ReadRowGroupWhere(fg.RowGroup, columns, filterColumns, select, keep, encoded: true, lease), Lease: lease);
        }, Environment.ProcessorCount, cancel);
        foreach (var (group, lease) in decoded)
        {
            if (group is not var (batch, rows))
            {
                lease.Release();
                continue;
            }
            if (rows is null)
            {
                // Handed on as decoded: lent to a caller that asked, otherwise its own (the buffers are never reused).
                foreach (var b in Batches([(batch, lend ? lease : null)])) yield return b;
                continue;
            }
            // The picked rows of a row group read whole, gathered a batch at a time (small buffers stay warm), several
            // batches at once; the gathered batches are new (lent pooled buffers, to a caller that asked), so the row
            // group's buffers go back to the pool afterwards.
            var starts = Enumerable.Range(0, (rows.Length + BatchRows - 1) / BatchRows).Select(s => s * BatchRows);
            RecordBatch Gathered(int start) => Kernels.Gather.Rows(batch, rows.AsSpan(start, Math.Min(BatchRows, rows.Length - start)));
            foreach (var b in Execution.Parallel.OrderedMap(starts, start => lend ? ScratchScope.Lend(() => Gathered(start)) : Gathered(start),
                Environment.ProcessorCount, cancel))
                yield return b;
            lease.Release();
        }
    }

    /// <summary>The row groups (file, index) whose statistics <paramref name="keep"/> does not rule out, in order.</summary>
    private IEnumerable<(int File, int RowGroup)> Wanted(Func<IPrunable, bool>? keep) =>
        Fragments!.Where(f => keep is null || keep(f)).Select(f => _groups[(int)f.Id]);

    /// <summary>Row groups (null: ruled out or empty) cut into batches of at most <see cref="BatchRows"/> rows; a row
    /// group's lease, if any, is split among its batches, each carrying it.</summary>
    private static IEnumerable<RecordBatch> Batches(IEnumerable<(RecordBatch? Batch, BufferLease? Lease)> groups)
    {
        foreach (var (batch, lease) in groups)
        {
            if (batch is null || batch.Length == 0)
            {
                lease?.Release();
                continue;
            }
            int parts = (batch.Length + BatchRows - 1) / BatchRows;
            lease?.Split(parts);
            for (int start = 0; start < batch.Length; start += BatchRows)
            {
                var part = parts == 1 ? batch : batch.Slice(start, Math.Min(BatchRows, batch.Length - start));
                yield return lease is null ? part : part.Lend(lease);
            }
        }
    }
}
