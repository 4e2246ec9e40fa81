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

    public static ArrowArray Rows(ArrowArray source, ReadOnlySpan<int> rows)
    {
        var picks = new Pick[rows.Length];
        for (int i = 0; i < rows.Length; i++) picks[i] = new Pick(0, rows[i]);
        return Rows(source.Type, [source], picks);
    }

    public static RecordBatch Rows(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        var picks = new Pick[rows.Length];
        for (int i = 0; i < rows.Length; i++) picks[i] = new Pick(0, rows[i]);
        var columns = new ArrowArray[batch.Columns.Count];
        for (int c = 0; c < columns.Length; c++) columns[c] = Rows(batch.Columns[c].Type, [batch.Columns[c]], picks);
        return new RecordBatch(batch.Schema, columns, rows.Length);
    }

    public static ArrowArray Rows(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks)
    {
        var validity = Validity(sources, picks, out int nulls);
        switch (type.StorageType)
        {
            case PrimitiveType { ByteWidth: > 0 } p: return Fixed(type, sources, picks, p.ByteWidth, validity, nulls);
            case TimestampType: return Fixed(type, sources, picks, 8, validity, nulls);
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
        int i = 0;
        while (i < picks.Length)
        {
            int run = RunLength(picks, i);
            var src = sources[picks[i].Source].Data;
            src.Buffers[1].Span.Slice((src.Offset + picks[i].Row) * width, run * width).CopyTo(dst.Slice(i * width));
            i += run;
        }
        return ArrowArray.FromData(new ArrayData(type, picks.Length, 0, nulls, [validity, new ArrowBuffer(output)]));
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

    private static ArrowArray Binary(DataType type, IReadOnlyList<ArrowArray> sources, ReadOnlySpan<Pick> picks, bool large, ArrowBuffer validity, int nulls)
    {
        var arrays = sources.Select(s => (BinaryArray)s).ToArray();
        long total = 0;
        foreach (var p in picks) total += arrays[p.Source].GetValueOffset(p.Row + 1) - arrays[p.Source].GetValueOffset(p.Row);
        if (!large && total > int.MaxValue) throw new InvalidOperationException($"gathered {type} values exceed 2 GiB; use the large_ variant");
        var data = AlignedMemory.Allocate(checked((int)total), clear: false);
        var offsets = AlignedMemory.Allocate((picks.Length + 1) * (large ? 8 : 4), clear: false);
        var dst = data.Span;
        long at = 0;
        for (int i = 0; i < picks.Length; i++)
        {
            if (large) MemoryMarshal.Cast<byte, long>(offsets.Span)[i] = at; else MemoryMarshal.Cast<byte, int>(offsets.Span)[i] = (int)at;
            var bytes = arrays[picks[i].Source].GetBytes(picks[i].Row);
            bytes.CopyTo(dst.Slice((int)at));
            at += bytes.Length;
        }
        if (large) MemoryMarshal.Cast<byte, long>(offsets.Span)[picks.Length] = at; else MemoryMarshal.Cast<byte, int>(offsets.Span)[picks.Length] = (int)at;
        return ArrowArray.FromData(new ArrayData(type, picks.Length, 0, nulls, [validity, new ArrowBuffer(offsets), new ArrowBuffer(data)]));
    }
}
