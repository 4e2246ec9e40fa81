using System.Runtime.InteropServices;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Kernels;

/// <summary>
/// Gathers rows from one or more arrays of the same type into a new array, in the order given. Output
/// buffers are sized exactly before copying; runs of consecutive rows are copied in bulk. Used by scans
/// (dropping deleted rows) and by random access (rows by id across fragments).
/// </summary>
internal static class Gather
{
    /// <summary>One row to gather: which source, which row of it.</summary>
    public readonly record struct Pick(int Source, int Row);

    /// <summary>Every row of the batches as a pick, indexed by its position in them.</summary>
    public static Pick[] Positions(IReadOnlyList<RecordBatch> batches)
    {
        var picks = new Pick[batches.Sum(b => (long)b.Length)];
        long p = 0;
        for (int b = 0; b < batches.Count; b++)
            for (int r = 0; r < batches[b].Length; r++) picks[p++] = new Pick(b, r);
        return picks;
    }

    public static ArrowArray Rows(ArrowArray source, ReadOnlySpan<int> rows)
    {
        if (source is not DictionaryArray && source.Type.FixedByteWidth > 0) return FixedRows(source, rows, nullable: false);
        var picks = Picks(rows);
        try
        {
            return Rows(source.Type, [source], picks.AsSpan(0, rows.Length));
        }
        finally
        {
            System.Buffers.ArrayPool<Pick>.Shared.Return(picks);
        }
    }

    /// <summary>Rows of one array, where a negative row gives NULL (the missing partner of an outer join's row).</summary>
    public static ArrowArray RowsOrNull(ArrowArray source, ReadOnlySpan<int> rows)
    {
        if (source is not DictionaryArray && source.Type.FixedByteWidth > 0) return FixedRows(source, rows, nullable: true);
        bool anyNull = false;
        foreach (int r in rows) if (r < 0) { anyNull = true; break; }
        if (!anyNull) return Rows(source, rows);
        // Negative rows pick the one-row NULL source after the array.
        var picks = new Pick[rows.Length];
        for (int i = 0; i < rows.Length; i++) picks[i] = rows[i] < 0 ? new Pick(1, 0) : new Pick(0, rows[i]);
        return Rows(source.Type, [source, ArrayBuilder.Nulls(source.Type, 1)], picks);
    }

    public static RecordBatch Rows(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        var picks = Picks(rows);
        try
        {
            var columns = new ArrowArray[batch.Columns.Count];
            for (int c = 0; c < columns.Length; c++)
                columns[c] = batch.Columns[c] is not DictionaryArray && batch.Columns[c].Type.FixedByteWidth > 0
                    ? FixedRows(batch.Columns[c], rows, nullable: false)
                    : Rows(batch.Columns[c].Type, [batch.Columns[c]], picks.AsSpan(0, rows.Length));
            return new RecordBatch(batch.Schema, columns, rows.Length);
        }
        finally
        {
            System.Buffers.ArrayPool<Pick>.Shared.Return(picks);
        }
    }

    /// <summary>Fixed-width values of one array at <paramref name="rows"/>, one typed load per row (a join's rows are
    /// random, so per-run block copies cost more than they save). With <paramref name="nullable"/>, a negative row
    /// gives NULL.</summary>
    private static ArrowArray FixedRows(ArrowArray source, ReadOnlySpan<int> rows, bool nullable)
    {
        var data = source.Data;
        int width = source.Type.FixedByteWidth;
        var output = AlignedMemory.Allocate(rows.Length * width, clear: false);
        var values = data.Buffers[1].Span.Slice(data.Offset * width);
        switch (width)
        {
            case 1: Take(values, rows, output.Span, nullable); break;
            case 2: Take(MemoryMarshal.Cast<byte, short>(values), rows, MemoryMarshal.Cast<byte, short>(output.Span), nullable); break;
            case 4: Take(MemoryMarshal.Cast<byte, int>(values), rows, MemoryMarshal.Cast<byte, int>(output.Span), nullable); break;
            case 8: Take(MemoryMarshal.Cast<byte, long>(values), rows, MemoryMarshal.Cast<byte, long>(output.Span), nullable); break;
            case 16: Take(MemoryMarshal.Cast<byte, Int128>(values), rows, MemoryMarshal.Cast<byte, Int128>(output.Span), nullable); break;
            default:
                // Other widths (fixed-size binary): one block copy per row; a NULL row's bytes are zero.
                var dst = output.Span;
                for (int i = 0; i < rows.Length; i++)
                {
                    if (rows[i] >= 0) values.Slice(rows[i] * width, width).CopyTo(dst.Slice(i * width, width));
                    else dst.Slice(i * width, width).Clear();
                }
                break;
        }
        int nulls = 0;
        var validity = ArrowBuffer.Empty;
        bool sourceNulls = data.NullCount > 0;
        if (sourceNulls || nullable)
        {
            var bits = new byte[BitUtil.BytesFor(rows.Length)];
            for (int i = 0; i < rows.Length; i++)
            {
                int r = rows[i];
                if (r < 0 || (sourceNulls && data.IsNull(r))) nulls++;
                else BitUtil.SetBit(bits, i, true);
            }
            if (nulls > 0) validity = ArrowBuffer.Copy(bits);
        }
        return ArrowArray.FromData(new ArrayData(source.Type, rows.Length, 0, nulls, [validity, new ArrowBuffer(output)]));
    }

    private static void Take<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, Span<T> output, bool nullable) where T : unmanaged
    {
        output = output[..rows.Length];
        if (!nullable)
            for (int i = 0; i < output.Length; i++) output[i] = source[rows[i]];
        else
            for (int i = 0; i < output.Length; i++) output[i] = rows[i] >= 0 ? source[rows[i]] : default;
    }

    /// <summary>Picks of one source's rows, in an array rented from the shared pool (a batch's picks are 512 KB, which
    /// fresh every time churned the collector); the caller returns it.</summary>
    private static Pick[] Picks(ReadOnlySpan<int> rows)
    {
        var picks = System.Buffers.ArrayPool<Pick>.Shared.Rent(rows.Length);
        for (int i = 0; i < rows.Length; i++) picks[i] = new Pick(0, rows[i]);
        return picks;
    }

    public static ArrowArray Rows(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks)
    {
        if (sources.Any(s => s is DictionaryArray)) return Dictionary(type, sources, picks);
        var validity = Validity(sources, picks, out int nulls);
        switch (type.StorageType)
        {
            case { FixedByteWidth: > 0 and var width }: return Fixed(type, sources, picks, width, validity, nulls);
            case VariableBinaryType v: return Binary(type, sources, picks, v.IsLarge, validity, nulls);
            case FixedSizeListType { ValueType.StorageType: PrimitiveType { ByteWidth: > 0 } item } list
                when sources.All(s => ((FixedSizeListArray)s).Values.NullCount == 0):
                return FixedList(type, list.ListSize, item, sources, picks, validity, nulls);
            default:
                var b = ArrayBuilder.Create(type);
                int i = 0;
                while (i < picks.Length)
                {
                    int run = RunLength(picks, i);
                    if (run == 1) b.AppendFrom(sources[picks[i].Source], picks[i].Row);
                    else b.AppendRange(sources[picks[i].Source], picks[i].Row, run);
                    i += run;
                }
                return b.Build();
        }
    }

    /// <summary>Dictionary-encoded sources over one shared dictionary gather only their indices (the result stays
    /// encoded); sources over different dictionaries, or mixed with plain arrays, are decoded first.</summary>
    private static ArrowArray Dictionary(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks)
    {
        var first = (sources[0] as DictionaryArray)?.Dictionary.Data;
        if (first is not null && sources.All(s => s is DictionaryArray d && ReferenceEquals(d.Dictionary.Data, first)))
        {
            var indices = sources.Select(s => ((DictionaryArray)s).Indices is PrimitiveArray<int> same ? same : Int32Indices((DictionaryArray)s)).ToList();
            var gathered = Rows(DataType.Int32, indices, picks).Data;
            var dictionary = ((DictionaryArray)sources[0]).Dictionary;
            return ArrowArray.FromData(new ArrayData(new DictionaryType(DataType.Int32, dictionary.Type, false), gathered.Length, gathered.Offset,
                gathered.NullCount, gathered.Buffers, null, dictionary.Data));
        }
        // Different dictionaries: each pick reads its source's dictionary value directly (only the picked rows are
        // decoded); a NULL slot picks the one-row NULL source added at the end.
        var valueType = type.StorageType is DictionaryType dt ? dt.ValueType : type;
        var values = sources.Select(s => s is DictionaryArray d ? d.Dictionary : s).Append(ArrayBuilder.Nulls(valueType, 1)).ToList();
        var translated = new Pick[picks.Length];
        for (int i = 0; i < picks.Length; i++)
        {
            var p = picks[i];
            translated[i] = sources[p.Source] is not DictionaryArray d ? p
                : d.IsNull(p.Row) ? new Pick(sources.Count, 0)
                : new Pick(p.Source, checked((int)d.GetIndex(p.Row)));
        }
        return Rows(valueType, values, translated);
    }

    /// <summary>Indices of another integer width as int32, with the array's validity.</summary>
    private static ArrowArray Int32Indices(DictionaryArray d) => Vectors.Make(DataType.Int32, Vectors.Indices(d), CastKernel.Validity(d), d.NullCount);

    private static int RunLength(ReadOnlySpan<Pick> picks, int i)
    {
        int run = 1;
        while (i + run < picks.Length && picks[i + run].Source == picks[i].Source && picks[i + run].Row == picks[i].Row + run) run++;
        return run;
    }

    private static ArrowBuffer Validity(IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, out int nulls)
    {
        nulls = 0;
        if (sources.All(s => s.NullCount == 0)) return ArrowBuffer.Empty;
        var bits = new byte[BitUtil.BytesFor(picks.Length)];
        for (int i = 0; i < picks.Length; i++)
        {
            if (sources[picks[i].Source].IsNull(picks[i].Row)) nulls++;
            else BitUtil.SetBit(bits, i, true);
        }
        return nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits);
    }

    private static ArrowArray Fixed(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, int width, ArrowBuffer validity, int nulls)
    {
        var output = AlignedMemory.Allocate(picks.Length * width, clear: false);
        var dst = output.Span;
        switch (width)
        {
            case 4: TakePicks(sources, picks, MemoryMarshal.Cast<byte, int>(dst)); break;
            case 8: TakePicks(sources, picks, MemoryMarshal.Cast<byte, long>(dst)); break;
            default:
                int i = 0;
                while (i < picks.Length)
                {
                    int run = RunLength(picks, i);
                    var src = sources[picks[i].Source].Data;
                    src.Buffers[1].Span.Slice((src.Offset + picks[i].Row) * width, run * width).CopyTo(dst.Slice(i * width));
                    i += run;
                }
                break;
        }
        return ArrowArray.FromData(new ArrayData(type, picks.Length, 0, nulls, [validity, new ArrowBuffer(output)]));
    }

    /// <summary>One typed load per pick; a source's values are looked up again only when the source changes.</summary>
    private static void TakePicks<T>(IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, Span<T> output) where T : unmanaged
    {
        int current = -1;
        ReadOnlySpan<T> values = default;
        for (int i = 0; i < picks.Length; i++)
        {
            var p = picks[i];
            if (p.Source != current)
            {
                current = p.Source;
                var d = sources[current].Data;
                values = d.Buffers.Length > 1 ? MemoryMarshal.Cast<byte, T>(d.Buffers[1].Span).Slice(d.Offset) : default;
            }
            output[i] = p.Row < values.Length ? values[p.Row] : default; // a NULL source may hold no values
        }
    }

    /// <summary>Fixed-size lists of fixed-width values (embeddings, tensors): runs of slots copied as bytes.</summary>
    private static ArrowArray FixedList(DataType type, int size, PrimitiveType item, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, ArrowBuffer validity, int nulls)
    {
        int slot = size * item.ByteWidth;
        var output = AlignedMemory.Allocate(checked(picks.Length * slot), clear: false);
        var dst = output.Span;
        int i = 0;
        while (i < picks.Length)
        {
            int run = RunLength(picks, i);
            var list = (FixedSizeListArray)sources[picks[i].Source];
            var values = list.Values.Data;
            int first = values.Offset + (list.Data.Offset + picks[i].Row) * size;
            values.Buffers[1].Span.Slice(first * item.ByteWidth, run * slot).CopyTo(dst.Slice(i * slot));
            i += run;
        }
        var child = new ArrayData(((FixedSizeListType)type.StorageType).ValueType, picks.Length * size, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(output)]);
        return ArrowArray.FromData(new ArrayData(type, picks.Length, 0, nulls, [validity], [child]));
    }

    private static ArrowArray Binary(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, bool large, ArrowBuffer validity, int nulls) =>
        large ? Binary<long>(type, sources, picks, validity, nulls) : Binary<int>(type, sources, picks, validity, nulls);

    /// <summary>Variable-width values with offsets of <typeparamref name="T"/>: a source's offsets and bytes are looked
    /// up again only when the source changes, and runs of consecutive rows copy their bytes at once.</summary>
    private static ArrowArray Binary<T>(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, ArrowBuffer validity, int nulls)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        long total = 0;
        int current = -1;
        ReadOnlySpan<T> offsets = default;
        for (int i = 0; i < picks.Length;)
        {
            int run = RunLength(picks, i);
            var p = picks[i];
            if (p.Source != current) { current = p.Source; offsets = Offsets<T>(sources[current]); }
            total += long.CreateTruncating(offsets[p.Row + run]) - long.CreateTruncating(offsets[p.Row]);
            i += run;
        }
        if (typeof(T) == typeof(int) && total > int.MaxValue) throw new InvalidOperationException($"gathered {type} values exceed 2 GiB; use the large_ variant");
        var data = AlignedMemory.Allocate(checked((int)total), clear: false);
        var output = AlignedMemory.Allocate((picks.Length + 1) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), clear: false);
        var dst = data.Span;
        var outOffsets = MemoryMarshal.Cast<byte, T>(output.Span);
        long at = 0;
        current = -1;
        ReadOnlySpan<byte> bytes = default;
        for (int i = 0; i < picks.Length;)
        {
            int run = RunLength(picks, i);
            var p = picks[i];
            if (p.Source != current)
            {
                current = p.Source;
                offsets = Offsets<T>(sources[current]);
                var d = sources[current].Data;
                bytes = d.Buffers.Length > 2 ? d.Buffers[2].Span : default;
            }
            long start = long.CreateTruncating(offsets[p.Row]);
            for (int k = 0; k < run; k++) outOffsets[i + k] = T.CreateTruncating(at + long.CreateTruncating(offsets[p.Row + k]) - start);
            long length = long.CreateTruncating(offsets[p.Row + run]) - start;
            bytes.Slice(checked((int)start), checked((int)length)).CopyTo(dst.Slice((int)at));
            at += length;
            i += run;
        }
        outOffsets[picks.Length] = T.CreateTruncating(at);
        return ArrowArray.FromData(new ArrayData(type, picks.Length, 0, nulls, [validity, new ArrowBuffer(output), new ArrowBuffer(data)]));
    }

    /// <summary>A variable-width array's offsets, from its first slot (a NULL source of no slots has none).</summary>
    private static ReadOnlySpan<T> Offsets<T>(ArrowArray source) where T : unmanaged
    {
        var d = source.Data;
        return d.Buffers.Length > 1 && !d.Buffers[1].IsEmpty ? MemoryMarshal.Cast<byte, T>(d.Buffers[1].Span).Slice(d.Offset) : new T[d.Length + 1];
    }
}
