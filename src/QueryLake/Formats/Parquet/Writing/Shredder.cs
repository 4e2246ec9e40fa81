using System.Buffers.Binary;
using System.Runtime.InteropServices;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet.Metadata;

namespace QueryLake.Formats.Parquet.Writing;

/// <summary>Shreds Arrow columns into Parquet's definition and repetition levels and dense leaf values (Dremel
/// striping): a null or empty list writes one entry per leaf below it at the level reached; every list element after the
/// first repeats at the list's level.</summary>
internal static class Shredder
{
    /// <summary>An Arrow array with its children resolved once per batch.</summary>
    private sealed class Tree(ArrowArray array, Tree[] children)
    {
        public ArrowArray Array { get; } = array;
        public Tree[] Children { get; } = children;
    }

    public static void Column(WriteNode node, ArrowArray column, LeafAccumulator[] accs, int maxDictionarySize)
    {
        if (node.Kind == WriteNode.NodeKind.Leaf)
        {
            if (column is DictionaryArray { Dictionary: BinaryArray } encoded && node.Physical == PhysicalType.ByteArray
                && accs[node.LeafIndex] is { IndicesComplete: true, DictionaryDeclined: false } acc)
                Encoded(node, encoded, acc, maxDictionarySize);
            else
            {
                accs[node.LeafIndex].LeaveDictionaryMode();
                Flat(node, column, accs[node.LeafIndex]);
            }
            return;
        }
        foreach (var leaf in node.Leaves()) accs[leaf.LeafIndex].LeaveDictionaryMode();
        var tree = Resolve(node, column);
        for (int i = 0; i < column.Length; i++) Value(node, tree, i, 0, 0, accs);
    }

    private static Tree Resolve(WriteNode node, ArrowArray a) => node.Kind switch
    {
        WriteNode.NodeKind.Struct => new Tree(a, node.Children.Select((c, j) => Resolve(c, ((StructArray)a).Field(j))).ToArray()),
        WriteNode.NodeKind.List => new Tree(a, [Resolve(node.Children[0], a is ListArray l ? l.Values : ((FixedSizeListArray)a).Values)]),
        _ => new Tree(a, []),
    };

    private static void Value(WriteNode node, Tree t, int i, int def, int rep, LeafAccumulator[] accs)
    {
        if (node.Optional && t.Array.IsNull(i)) { Null(node, def, rep, accs); return; }
        switch (node.Kind)
        {
            case WriteNode.NodeKind.Leaf:
                {
                    var acc = accs[node.LeafIndex];
                    acc.Def.Append((byte)node.Def);
                    acc.Rep.Append((byte)rep);
                    acc.Entries++;
                    Append(acc, t.Array, i);
                    break;
                }
            case WriteNode.NodeKind.Struct:
                for (int c = 0; c < node.Children.Count; c++) Value(node.Children[c], t.Children[c], i, node.Def, rep, accs);
                break;
            default:
                {
                    int start, end;
                    if (t.Array is ListArray l) { start = l.GetValueOffset(i); end = l.GetValueOffset(i + 1); }
                    else { var f = (FixedSizeListArray)t.Array; start = (f.Data.Offset + i) * f.ListSize; end = start + f.ListSize; }
                    if (start == end) { Null(node.Children[0], node.Def, rep, accs); break; }
                    for (int k = start; k < end; k++) Value(node.Children[0], t.Children[0], k, node.Def + 1, k == start ? rep : node.Rep, accs);
                    break;
                }
        }
    }

    private static void Null(WriteNode node, int def, int rep, LeafAccumulator[] accs)
    {
        foreach (var leaf in node.Leaves())
        {
            var acc = accs[leaf.LeafIndex];
            acc.Def.Append((byte)def);
            acc.Rep.Append((byte)rep);
            acc.Entries++;
        }
    }

    /// <summary>A top-level primitive column: levels are validity, values copied in bulk where the layout allows.</summary>
    private static void Flat(WriteNode node, ArrowArray a, LeafAccumulator acc)
    {
        int n = a.Length;
        if (node.Optional)
        {
            var def = acc.Def.Extend(n);
            for (int i = 0; i < n; i++) def[i] = a.IsNull(i) ? (byte)0 : (byte)1;
        }
        acc.Entries += n;
        if (a.NullCount == 0 && a is not DictionaryArray)
        {
            // Values whose Arrow layout is their Parquet one are copied in bulk: 4- and 8-byte numbers, dates and
            // timestamps (not seconds, which become milliseconds), and utf8/binary with int32 offsets.
            int width = acc.Values.Width;
            if (width > 0 && (node.Physical is PhysicalType.Int64 or PhysicalType.Double or PhysicalType.Int32 or PhysicalType.Float)
                && (a.Type.StorageType is PrimitiveType p && p.ByteWidth == width || a.Type.StorageType is TimestampType { Unit: not TimeUnit.Second } && width == 8))
            {
                acc.Values.AppendFixed(a.Data.Buffers[1].Span.Slice(a.Data.Offset * width, n * width), n);
                return;
            }
            if (a is BinaryArray && a.Type.StorageType.Id is TypeId.Utf8 or TypeId.Binary && node.Physical == PhysicalType.ByteArray)
            {
                acc.Values.AppendBinaries(MemoryMarshal.Cast<byte, int>(a.Data.Buffers[1].Span).Slice(a.Data.Offset, n + 1), a.Data.Buffers[2].Span, n);
                return;
            }
        }
        for (int i = 0; i < n; i++) if (!a.IsNull(i)) Append(acc, a, i);
    }

    /// <summary>A top-level dictionary-encoded byte-array column: each entry of its dictionary that the rows use is
    /// looked up in the row group's dictionary once, and every value is appended as its index there, so the chunk
    /// writer dictionary-encodes without hashing or copying values. If the row group's dictionary would grow past
    /// <paramref name="maxSize"/>, the leaf leaves dictionary mode and the batch's values are appended plainly.</summary>
    private static void Encoded(WriteNode node, DictionaryArray a, LeafAccumulator acc, int maxSize)
    {
        int n = a.Length;
        var dictionary = (BinaryArray)a.Dictionary;
        var indices = Kernels.Vectors.IndexSpan(a);
        bool nulls = a.NullCount > 0;
        if (node.Optional)
        {
            var def = acc.Def.Extend(n);
            for (int i = 0; i < n; i++) def[i] = nulls && a.IsNull(i) ? (byte)0 : (byte)1;
        }
        acc.Entries += n;
        // The row group's index of each input dictionary entry the rows use.
        var remap = new int[dictionary.Length];
        Array.Fill(remap, int.MinValue);
        bool fits = true;
        for (int i = 0; i < n && fits; i++)
        {
            if (nulls && a.IsNull(i)) continue;
            int k = indices[i];
            if (remap[k] == int.MinValue && (remap[k] = acc.DictionaryIndex(dictionary.GetBytes(k), maxSize)) < 0) fits = false;
        }
        if (!fits)
        {
            acc.LeaveDictionaryMode();
            for (int i = 0; i < n; i++) if (!(nulls && a.IsNull(i))) acc.Values.AppendBinary(dictionary.GetBytes(indices[i]));
            return;
        }
        if (!nulls)
        {
            var output = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(acc.Indices.ExtendUninitialized(n * 4));
            for (int i = 0; i < n; i++) output[i] = remap[indices[i]];
            return;
        }
        for (int i = 0; i < n; i++) if (!a.IsNull(i)) acc.Indices.Append(remap[indices[i]]);
    }

    /// <summary>Appends value <paramref name="i"/> of <paramref name="a"/> in the leaf's physical representation.</summary>
    private static void Append(LeafAccumulator acc, ArrowArray a, int i)
    {
        if (a is DictionaryArray d) { Append(acc, d.Dictionary, checked((int)d.GetIndex(i))); return; }
        var v = acc.Values;
        switch (a)
        {
            case BooleanArray b: v.ExtendFixed(1)[0] = b.GetBoolean(i) ? (byte)1 : (byte)0; return;
            case BinaryArray s: v.AppendBinary(s.GetBytes(i)); return;
            case FixedSizeBinaryArray f: f.GetBytes(i).CopyTo(v.ExtendFixed(1)); return;
            case PrimitiveArray<Int128> wide when a.Type is DecimalType { Precision: > 18 }:
            {
                // The fewest big-endian bytes that keep the sign.
                Span<byte> bytes = stackalloc byte[16];
                BinaryPrimitives.WriteInt128BigEndian(bytes, wide[i]);
                int skip = 0;
                while (skip < 15 && (bytes[skip] == 0 && bytes[skip + 1] < 0x80 || bytes[skip] == 0xFF && bytes[skip + 1] >= 0x80)) skip++;
                v.AppendBinary(bytes[skip..]);
                return;
            }
        }
        var span = v.ExtendFixed(1);
        switch (a.Type.StorageType)
        {
            case PrimitiveType { Id: TypeId.Int8 }: BinaryPrimitives.WriteInt32LittleEndian(span, ((PrimitiveArray<sbyte>)a)[i]); break;
            case PrimitiveType { Id: TypeId.Int16 }: BinaryPrimitives.WriteInt32LittleEndian(span, ((PrimitiveArray<short>)a)[i]); break;
            case PrimitiveType { Id: TypeId.UInt8 }: BinaryPrimitives.WriteInt32LittleEndian(span, ((PrimitiveArray<byte>)a)[i]); break;
            case PrimitiveType { Id: TypeId.UInt16 }: BinaryPrimitives.WriteInt32LittleEndian(span, ((PrimitiveArray<ushort>)a)[i]); break;
            case TimestampType { Unit: TimeUnit.Second }: BinaryPrimitives.WriteInt64LittleEndian(span, checked(((PrimitiveArray<long>)a)[i] * 1000)); break;
            case DecimalType: BinaryPrimitives.WriteInt64LittleEndian(span, (long)((PrimitiveArray<Int128>)a)[i]); break;
            case NullType: break;
            case PrimitiveType { ByteWidth: var w } when w == span.Length:
                a.Data.Buffers[1].Span.Slice((a.Data.Offset + i) * w, w).CopyTo(span);
                break;
            case TimestampType:
                a.Data.Buffers[1].Span.Slice((a.Data.Offset + i) * 8, 8).CopyTo(span);
                break;
            default: throw new NotSupportedException($"Parquet cannot hold {a.Type} values");
        }
    }

    /// <summary>Bytes per physical value of a leaf (0 for byte arrays).</summary>
    public static int Width(WriteNode leaf) =>
        leaf.Physical == PhysicalType.FixedLenByteArray ? ((FixedSizeBinaryType)leaf.Field.DataType.StorageType).ByteWidth : Width(leaf.Physical);

    /// <summary>Bytes per physical value (0 for byte arrays and fixed-length byte arrays, whose width is the leaf's).</summary>
    public static int Width(PhysicalType t) => t switch
    {
        PhysicalType.Boolean => 1,
        PhysicalType.Int32 or PhysicalType.Float => 4,
        PhysicalType.Int64 or PhysicalType.Double => 8,
        _ => 0,
    };

    internal static ReadOnlySpan<long> Longs(ReadOnlySpan<byte> b) => MemoryMarshal.Cast<byte, long>(b);
}
