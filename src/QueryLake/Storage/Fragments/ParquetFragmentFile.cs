using QueryLake.Columnar.Arrays;
using QueryLake.Formats.Parquet;

namespace QueryLake.Storage.Fragments;

/// <summary>A cold-tier data file: Parquet (zstd), one row group per batch of its fragment, so batch i is row group i.
/// Columns are read one at a time (on object storage: the footer, then only that column's chunk) and held weakly.</summary>
internal sealed class ParquetFragmentFile(ParquetFileReader reader) : IFragmentFile
{
    private readonly Dictionary<long, WeakReference<ArrowArray>> _columns = [];

    public int BatchLength(int index)
    {
        Check(index);
        return checked((int)reader.RowGroupRows(index));
    }

    public ArrowArray Column(int index, int column)
    {
        Check(index);
        long slot = (long)index * reader.Schema.Fields.Count + column;
        lock (_columns)
            if (_columns.TryGetValue(slot, out var weak) && weak.TryGetTarget(out var alive)) return alive;
        var read = reader.ReadRowGroup(index, [reader.Schema.Fields[column].Name]).Columns[0];
        lock (_columns) _columns[slot] = new WeakReference<ArrowArray>(read);
        return read;
    }

    private void Check(int index)
    {
        if ((uint)index >= (uint)reader.RowGroupCount)
            throw new Errors.CorruptFileException(reader.Path, $"has {reader.RowGroupCount} row groups, batch {index} was asked for");
    }
}
