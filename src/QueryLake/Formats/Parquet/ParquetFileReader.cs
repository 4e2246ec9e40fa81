using System.Buffers.Binary;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Parquet.Metadata;
using QueryLake.Formats.Parquet.Reading;
using QueryLake.Kernels;
using QueryLake.Columnar.Statistics;

namespace QueryLake.Formats.Parquet;

/// <summary>
/// Reads a Parquet file (memory-mapped) into Arrow record batches: one row group at a time, only the columns asked
/// for, skipping row groups and pages whose statistics rule a filter out. Every structural problem surfaces as a
/// <see cref="CorruptFileException"/> naming the file, the row group and the column.
/// </summary>
public sealed class ParquetFileReader
{
    private readonly MappedFile _file;
    private readonly FileMetaData _meta;
    private readonly ParquetSchema _schema;

    private readonly Schema _arrow;

    private ParquetFileReader(MappedFile file, FileMetaData meta, ParquetSchema schema)
    {
        (_file, _meta, _schema) = (file, meta, schema);
        // Arrow writers (QueryLake's included) record the original Arrow schema: it restores extension types,
        // fixed-size lists and metadata that Parquet cannot express.
        var hint = ArrowSchemaHint.Decode(meta.KeyValues.LastOrDefault(kv => kv.Key == ArrowSchemaHint.Key).Value);
        var fields = schema.Arrow.Fields.Select((f, i) => ArrowSchemaHint.Restore(f, hint is not null && i < hint.Fields.Count ? hint.Fields[i] : null)).ToList();
        _arrow = new Schema(fields, hint?.Metadata);
    }

    /// <summary>Opens a file and reads its footer and schema.</summary>
    /// <exception cref="CorruptFileException">The file is not Parquet, or its footer is damaged.</exception>
    public static ParquetFileReader Open(string path) => Open(MappedFile.Open(path));

    /// <summary>Reads a Parquet file through <paramref name="file"/>: mapped, or read by ranges from object storage
    /// (<see cref="MappedFile.Over"/>), in which case only the footer and the column chunks a read needs are fetched.</summary>
    internal static ParquetFileReader Open(MappedFile file)
    {
        var path = file.Path;
        try
        {
            if (file.Length < 12) throw new ParquetFormatException($"the file has {file.Length} bytes, too few for Parquet");
            if (!file.Span(0, 4).SequenceEqual("PAR1"u8)) throw new ParquetFormatException("the file does not start with the Parquet magic 'PAR1'");
            var tail = file.Span(file.Length - 8, 8);
            if (tail[4..].SequenceEqual("PARE"u8)) throw new ParquetFormatException("the file is encrypted (footer magic 'PARE'), which is not supported");
            if (!tail[4..].SequenceEqual("PAR1"u8)) throw new ParquetFormatException("the file does not end with the Parquet magic 'PAR1' (truncated?)");
            int footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
            if (footerLength <= 0 || footerLength > file.Length - 12) throw new ParquetFormatException($"the footer length {footerLength} does not fit the {file.Length}-byte file");
            var meta = FileMetaData.Read(file.Span(file.Length - 8 - footerLength, footerLength));
            var schema = new ParquetSchema(meta.Schema);
            foreach (var (g, i) in meta.RowGroups.Select((g, i) => (g, i)))
            {
                if (g.Columns.Count != schema.Leaves.Count) throw new ParquetFormatException($"row group {i} has {g.Columns.Count} column chunks but the schema has {schema.Leaves.Count} leaf columns");
                if (g.NumRows < 0 || g.NumRows > int.MaxValue) throw new ParquetFormatException($"row group {i} declares {g.NumRows} rows");
            }
            return new ParquetFileReader(file, meta, schema);
        }
        catch (ParquetFormatException e) { throw new CorruptFileException(path, e.Message, e); }
        catch (OverflowException e) { throw new CorruptFileException(path, "the footer holds an out-of-range number", e); }
        catch (ArgumentException e) { throw new CorruptFileException(path, $"the footer describes an invalid schema: {Errors.ErrorText.Describe(e)}", e); }
    }

    /// <summary>The file's path.</summary>
    public string Path => _file.Path;

    /// <summary>The Arrow schema the file reads as.</summary>
    public Schema Schema => _arrow;

    /// <summary>The number of rows in the file.</summary>
    public long RowCount => _meta.RowGroups.Sum(g => g.NumRows);

    /// <summary>The number of row groups.</summary>
    public int RowGroupCount => _meta.RowGroups.Count;

    /// <summary>The rows of one row group.</summary>
    public long RowGroupRows(int index) => _meta.RowGroups[index].NumRows;

    /// <summary>The writer that made the file, when it says.</summary>
    public string? CreatedBy => _meta.CreatedBy;

    /// <summary>The footer's key/value metadata.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> KeyValueMetadata => _meta.KeyValues;

    /// <summary>Min/max/null statistics of a row group's top-level primitive columns, as the engine compares them.</summary>
    public IReadOnlyDictionary<string, ColumnStatistics> RowGroupStatistics(int index)
    {
        var result = new Dictionary<string, ColumnStatistics>();
        var g = _meta.RowGroups[index];
        foreach (var node in _schema.Columns)
        {
            if (node.Kind != SchemaNode.NodeKind.Leaf || g.Columns[node.LeafIndex].Statistics is not { } s) continue;
            var (min, max) = s.Bounds(LegacyStatisticsUsable(node.Leaf!));
            var cs = Statistic(node.Leaf!, node.Field.DataType, min, max, s.NullCount);
            if (cs is not null) result[node.Field.Name] = cs;
        }
        return result;
    }

    /// <summary>Reads one row group's columns (all when <paramref name="columns"/> is null) as one record batch.</summary>
    /// <exception cref="CorruptFileException">A page or level stream is damaged.</exception>
    public RecordBatch ReadRowGroup(int index, IReadOnlyList<string>? columns = null) => ReadRowGroup(index, columns, null) ?? throw new InvalidOperationException();

    /// <summary>Reads a row group, keeping only rows on pages the <paramref name="keep"/> test (over page statistics from
    /// the column index) does not rule out; null when the whole row group is ruled out. With <c>encoded</c>, text
    /// columns whose pages are all dictionary-encoded come back as <see cref="Columnar.Arrays.DictionaryArray"/>s
    /// (indices into the chunk's dictionary) instead of decoded strings: the query engine works on the indices. With a
    /// <paramref name="lease"/>, the columns are decoded into buffers rented through it (see <see cref="BufferLease"/>).</summary>
    internal RecordBatch? ReadRowGroup(int index, IReadOnlyList<string>? columns, Func<IPrunable, bool>? keep, bool encoded = false,
        BufferLease? lease = null) =>
        ReadRowGroup(index, columns, keep, encoded, out _, lease);

    /// <summary>A filtered read of a row group with late materialization: the columns the filter reads
    /// (<paramref name="filterColumns"/>, some of <paramref name="columns"/>) are read first, as by
    /// <see cref="ReadRowGroup(int, IReadOnlyList{string}?, Func{IPrunable, bool}?, bool, BufferLease?)"/>; <paramref name="select"/>
    /// picks rows of that batch. When it picks few (see <see cref="LateShare"/>), the other columns are decoded for the
    /// picked rows only and the batch holds just those rows (Rows null); otherwise they are read like the filter's
    /// columns and Rows lists the picked rows of the batch, for the caller to gather in pieces. Columns come in the
    /// order of <paramref name="columns"/>; null when no row is picked.</summary>
    internal (RecordBatch Batch, int[]? Rows)? ReadRowGroupWhere(int index, IReadOnlyList<string> columns, IReadOnlyList<string> filterColumns,
        Func<RecordBatch, int[]> select, Func<IPrunable, bool>? keep, bool encoded = false, BufferLease? lease = null)
    {
        if (ReadRowGroup(index, filterColumns, keep, encoded, out var selection, lease) is not { } filtered) return null;
        var picked = SelectInSlices(filtered, select);
        if (picked.Length == 0) return null;
        var rest = columns.Where(c => !filterColumns.Contains(c)).ToList();
        bool few = picked.Length <= filtered.Length / LateShare;
        RecordBatch? others = null;
        if (rest.Count > 0 && !few)
            others = ReadRowGroup(index, rest, keep, encoded, lease)!; // the same pages, so the same rows as the filter's columns
        else if (rest.Count > 0)
        {
            int[] rowNumbers = picked;
            if (selection is not null)
            {
                // The batch holds only the rows of pages the statistics kept: back to row numbers in the row group.
                var all = selection.Rows();
                rowNumbers = new int[picked.Length];
                for (int k = 0; k < picked.Length; k++) rowNumbers[k] = all[picked[k]];
            }
            others = ReadRowGroupRows(index, rest, rowNumbers, encoded, lease);
        }
        var first = filterColumns.ToList();
        var kept = filtered;
        if (few && picked.Length < filtered.Length)
            using (lease is null ? null : ScratchScope.Into(lease)) // the filter's columns for the picked rows join the row group's lease
                kept = Gather.Rows(filtered, picked);
        var arrays = columns.Select(c => first.IndexOf(c) is var f and >= 0 ? kept.Columns[f] : others!.Columns[rest.IndexOf(c)]).ToList();
        var batch = new RecordBatch(new Schema(columns.Select(c => _arrow.Fields[ColumnIndex(c)]).ToList(), _arrow.Metadata), arrays, kept.Length);
        return (batch, few || picked.Length == filtered.Length ? null : picked);
    }

    /// <summary>Runs a row-wise selector over a row group's batch in slices of 64K rows, several at once (a row group
    /// is read by one task; its filter need not be), and returns the picked rows of the whole batch, ascending.</summary>
    private static int[] SelectInSlices(RecordBatch batch, Func<RecordBatch, int[]> select)
    {
        const int Slice = 1 << 16;
        if (batch.Length <= Slice) return select(batch);
        var parts = new int[(batch.Length + Slice - 1) / Slice][];
        System.Threading.Tasks.Parallel.For(0, parts.Length, new ParallelOptions { MaxDegreeOfParallelism = Execution.Parallel.Degree }, s =>
        {
            int start = s * Slice;
            var rows = select(batch.Slice(start, Math.Min(Slice, batch.Length - start)));
            for (int k = 0; k < rows.Length; k++) rows[k] += start;
            parts[s] = rows;
        });
        var all = new int[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (var part in parts) { part.CopyTo(all, at); at += part.Length; }
        return all;
    }

    /// <summary>Late materialization pays when the filter keeps at most one row in this many: decoding only the picked
    /// rows then skips most values (flights-3m, a 2% filter on text: 27–30 → 19–21 ms); a filter that keeps most rows
    /// of whole pages gains nothing from picking.</summary>
    private const int LateShare = 4;

    private RecordBatch? ReadRowGroup(int index, IReadOnlyList<string>? columns, Func<IPrunable, bool>? keep, bool encoded, out RowSelection? selection,
        BufferLease? lease)
    {
        selection = null;
        var g = _meta.RowGroups[index];
        var indexes = columns is null ? Enumerable.Range(0, _schema.Columns.Count).ToList() : columns.Select(ColumnIndex).ToList();
        var nodes = indexes.Select(i => _schema.Columns[i]).ToList();
        var outSchema = new Schema(indexes.Select(i => _arrow.Fields[i]).ToList(), _arrow.Metadata);
        string current = "";
        try
        {
            if (keep is not null)
            {
                current = "(page index)";
                selection = PageFilter.Select(_file, g, _schema, keep, (leaf, t, min, max, nulls) => Statistic(leaf, t, min, max, nulls));
                if (selection is { IsEmpty: true }) return null;
                if (selection is not null && selection.Count == g.NumRows) selection = null; // no page ruled out
            }
            var arrays = new ArrowArray[nodes.Count];
            for (int c = 0; c < nodes.Count; c++)
            {
                var node = nodes[c];
                current = node.Field.Name;
                var leaves = new Dictionary<int, LeafData>();
                bool partial = selection is not null && node.Leaves().All(l => _schema.Leaves[l].MaxRep == 0 && g.Columns[l].OffsetIndexOffset is not null);
                var covered = new Dictionary<int, RowSelection>();
                bool keepDictionary = encoded && node.Leaf is { MaxRep: 0 } && node.Field.DataType.Equals(DataType.Utf8);
                foreach (int l in node.Leaves())
                {
                    current = _schema.Leaves[l].PathText;
                    if (partial)
                    {
                        var (pages, rows) = PageFilter.Pages(_file, g.Columns[l], selection!, g.NumRows);
                        leaves[l] = ColumnChunkReader.Read(_file, g.Columns[l], _schema.Leaves[l], pages, keepDictionary, lease: lease);
                        covered[l] = rows;
                    }
                    else leaves[l] = ColumnChunkReader.Read(_file, g.Columns[l], _schema.Leaves[l], null, keepDictionary, lease: lease);
                }
                current = node.Field.Name;
                if (partial)
                {
                    // Every leaf of a flat column covers the same pages' rows only if their pages align; take the first
                    // leaf's coverage (structs of flat leaves are rare) and require the others to match.
                    var rows = covered[node.FirstLeaf];
                    if (covered.Values.Any(r => !r.SameAs(rows))) { partial = false; foreach (int l in node.Leaves()) leaves[l] = ColumnChunkReader.Read(_file, g.Columns[l], _schema.Leaves[l], null, keepDictionary, lease: lease); }
                    else
                    {
                        var a = ArrowSchemaHint.Apply(LevelAssembler.Column(node, leaves, rows.Count), outSchema.Fields[c].DataType);
                        arrays[c] = rows.SameAs(selection!) ? a : Gather.Rows(a, rows.PositionsOf(selection!));
                        continue;
                    }
                }
                var full = ArrowSchemaHint.Apply(LevelAssembler.Column(node, leaves, g.NumRows), outSchema.Fields[c].DataType);
                arrays[c] = selection is null ? full : Gather.Rows(full, selection.Rows());
            }
            int length = selection?.Count ?? (int)g.NumRows;
            return new RecordBatch(outSchema, arrays, length);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new CorruptFileException(_file.Path, $"row group {index}, column '{current}': {Errors.ErrorText.Describe(e)}", e);
        }
    }

    /// <summary>Reads the given <paramref name="rows"/> (ascending row numbers within row group <paramref name="index"/>) of
    /// some columns: a column without repetition decodes only the pages holding those rows and keeps only their values
    /// (see <see cref="ColumnChunkReader.Read"/>); a nested one is read whole and gathered. <c>encoded</c> is as for
    /// <see cref="ReadRowGroup(int, IReadOnlyList{string}?, Func{IPrunable, bool}?, bool, BufferLease?)"/>.</summary>
    internal RecordBatch ReadRowGroupRows(int index, IReadOnlyList<string> columns, int[] rows, bool encoded = false, BufferLease? lease = null)
    {
        var g = _meta.RowGroups[index];
        var indexes = columns.Select(ColumnIndex).ToList();
        var outSchema = new Schema(indexes.Select(i => _arrow.Fields[i]).ToList(), _arrow.Metadata);
        string current = "";
        try
        {
            var arrays = new ArrowArray[indexes.Count];
            for (int c = 0; c < indexes.Count; c++)
            {
                var node = _schema.Columns[indexes[c]];
                current = node.Field.Name;
                bool flat = node.Leaves().All(l => _schema.Leaves[l].MaxRep == 0);
                bool keepDictionary = encoded && node.Leaf is { MaxRep: 0 } && node.Field.DataType.Equals(DataType.Utf8);
                var leaves = new Dictionary<int, LeafData>();
                foreach (int l in node.Leaves())
                {
                    current = _schema.Leaves[l].PathText;
                    leaves[l] = ColumnChunkReader.Read(_file, g.Columns[l], _schema.Leaves[l], null, keepDictionary, flat ? rows : null, lease);
                }
                current = node.Field.Name;
                var column = ArrowSchemaHint.Apply(LevelAssembler.Column(node, leaves, flat ? rows.Length : g.NumRows), outSchema.Fields[c].DataType);
                arrays[c] = flat ? column : Gather.Rows(column, rows);
            }
            return new RecordBatch(outSchema, arrays, rows.Length);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new CorruptFileException(_file.Path, $"row group {index}, column '{current}': {Errors.ErrorText.Describe(e)}", e);
        }
    }

    /// <summary>What decoding damaged bytes throws: the format's own errors, and the range and data errors of checks
    /// that hostile values trip.</summary>
    private static bool IsDamage(Exception e) =>
        e is ParquetFormatException or OverflowException or IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException;

    /// <summary>Reads every row group in order.</summary>
    public IEnumerable<RecordBatch> ReadAll(IReadOnlyList<string>? columns = null)
    {
        for (int i = 0; i < RowGroupCount; i++) yield return ReadRowGroup(i, columns);
    }

    private int ColumnIndex(string name)
    {
        int i = _schema.Arrow.IndexOf(name);
        if (i < 0) throw new ArgumentException($"'{_file.Path}' has no column '{name}'", nameof(name));
        return i;
    }

    /// <summary>Legacy (pre min_value/max_value) statistics were signed comparisons: trustworthy only for signed numbers.</summary>
    private static bool LegacyStatisticsUsable(LeafColumn leaf) =>
        leaf.Physical is PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.Float or PhysicalType.Double
        && leaf.Element.Converted is null or ConvertedType.Int8 or ConvertedType.Int16 or ConvertedType.Int32 or ConvertedType.Int64 or ConvertedType.Date
        && leaf.Element.Logical?.Kind is null or LogicalKind.None or LogicalKind.Date or LogicalKind.Integer && leaf.Element.Logical?.Signed != false;

    /// <summary>A PLAIN-encoded min/max pair as the engine's statistic values (long, double or string); null when the
    /// type's statistics are not comparable the way the engine compares.</summary>
    private static ColumnStatistics? Statistic(LeafColumn leaf, DataType type, byte[]? min, byte[]? max, long? nulls)
    {
        object? Decode(byte[]? b)
        {
            if (b is null) return null;
            switch (type.StorageType)
            {
                case PrimitiveType { Id: TypeId.Int8 or TypeId.Int16 or TypeId.Int32 or TypeId.UInt8 or TypeId.UInt16 or TypeId.Date32 } when leaf.Physical == PhysicalType.Int32 && b.Length == 4:
                    return type.Id == TypeId.UInt16 || type.Id == TypeId.UInt8 ? (long)(uint)BinaryPrimitives.ReadInt32LittleEndian(b) : (long)BinaryPrimitives.ReadInt32LittleEndian(b);
                case PrimitiveType { Id: TypeId.UInt32 } when b.Length == 4: return (long)BinaryPrimitives.ReadUInt32LittleEndian(b);
                case PrimitiveType { Id: TypeId.Int64 } when leaf.Physical == PhysicalType.Int64 && b.Length == 8 && leaf.Element.Logical?.Kind != LogicalKind.Time: return BinaryPrimitives.ReadInt64LittleEndian(b);
                case TimestampType { Unit: TimeUnit.Microsecond } when leaf.Physical == PhysicalType.Int64 && b.Length == 8: return BinaryPrimitives.ReadInt64LittleEndian(b);
                case PrimitiveType { Id: TypeId.Float32 } when leaf.Physical == PhysicalType.Float && b.Length == 4:
                    { double d = BinaryPrimitives.ReadSingleLittleEndian(b); return double.IsNaN(d) ? null : d; }
                case PrimitiveType { Id: TypeId.Float64 } when leaf.Physical == PhysicalType.Double && b.Length == 8:
                    { double d = BinaryPrimitives.ReadDoubleLittleEndian(b); return double.IsNaN(d) ? null : d; }
                case VariableBinaryType { Id: TypeId.Utf8 } when leaf.Physical == PhysicalType.ByteArray:
                    return Encoding.UTF8.GetString(b);
                default: return null;
            }
        }
        var lo = Decode(min);
        var hi = Decode(max);
        if (lo is null && hi is null && nulls is null) return null;
        return new ColumnStatistics(lo, hi, nulls ?? -1);
    }
}
