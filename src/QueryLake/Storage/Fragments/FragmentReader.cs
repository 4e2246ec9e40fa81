using System.Collections.Concurrent;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Ipc;
using QueryLake.Kernels;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>
/// Reads the rows of one fragment: each of its data files holds some columns, all with the same batch
/// boundaries (recorded as <c>batchRows</c>); columns no file holds read as nulls. Files are memory-mapped (read by
/// ranges on object storage) and their decoded batches cached, so random access to single rows costs no scan.
/// </summary>
internal sealed class FragmentReader(string datasetPath, FragmentRecord fragment, FileCache cache)
{
    private long[]? _batchStarts;

    public FragmentRecord Fragment { get; } = fragment;

    private long[] BatchStarts
    {
        get
        {
            if (_batchStarts is not null) return _batchStarts;
            var starts = new long[Fragment.BatchRows.Count + 1];
            for (int i = 0; i < Fragment.BatchRows.Count; i++) starts[i + 1] = starts[i] + Fragment.BatchRows[i];
            return _batchStarts = starts;
        }
    }

    /// <summary>Reads batch <paramref name="index"/> with the given fields (physical rows, deleted included). Text
    /// stored dictionary-encoded comes back decoded, or as it is stored when <paramref name="encoded"/> is set (for
    /// the query engine, which works on the indices).</summary>
    public RecordBatch ReadBatch(int index, IReadOnlyList<(Field Field, int Id)> fields, bool withRowId, bool encoded = false)
    {
        int rows = Fragment.BatchRows[index];
        var columns = new List<ArrowArray>(fields.Count + 1);
        var outFields = new List<Field>(fields.Count + 1);
        foreach (var (field, id) in fields)
        {
            var column = Column(index, field, id, (f, pos) => f.Column(index, pos), encoded);
            columns.Add(column ?? ArrayBuilder.Nulls(field.DataType, rows));
            outFields.Add(field);
        }
        if (withRowId)
        {
            var ids = new PrimitiveBuilder<long>(DataType.Int64);
            long start = BatchStarts[index];
            for (int j = 0; j < rows; j++) ids.Append(RowId.Make(Fragment.Id, start + j));
            columns.Add(ids.Build());
            outFields.Add(new Field(RowId.ColumnName, DataType.Int64, nullable: false));
        }
        return new RecordBatch(new Schema(outFields), columns, rows);
    }

    /// <summary>Rows <paramref name="rows"/> (ascending offsets within batch <paramref name="index"/>) of the given fields:
    /// a take, which on object storage reads only those rows' bytes where it can (<see cref="IFragmentFile.Rows"/>).</summary>
    public RecordBatch ReadRows(int index, IReadOnlyList<(Field Field, int Id)> fields, int[] rows)
    {
        var columns = new List<ArrowArray>(fields.Count);
        foreach (var (field, id) in fields)
        {
            var column = Column(index, field, id, (f, pos) => f.Rows(index, pos, rows), encoded: false);
            columns.Add(column ?? ArrayBuilder.Nulls(field.DataType, rows.Length));
        }
        return new RecordBatch(new Schema(fields.Select(f => f.Field).ToList()), columns, rows.Length);
    }

    /// <summary>Field <paramref name="id"/> of batch <paramref name="index"/>, as <paramref name="read"/> takes it from the
    /// file that holds it (the whole column, or some rows), typed as <paramref name="field"/> says (dictionary-encoded
    /// text decoded unless <paramref name="encoded"/>); null when no file holds it.</summary>
    private ArrowArray? Column(int index, Field field, int id, Func<IFragmentFile, int, ArrowArray> read, bool encoded)
    {
        int rows = Fragment.BatchRows[index];
        foreach (var file in Fragment.Files)
        {
            int pos = file.FieldIds.IndexOf(id);
            if (pos < 0) continue;
            var cached = cache.Get(Stores.LakeStorage.FileOf(datasetPath, file.Path), file);
            if (cached.BatchLength(index) is var length && length != rows)
                throw new Errors.CorruptFileException(file.Path, $"batch {index} has {length} rows, the manifest says {rows}");
            var column = read(cached, pos);
            if (column is DictionaryArray && field.DataType is not DictionaryType) return encoded ? column : Vectors.Plain(column);
            return column.Type.Equals(field.DataType) ? column : ArrowArray.FromData(column.Data.WithType(field.DataType));
        }
        return null;
    }

    /// <summary>All live rows, batch by batch; with <paramref name="batches"/>, those of batches
    /// [<c>First</c>, <c>End</c>) only (a row range: a cluster task's share of a large fragment).</summary>
    public IEnumerable<RecordBatch> Scan(IReadOnlyList<(Field Field, int Id)> fields, bool withRowId, bool encoded = false, (int First, int End)? batches = null)
    {
        var deleted = DeletionVector.Read(cache.Storage, datasetPath, Fragment.Deletions);
        int first = Math.Max(0, batches?.First ?? 0), end = Math.Min(Fragment.BatchRows.Count, batches?.End ?? int.MaxValue);
        for (int i = first; i < end; i++)
        {
            var batch = ReadBatch(i, fields, withRowId, encoded);
            if (deleted.Count == 0) { yield return batch; continue; }
            long start = BatchStarts[i];
            var keep = new List<int>(batch.Length);
            for (int j = 0; j < batch.Length; j++) if (!deleted.Contains((uint)(start + j))) keep.Add(j);
            if (keep.Count == batch.Length) yield return batch;
            else if (keep.Count > 0) yield return Gather.Rows(batch, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keep));
        }
    }

    /// <summary>Locates a physical row offset: (batch index, row within batch).</summary>
    public (int Batch, int Row) Locate(long offset)
    {
        var starts = BatchStarts;
        if (offset < 0 || offset >= starts[^1]) return (-1, -1);
        int lo = 0, hi = starts.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
        }
        return (lo, (int)(offset - starts[lo]));
    }
}
