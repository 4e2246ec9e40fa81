using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Kernels;

/// <summary>Helpers shared by the compute kernels: validity bitmaps, broadcasting and typed array construction.</summary>
internal static class Vectors
{
    /// <summary>The AND of the validity of <paramref name="arrays"/> (nulls propagate), as a fresh bitmap.</summary>
    public static (ArrowBuffer Bits, int Nulls) AndValidity(int length, params ArrowArray[] arrays)
    {
        if (arrays.All(a => a.NullCount == 0)) return (ArrowBuffer.Empty, 0);
        var bits = new byte[BitUtil.BytesFor(length)];
        int nulls = 0;
        for (int i = 0; i < length; i++)
        {
            bool valid = true;
            foreach (var a in arrays) if (a.IsNull(i)) { valid = false; break; }
            if (valid) BitUtil.SetBit(bits, i, true); else nulls++;
        }
        return (nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits), nulls);
    }

    public static PrimitiveArray<T> Make<T>(DataType type, T[] values, ArrowBuffer validity, int nulls) where T : unmanaged =>
        (PrimitiveArray<T>)ArrowArray.FromData(new ArrayData(type, values.Length, 0, nulls, [validity, ArrowBuffer.Copy<T>(values)]));

    /// <summary>Fresh aligned memory for <paramref name="length"/> values, for a kernel to write in place and hand to
    /// <see cref="Make{T}(DataType, Memory{byte}, ArrowBuffer, int)"/> without a copy. Unless <paramref name="clear"/>
    /// is set the values start undefined, so a kernel that skips NULL slots must clear.</summary>
    public static Memory<byte> Allocate<T>(int length, bool clear, out Span<T> values) where T : unmanaged
    {
        var memory = AlignedMemory.Allocate(checked(length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()), clear);
        values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(memory.Span);
        return memory;
    }

    /// <summary>An array over values written into memory from <see cref="Allocate{T}"/> (taken, not copied).</summary>
    public static PrimitiveArray<T> Make<T>(DataType type, Memory<byte> values, ArrowBuffer validity, int nulls) where T : unmanaged =>
        (PrimitiveArray<T>)ArrowArray.FromData(new ArrayData(type, values.Length / System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), 0, nulls, [validity, new ArrowBuffer(values)]));

    /// <summary>A boolean array over a bitmap of <paramref name="length"/> values (taken, not copied).</summary>
    public static BooleanArray MakeBool(byte[] bits, int length, ArrowBuffer validity, int nulls) =>
        (BooleanArray)ArrowArray.FromData(new ArrayData(DataType.Boolean, length, 0, nulls, [validity, new ArrowBuffer(bits)]));

    public static BooleanArray MakeBool(bool[] values, ArrowBuffer validity, int nulls)
    {
        var bits = new byte[BitUtil.BytesFor(values.Length)];
        for (int i = 0; i < values.Length; i++) if (values[i]) BitUtil.SetBit(bits, i, true);
        return (BooleanArray)ArrowArray.FromData(new ArrayData(DataType.Boolean, values.Length, 0, nulls, [validity, ArrowBuffer.Copy(bits)]));
    }

    /// <summary>A one-row (constant) array repeated to <paramref name="length"/> rows; any other array as it is.</summary>
    public static ArrowArray Expand(ArrowArray a, int length) => a.Length == 1 && length != 1 ? Gather.Rows(a, new int[length]) : a;

    /// <summary>An array of <paramref name="length"/> copies of a .NET value.</summary>
    public static ArrowArray Broadcast(DataType type, object? value, int length)
    {
        if (value is null) return ArrayBuilder.Nulls(type, length);
        switch (type)
        {
            case PrimitiveType { Id: TypeId.Int64 }: return Filled(type, length, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
            case PrimitiveType { Id: TypeId.Float64 }: return Filled(type, length, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
            case PrimitiveType { Id: TypeId.Boolean }: return MakeBool(Fill(length, (bool)value), ArrowBuffer.Empty, 0);
            case VariableBinaryType { IsLarge: false } when value is string or byte[]:
            {
                // One copy of the bytes, repeated: offsets step by its length.
                var bytes = value is string s ? System.Text.Encoding.UTF8.GetBytes(s) : (byte[])value;
                var offsets = new int[length + 1];
                for (int i = 1; i <= length; i++) offsets[i] = checked(offsets[i - 1] + bytes.Length);
                var data = new byte[(long)bytes.Length * length];
                for (int i = 0; i < length; i++) bytes.CopyTo(data, i * bytes.Length);
                return ArrowArray.FromData(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, ArrowBuffer.Copy<int>(offsets), ArrowBuffer.Copy(data)]));
            }
        }
        var b = ArrayBuilder.Create(type);
        if (length > 0)
        {
            b.Append(value);
            var one = b.Build();
            for (int i = 0; i < length; i++) b.AppendFrom(one, 0);
        }
        return b.Build();
    }

    private static PrimitiveArray<T> Filled<T>(DataType type, int n, T v) where T : unmanaged
    {
        var memory = Allocate<T>(n, clear: false, out var values);
        values.Fill(v);
        return Make<T>(type, memory, ArrowBuffer.Empty, 0);
    }

    private static T[] Fill<T>(int n, T v)
    {
        var a = new T[n];
        Array.Fill(a, v);
        return a;
    }

    /// <summary>The values of a dictionary-encoded array, decoded (any other array as it is): slot i holds the
    /// dictionary value at index i, NULL where the index is NULL.</summary>
    public static ArrowArray Plain(ArrowArray a)
    {
        if (a is not DictionaryArray d) return a;
        if (d.Dictionary.Length == 0 || d.NullCount == d.Length) return ArrayBuilder.Nulls(d.Dictionary.Type, d.Length);
        var indices = Indices(d);
        var values = Gather.Rows(d.Dictionary, indices);
        if (d.NullCount == 0) return values;
        // NULL slots gathered dictionary entry 0 (or nothing, from an empty dictionary): mask them with the indices'
        // validity, combined with the dictionary's own NULLs.
        var (bits, nulls) = AndValidity(d.Length, d.Indices, values);
        var data = values.Data;
        return ArrowArray.FromData(new ArrayData(data.Type, data.Length, data.Offset, nulls, [bits, .. data.Buffers[1..]], data.Children, data.Dictionary));
    }

    /// <summary>The schema a source of Arrow data (a file, registered Apache.Arrow batches) presents to the engine:
    /// dictionary-typed fields as their value type, and decimal256 (at any depth) as the DECIMAL or DOUBLE the engine
    /// reads it as (<see cref="Decimal256Type.EngineType"/>). The engine's convention is that a column's type is its
    /// values' type and a text column may arrive dictionary-encoded (<see cref="ForEngine"/>).</summary>
    public static Schema EngineSchema(Schema schema) =>
        schema.Fields.Any(f => f.DataType is DictionaryType || HasWideDecimal(f.DataType))
            ? new Schema(schema.Fields.Select(f => f.DataType is DictionaryType d ? new Field(f.Name, d.ValueType, f.Nullable, f.Metadata) : Engine(f)).ToList(), schema.Metadata)
            : schema;

    private static bool HasWideDecimal(DataType t) => t switch
    {
        Decimal256Type => true,
        ListType l => HasWideDecimal(l.ValueType),
        FixedSizeListType f => HasWideDecimal(f.ValueType),
        StructType s => s.Fields.Any(x => HasWideDecimal(x.DataType)),
        _ => false,
    };

    private static Field Engine(Field f) => HasWideDecimal(f.DataType) ? new Field(f.Name, EngineType(f.DataType), f.Nullable, f.Metadata) : f;

    private static DataType EngineType(DataType t) => t switch
    {
        Decimal256Type w => w.EngineType,
        ListType l => new ListType(Engine(l.ValueField)),
        FixedSizeListType f => new FixedSizeListType(Engine(f.ValueField), f.ListSize),
        StructType s => new StructType(s.Fields.Select(Engine).ToList()),
        _ => t,
    };

    /// <summary>A batch of Arrow data under its <see cref="EngineSchema"/>: text dictionaries stay encoded (the engine
    /// works on their indices), other dictionaries are decoded, and decimal256 values are converted (a copy).</summary>
    public static RecordBatch ForEngine(RecordBatch b, Schema engineSchema)
    {
        if (ReferenceEquals(engineSchema, b.Schema)) return b;
        var columns = b.Columns.Select((c, i) => c is DictionaryArray d && !d.Dictionary.Type.Equals(DataType.Utf8) ? Plain(c)
            : HasWideDecimal(c.Type) ? ArrowArray.FromData(WideToEngine(c.Data, engineSchema.Fields[i].DataType)) : c).ToArray();
        return new RecordBatch(engineSchema, columns, b.Length);
    }

    /// <summary>An array holding decimal256 values (at any depth) as <paramref name="target"/>, its engine type.</summary>
    private static ArrayData WideToEngine(ArrayData data, DataType target)
    {
        if (data.Type is Decimal256Type w)
            return Decimal256Values.ToEngine(w.Precision, w.Scale, data.Buffers[1].Span, data.Validity.Span, data.Offset, data.Length, data.NullCount, target);
        var children = (data.Type, target) switch
        {
            (ListType, ListType l) => [WideToEngine(data.Children[0], l.ValueType)],
            (FixedSizeListType, FixedSizeListType f) => [WideToEngine(data.Children[0], f.ValueType)],
            (StructType, StructType s) => data.Children.Select((c, k) => WideToEngine(c, s.Fields[k].DataType)).ToArray(),
            _ => data.Children,
        };
        return new ArrayData(target, data.Length, data.Offset, data.NullCount, data.Buffers, children, data.Dictionary);
    }

    /// <summary>A batch with every dictionary-encoded column decoded.</summary>
    public static RecordBatch Plain(RecordBatch b) =>
        b.Columns.Any(c => c is DictionaryArray) ? new RecordBatch(b.Schema, b.Columns.Select(Plain).ToArray(), b.Length) : b;

    /// <summary>The dictionary indices of an array as int32, in place when they are int32 already (unchecked: for
    /// arrays whose indices were validated, as every reader does).</summary>
    public static ReadOnlySpan<int> IndexSpan(DictionaryArray d) => d.Indices is PrimitiveArray<int> same ? same.Values : Indices(d);

    /// <summary>The dictionary indices of an array as int32 (NULL slots read as 0), checked against the dictionary.</summary>
    public static int[] Indices(DictionaryArray d)
    {
        var result = new int[d.Length];
        bool nulls = d.NullCount > 0;
        if (d.Indices is PrimitiveArray<int> x) x.Values.CopyTo(result);
        else for (int i = 0; i < result.Length; i++) result[i] = nulls && d.IsNull(i) ? 0 : checked((int)d.GetIndex(i));
        int size = d.Dictionary.Length;
        for (int i = 0; i < result.Length; i++)
        {
            if (nulls && d.IsNull(i)) { result[i] = 0; continue; }
            if ((uint)result[i] >= (uint)size)
                throw new InvalidDataException($"dictionary index {result[i]} at slot {i} is outside a dictionary of {size} values");
        }
        return result;
    }

    /// <summary>A dictionary-encoded array over <paramref name="dictionary"/> with int32 <paramref name="indices"/>
    /// and the given validity.</summary>
    public static DictionaryArray Encoded(ArrowArray dictionary, int[] indices, ArrowBuffer validity, int nulls) =>
        (DictionaryArray)ArrowArray.FromData(new ArrayData(new DictionaryType(DataType.Int32, dictionary.Type, false), indices.Length, 0, nulls,
            [validity, ArrowBuffer.Copy<int>(indices)], null, dictionary.Data));

    /// <summary>Per-dictionary-value results taken for each row of a dictionary-encoded array without NULL indices:
    /// NULL-free text stays encoded over the results (sharing the indices); anything else is gathered.</summary>
    public static ArrowArray Take(ArrowArray perValue, DictionaryArray d)
    {
        if (perValue.Type.StorageType is VariableBinaryType && perValue.NullCount == 0)
        {
            var data = d.Data;
            return ArrowArray.FromData(new ArrayData(new DictionaryType(((DictionaryType)data.Type.StorageType).IndexType, perValue.Type, false),
                data.Length, data.Offset, data.NullCount, data.Buffers, null, perValue.Data));
        }
        var indices = IndexSpan(d);
        if (perValue is BooleanArray flags)
        {
            // Booleans: the per-value truth and validity looked up per row, written straight into bitmaps.
            int n = indices.Length, nulls = 0;
            // Per dictionary value: 1 = true, 0 = false, 2 = NULL (looked up per row, no bitmap reads).
            var state = new byte[flags.Length];
            for (int k = 0; k < state.Length; k++) state[k] = flags.IsNull(k) ? (byte)2 : flags.GetBoolean(k) ? (byte)1 : (byte)0;
            var bits = new byte[BitUtil.BytesFor(n)];
            var valid = flags.NullCount == 0 ? null : new byte[BitUtil.BytesFor(n)];
            for (int i = 0; i < n; i++)
            {
                byte v = state[indices[i]];
                if (valid is not null)
                {
                    if (v == 2) { nulls++; continue; }
                    valid[i >> 3] |= (byte)(1 << (i & 7));
                }
                if (v == 1) bits[i >> 3] |= (byte)(1 << (i & 7));
            }
            return ArrowArray.FromData(new ArrayData(DataType.Boolean, n, 0, nulls, [valid is null ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid), ArrowBuffer.Copy(bits)]));
        }
        return Gather.Rows(perValue, indices);
    }

    /// <summary>True when slot i is valid and true.</summary>
    public static bool IsTrue(ArrowArray mask, int i) => !mask.IsNull(i) && ((BooleanArray)mask).GetBoolean(i);
}
