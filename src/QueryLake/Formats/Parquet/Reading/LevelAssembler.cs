using System.Buffers.Binary;
using System.Runtime.InteropServices;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet.Metadata;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Turns decoded leaves back into Arrow arrays: definition levels give validity, repetition levels list offsets,
/// and structs gather their children, each child reading its slots from its own first leaf (Dremel record assembly,
/// column by column).</summary>
internal static class LevelAssembler
{
    /// <summary>Assembles a top-level column; its length must be the row group's row count.</summary>
    public static ArrowArray Column(SchemaNode node, IReadOnlyDictionary<int, LeafData> leaves, long rows)
    {
        var array = Build(node, leaves, Slots(leaves[node.FirstLeaf], node.SlotRep, node.SlotDef));
        if (array.Length != rows) throw new ParquetFormatException($"column '{node.Field.Name}' holds {array.Length} rows but the row group has {rows}");
        return array;
    }

    /// <summary>The level entries that start a slot; null means every entry.</summary>
    private static int[]? Slots(LeafData leaf, int slotRep, int slotDef)
    {
        var def = leaf.Def;
        var rep = leaf.Rep;
        if ((rep is null || slotRep >= 255) && (slotDef == 0 || def is null)) return null;
        var slots = new List<int>();
        for (int i = 0; i < leaf.Entries; i++)
            if ((rep is null || rep[i] <= slotRep) && (def is null || def[i] >= slotDef)) slots.Add(i);
        if (slots.Count == leaf.Entries) return null;
        return slots.ToArray();
    }

    private static ArrowArray Build(SchemaNode node, IReadOnlyDictionary<int, LeafData> leaves, int[]? slots)
    {
        var leaf = leaves[node.FirstLeaf];
        int n = slots?.Length ?? leaf.Entries;
        switch (node.Kind)
        {
            case SchemaNode.NodeKind.Leaf:
                return LeafArray(node, leaf, slots);
            case SchemaNode.NodeKind.Struct:
                {
                    var (validity, nulls) = Validity(leaf, slots, n, node.NullDef);
                    var children = new ArrayData[node.Children.Count];
                    for (int c = 0; c < children.Length; c++)
                    {
                        var child = node.Children[c];
                        var a = Build(child, leaves, Slots(leaves[child.FirstLeaf], child.SlotRep, child.SlotDef));
                        if (a.Length != n) throw new ParquetFormatException($"struct field '{child.Field.Name}' holds {a.Length} values where its struct has {n}");
                        children[c] = a.Data;
                    }
                    return ArrowArray.FromData(new ArrayData(node.Field.DataType, n, 0, nulls, [validity], children));
                }
            default:
                {
                    // List: walk the first leaf's entries, opening a slot where one starts and counting element slots in it.
                    var def = leaf.Def;
                    var rep = leaf.Rep!;
                    var offsets = new int[n + 1];
                    var bits = new byte[BitUtil.BytesFor(n)];
                    int k = -1, elements = 0, nulls = 0;
                    for (int i = 0; i < leaf.Entries; i++)
                    {
                        int d = def?[i] ?? int.MaxValue;
                        if (rep[i] <= node.SlotRep && d >= node.SlotDef)
                        {
                            if (++k >= n) throw new ParquetFormatException($"list '{node.Field.Name}' has more slots than expected");
                            offsets[k] = elements;
                            if (d >= node.NullDef) BitUtil.SetBit(bits, k, true); else nulls++;
                        }
                        else if (rep[i] <= node.SlotRep) continue;
                        if (k >= 0 && rep[i] <= node.ElemRep && d >= node.ElemDef) elements++;
                    }
                    if (k + 1 != n) throw new ParquetFormatException($"list '{node.Field.Name}' has {k + 1} slots where {n} were expected");
                    offsets[n] = elements;
                    var child = node.Children[0];
                    var items = Build(child, leaves, Slots(leaves[child.FirstLeaf], child.SlotRep, child.SlotDef));
                    if (items.Length != elements) throw new ParquetFormatException($"list '{node.Field.Name}' counts {elements} elements but its values hold {items.Length}");
                    return ArrowArray.FromData(new ArrayData(node.Field.DataType, n, 0, nulls,
                        [nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits), ArrowBuffer.Copy<int>(offsets)], [items.Data]));
                }
        }
    }

    private static (ArrowBuffer Bits, int Nulls) Validity(LeafData leaf, int[]? slots, int n, int nullDef)
    {
        var def = leaf.Def;
        if (def is null) return (ArrowBuffer.Empty, 0);
        var bits = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        for (int i = 0; i < n; i++)
        {
            if (def[slots?[i] ?? i] >= nullDef) BitUtil.SetBit(bits, i, true);
            else nulls++;
        }
        return nulls == 0 ? (ArrowBuffer.Empty, 0) : (ArrowBuffer.Copy(bits), nulls);
    }

    private static ArrowArray LeafArray(SchemaNode node, LeafData leaf, int[]? slots)
    {
        var dense = Dense(node.Leaf!, node.Field.DataType, leaf.Values);
        var def = leaf.Def;
        int n = slots?.Length ?? leaf.Entries;
        if (slots is null && (def is null || leaf.Values.Count == leaf.Entries))
        {
            if (dense.Length != n) throw new ParquetFormatException($"column '{node.Leaf!.PathText}' holds {dense.Length} values for {n} slots");
            return dense;
        }
        // Spread the dense values over the slots: take[i] is the value index of slot i, or -1 for a null.
        byte max = (byte)node.Leaf!.MaxDef;
        var take = new int[n];
        int v = 0, s = 0, nulls = 0;
        for (int i = 0; i < leaf.Entries; i++)
        {
            bool present = def is null || def[i] == max;
            if (slots is null || (s < slots.Length && slots[s] == i))
            {
                if (present) take[s] = v; else { take[s] = -1; nulls++; }
                s++;
            }
            if (present) v++;
        }
        if (v != dense.Length) throw new ParquetFormatException($"column '{node.Leaf.PathText}' defines {v} values but holds {dense.Length}");
        if (nulls == 0 && v == n) return dense;
        return Spread(dense, take, nulls);
    }

    /// <summary>Values laid out at the slots <paramref name="take"/> names (−1 = null).</summary>
    private static ArrowArray Spread(ArrowArray dense, int[] take, int nulls)
    {
        int n = take.Length;
        var bits = new byte[BitUtil.BytesFor(n)];
        for (int i = 0; i < n; i++) if (take[i] >= 0) BitUtil.SetBit(bits, i, true);
        var validity = nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits);
        var d = dense.Data;
        switch (d.Type.StorageType)
        {
            case PrimitiveType { Id: TypeId.Boolean }:
                {
                    var src = d.Buffers[1].Span;
                    var outBits = new byte[BitUtil.BytesFor(n)];
                    for (int i = 0; i < n; i++) if (take[i] >= 0 && BitUtil.GetBit(src, d.Offset + take[i])) BitUtil.SetBit(outBits, i, true);
                    return ArrowArray.FromData(new ArrayData(d.Type, n, 0, nulls, [validity, ArrowBuffer.Copy(outBits)]));
                }
            case VariableBinaryType:
                {
                    var offs = d.Buffers[1].As<int>();
                    var data = d.Buffers[2].Span;
                    var outOffsets = new int[n + 1];
                    long total = 0;
                    for (int i = 0; i < n; i++) { if (take[i] >= 0) total += offs[d.Offset + take[i] + 1] - offs[d.Offset + take[i]]; outOffsets[i + 1] = (int)total; }
                    var outData = AlignedMemory.Allocate((int)total, clear: false);
                    var od = outData.Span;
                    for (int i = 0; i < n; i++)
                        if (take[i] >= 0) data[offs[d.Offset + take[i]]..offs[d.Offset + take[i] + 1]].CopyTo(od[outOffsets[i]..]);
                    return ArrowArray.FromData(new ArrayData(d.Type, n, 0, nulls, [validity, ArrowBuffer.Copy<int>(outOffsets), new ArrowBuffer(outData)]));
                }
            case DictionaryType:
                {
                    // Dictionary-encoded text: spread the int32 indices, keep the dictionary.
                    var src = d.Buffers[1].As<int>()[d.Offset..];
                    var indices = new int[n];
                    for (int i = 0; i < n; i++) if (take[i] >= 0) indices[i] = src[take[i]];
                    return ArrowArray.FromData(new ArrayData(d.Type, n, 0, nulls, [validity, ArrowBuffer.Copy<int>(indices)], null, d.Dictionary));
                }
            default:
                {
                    int w = d.Type.FixedByteWidth;
                    var src = d.Buffers[1].Span[(d.Offset * w)..];
                    var output = AlignedMemory.Allocate(n * w);
                    var o = output.Span;
                    if (w == 8)
                    {
                        var s64 = MemoryMarshal.Cast<byte, long>(src);
                        var o64 = MemoryMarshal.Cast<byte, long>(o);
                        for (int i = 0; i < n; i++) if (take[i] >= 0) o64[i] = s64[take[i]];
                    }
                    else
                        for (int i = 0; i < n; i++) if (take[i] >= 0) src.Slice(take[i] * w, w).CopyTo(o[(i * w)..]);
                    return ArrowArray.FromData(new ArrayData(d.Type, n, 0, nulls, [validity, new ArrowBuffer(output)]));
                }
        }
    }

    /// <summary>The dense physical values as an Arrow array of the leaf's logical type.</summary>
    private static ArrowArray Dense(LeafColumn leaf, DataType type, ValueBuffer values)
    {
        int n = values.Count;
        if (values.Dictionary is { } dictionary)
        {
            // Text kept dictionary-encoded: the dictionary page's values, and the int32 indices the pages held.
            var dictionaryArray = Dense(leaf, type, dictionary);
            return ArrowArray.FromData(new ArrayData(new DictionaryType(DataType.Int32, dictionaryArray.Type, false), n, 0, 0,
                [ArrowBuffer.Empty, values.Indices!.Build()], null, dictionaryArray.Data));
        }
        var e = leaf.Element;
        bool isDecimal = e.Logical?.Kind == LogicalKind.Decimal || e.Converted == ConvertedType.Decimal;
        int scale = e.Logical?.Kind == LogicalKind.Decimal ? e.Logical.Scale : e.Scale;
        ArrowArray Fixed(DataType t, ArrowBuffer buf) => ArrowArray.FromData(new ArrayData(t, n, 0, 0, [ArrowBuffer.Empty, buf]));
        ArrowArray Doubles(Func<int, double> f)
        {
            var mem = AlignedMemory.Allocate(n * 8, clear: false);
            var d = MemoryMarshal.Cast<byte, double>(mem.Span);
            for (int i = 0; i < n; i++) d[i] = f(i);
            return Fixed(DataType.Float64, new ArrowBuffer(mem));
        }
        // DECIMAL leaves read exactly into decimal128; those too wide for it (over 38 digits) read as doubles.
        bool exact = isDecimal && type is DecimalType;
        ArrowArray Decimals(Func<int, Int128> f)
        {
            var mem = AlignedMemory.Allocate(n * 16, clear: false);
            var d = MemoryMarshal.Cast<byte, Int128>(mem.Span);
            for (int i = 0; i < n; i++) d[i] = f(i);
            return Fixed(type, new ArrowBuffer(mem));
        }
        ArrowArray Longs(DataType t, Func<int, long> f)
        {
            var mem = AlignedMemory.Allocate(n * 8, clear: false);
            var d = MemoryMarshal.Cast<byte, long>(mem.Span);
            for (int i = 0; i < n; i++) d[i] = f(i);
            return Fixed(t, new ArrowBuffer(mem));
        }
        var raw = values.Data.Span;
        switch (leaf.Physical)
        {
            case PhysicalType.Boolean:
                {
                    var bits = new byte[BitUtil.BytesFor(n)];
                    for (int i = 0; i < n; i++) if (raw[i] != 0) BitUtil.SetBit(bits, i, true);
                    return Fixed(DataType.Boolean, ArrowBuffer.Copy(bits));
                }
            case PhysicalType.Int32:
                {
                    var s = MemoryMarshal.Cast<byte, int>(raw);
                    if (exact) { var copy = s.ToArray(); return Decimals(i => copy[i]); }
                    if (isDecimal) { var copy = s.ToArray(); return Doubles(i => Decimal(copy[i], scale)); }
                    if (type.Id == TypeId.Int64) { var copy = s.ToArray(); return Longs(type, i => copy[i] * 1000L); } // TIME(MILLIS) → microseconds
                    if (type.StorageType is PrimitiveType { ByteWidth: 1 or 2 } narrow)
                    {
                        var mem = AlignedMemory.Allocate(n * narrow.ByteWidth, clear: false);
                        if (narrow.ByteWidth == 1) for (int i = 0; i < n; i++) mem.Span[i] = (byte)s[i];
                        else { var d16 = MemoryMarshal.Cast<byte, short>(mem.Span); for (int i = 0; i < n; i++) d16[i] = (short)s[i]; }
                        return Fixed(type, new ArrowBuffer(mem));
                    }
                    return Fixed(type, values.Data.Build());
                }
            case PhysicalType.Int64:
                {
                    if (exact) { var copy = MemoryMarshal.Cast<byte, long>(raw).ToArray(); return Decimals(i => copy[i]); }
                    if (isDecimal) { var copy = MemoryMarshal.Cast<byte, long>(raw).ToArray(); return Doubles(i => Decimal(copy[i], scale)); }
                    if (e.Logical is { Kind: LogicalKind.Time, Unit: TimeUnit.Nanosecond }) { var copy = MemoryMarshal.Cast<byte, long>(raw).ToArray(); return Longs(type, i => copy[i] / 1000); }
                    return Fixed(type, values.Data.Build());
                }
            case PhysicalType.Int96:
                {
                    var copy = raw.ToArray();
                    return Longs(type, i =>
                    {
                        long nanos = BinaryPrimitives.ReadInt64LittleEndian(copy.AsSpan(i * 12));
                        int julian = BinaryPrimitives.ReadInt32LittleEndian(copy.AsSpan(i * 12 + 8));
                        return unchecked((julian - 2440588L) * 86_400_000_000_000L + nanos);
                    });
                }
            case PhysicalType.Float or PhysicalType.Double:
                return Fixed(type, values.Data.Build());
            case PhysicalType.FixedLenByteArray:
                {
                    int w = values.Width;
                    var copy = raw.ToArray();
                    if (exact) return Decimals(i => BigEndianInteger(copy.AsSpan(i * w, w)));
                    if (isDecimal) return Doubles(i => BigEndianDecimal(copy.AsSpan(i * w, w), scale));
                    if (type.Id == TypeId.Float32)
                    {
                        var mem = AlignedMemory.Allocate(n * 4, clear: false);
                        var f = MemoryMarshal.Cast<byte, float>(mem.Span);
                        for (int i = 0; i < n; i++) f[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(i * 2)));
                        return Fixed(DataType.Float32, new ArrowBuffer(mem));
                    }
                    // UUID and other fixed-size binary: the values are already Arrow's layout.
                    if (type.StorageType is FixedSizeBinaryType) return ArrowArray.FromData(new ArrayData(type, n, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(copy)]));
                    var offsets = new int[n + 1];
                    for (int i = 0; i <= n; i++) offsets[i] = i * w;
                    return ArrowArray.FromData(new ArrayData(type, n, 0, 0, [ArrowBuffer.Empty, ArrowBuffer.Copy<int>(offsets), ArrowBuffer.Copy(copy)]));
                }
            default:
                {
                    if (isDecimal)
                    {
                        var offs = values.OffsetSpan.ToArray();
                        var copy = raw.ToArray();
                        if (exact) return Decimals(i => BigEndianInteger(copy.AsSpan(offs[i], offs[i + 1] - offs[i])));
                        return Doubles(i => BigEndianDecimal(copy.AsSpan(offs[i], offs[i + 1] - offs[i]), scale));
                    }
                    var offsetsBuf = values.Offsets.Build();
                    return ArrowArray.FromData(new ArrayData(type, n, 0, 0, [ArrowBuffer.Empty, offsetsBuf, values.Data.Build()]));
                }
        }
    }

    /// <summary>A big-endian two's-complement integer of up to 16 bytes (a Parquet DECIMAL's unscaled value).</summary>
    private static Int128 BigEndianInteger(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return 0;
        if (bytes.Length > 16) return (Int128)new System.Numerics.BigInteger(bytes, isUnsigned: false, isBigEndian: true);
        Int128 v = (sbyte)bytes[0]; // sign-extends
        for (int i = 1; i < bytes.Length; i++) v = (v << 8) | bytes[i];
        return v;
    }

    private static double BigEndianDecimal(ReadOnlySpan<byte> bytes, int scale) =>
        bytes.Length == 0 ? 0 : Decimal(new System.Numerics.BigInteger(bytes, isUnsigned: false, isBigEndian: true), scale);

    private static readonly double[] Pow10 = Enumerable.Range(0, 23).Select(k => Math.Pow(10, k)).ToArray();

    /// <summary>unscaled × 10^−scale correctly rounded to a double: one exact division when both are exact doubles,
    /// else through the correctly rounded decimal-text parser.</summary>
    private static double Decimal(System.Numerics.BigInteger unscaled, int scale)
    {
        if (scale is >= 0 and <= 22 && System.Numerics.BigInteger.Abs(unscaled) < (1L << 53)) return (double)(long)unscaled / Pow10[scale];
        return double.Parse(unscaled.ToString(System.Globalization.CultureInfo.InvariantCulture) + "e" + (-scale).ToString(System.Globalization.CultureInfo.InvariantCulture),
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
