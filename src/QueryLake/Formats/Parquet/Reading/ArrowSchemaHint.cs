using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Ipc;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>The <c>ARROW:schema</c> footer entry (an Arrow IPC schema message, base64), as Arrow's own Parquet writers
/// store it: the writer records the original Arrow schema, and the reader uses it to give back what Parquet cannot
/// say itself: extension types (IMAGE, EMBEDDING, TENSOR), fixed-size lists, and field and schema metadata.</summary>
internal static class ArrowSchemaHint
{
    public const string Key = "ARROW:schema";

    public static string Encode(Schema schema)
    {
        using var ms = new MemoryStream();
        using (new ArrowStreamWriter(ms, schema, leaveOpen: true)) { }
        return Convert.ToBase64String(ms.ToArray());
    }

    /// <summary>The stored schema, or null when absent or unreadable (it is only a hint).</summary>
    public static Schema? Decode(string? base64)
    {
        if (base64 is null) return null;
        try
        {
            using var r = new ArrowStreamReader(new MemoryStream(Convert.FromBase64String(base64)), Key);
            return r.Schema;
        }
        catch (Exception e) when (e is FormatException or Errors.QueryLakeException or InvalidDataException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The field as stored, when it describes the same column (same name, same shape).</summary>
    public static Field Restore(Field read, Field? stored) =>
        stored is not null && stored.Name == read.Name && RestoreType(read.DataType, stored.DataType) is { } t
            ? new Field(read.Name, t, read.Nullable, stored.Metadata) : read;

    private static DataType? RestoreType(DataType read, DataType stored) => (read, stored) switch
    {
        (_, ExtensionType e) => RestoreType(read, e.StorageType) is not null ? stored : null,
        (ListType, FixedSizeListType f) => RestoreType(((ListType)read).ValueType, f.ValueType) is not null ? stored : null,
        (ListType l, ListType s) => RestoreType(l.ValueType, s.ValueType) is { } v ? new ListType(new Field(l.ValueField.Name, v, l.ValueField.Nullable, s.ValueField.Metadata)) : null,
        (StructType r, StructType s) when r.Fields.Count == s.Fields.Count =>
            r.Fields.Zip(s.Fields).Select(p => Restore(p.First, p.Second)).ToList() is var fs && fs.Zip(s.Fields).All(p => p.First.Name == p.Second.Name) ? new StructType(fs) : null,
        (VariableBinaryType { Id: TypeId.Utf8 }, VariableBinaryType { Id: TypeId.LargeUtf8 or TypeId.Utf8 }) => read,
        (VariableBinaryType { Id: TypeId.Binary }, VariableBinaryType { Id: TypeId.LargeBinary or TypeId.Binary }) => read,
        (VariableBinaryType { Id: TypeId.Utf8 }, DictionaryType { ValueType.Id: TypeId.Utf8 }) => read,
        _ when read.Equals(stored) => stored,
        _ => null,
    };

    /// <summary>Gives an array the restored type; unchanged when its values do not fit (a list whose lengths differ
    /// from the fixed size).</summary>
    public static ArrowArray Apply(ArrowArray array, DataType target)
    {
        if (array.Type.Equals(target)) return array;
        var storage = target.StorageType;
        ArrayData? data = (array, storage) switch
        {
            (ListArray l, FixedSizeListType f) => ToFixedSize(l, f),
            (ListArray l, ListType t) => new ArrayData(t, l.Length, l.Data.Offset, l.Data.NullCount, l.Data.Buffers, [Child(l.Values, t.ValueType, "list element")]),
            (StructArray s, StructType t) => new ArrayData(t, s.Length, s.Data.Offset, s.Data.NullCount, s.Data.Buffers, StructChildren(s, t)),
            _ when array.Type.StorageType.Equals(storage) || storage is DictionaryType || storage.Id is TypeId.LargeUtf8 or TypeId.LargeBinary => array.Data,
            _ => null,
        };
        if (data is null) return array;
        // Dictionary and large string storage stay plain utf8/binary: the values are the same.
        if (storage is DictionaryType || storage.Id is TypeId.LargeUtf8 or TypeId.LargeBinary) return ArrowArray.FromData(data);
        return ArrowArray.FromData(target is ExtensionType ? data.WithType(target) : data);
    }

    /// <summary>A struct's children under the stored schema's field types; a stored struct of another shape than the
    /// data (a damaged schema entry) is a corrupt file, not a struct whose children contradict its type.</summary>
    private static ArrayData[] StructChildren(StructArray s, StructType t)
    {
        if (s.Data.Children.Length != t.Fields.Count)
            throw new ParquetFormatException($"the stored Arrow schema gives a struct of {t.Fields.Count} fields, the data has {s.Data.Children.Length}");
        var children = new ArrayData[t.Fields.Count];
        for (int j = 0; j < children.Length; j++) children[j] = Child(ArrowArray.FromData(s.Data.Children[j]), t.Fields[j].DataType, $"field '{t.Fields[j].Name}'");
        return children;
    }

    /// <summary>A nested array's child under the stored schema's type for it; a child the stored type does not fit (a
    /// damaged schema entry) is a corrupt file, not a nested array whose child contradicts its type.</summary>
    private static ArrayData Child(ArrowArray child, DataType declared, string what)
    {
        var applied = Apply(child, declared);
        if (!applied.Type.StorageType.Equals(declared.StorageType) && declared.StorageType is not (DictionaryType or VariableBinaryType))
            throw new ParquetFormatException($"the stored Arrow schema says the {what} is {declared}, the data is {applied.Type}");
        return applied.Data;
    }

    /// <summary>A list array as fixed-size lists: a null list takes <c>size</c> null slots; a list of another length
    /// contradicts the stored schema, so the file is corrupt.</summary>
    private static ArrayData ToFixedSize(ListArray l, FixedSizeListType f)
    {
        int n = l.Length, size = f.ListSize;
        if (l.NullCount == 0 && n > 0 && l.GetValueOffset(n) - l.GetValueOffset(0) == (long)n * size && Enumerable.Range(0, n).All(i => l.GetValueLength(i) == size))
            return new ArrayData(f, n, 0, 0, [Columnar.Memory.ArrowBuffer.Empty], [Child(l.Values.Slice(l.GetValueOffset(0), n * size), f.ValueType, "list element")]);
        // Every length is checked before anything is padded, so a damaged size fails here instead of allocating
        // size null slots for each null list first.
        for (int i = 0; i < n; i++)
            if (!l.IsNull(i) && l.GetValueLength(i) is var len && len != size)
                throw new ParquetFormatException($"a list of {len} values in a column stored as fixed-size lists of {size}");
        if ((long)l.NullCount * size > 1L << 28)
            throw new ParquetFormatException($"{l.NullCount} null lists of the stored fixed size {size} would need more than 2^28 slots");
        var values = Columnar.Builders.ArrayBuilder.Create(l.Values.Type);
        for (int i = 0; i < n; i++)
        {
            if (l.IsNull(i)) { for (int k = 0; k < size; k++) values.AppendNull(); continue; }
            values.AppendRange(l.Values, l.GetValueOffset(i), size);
        }
        return new ArrayData(f, n, 0, l.NullCount, [l.NullCount == 0 ? Columnar.Memory.ArrowBuffer.Empty : Slice(l)], [Child(values.Build(), f.ValueType, "list element")]);
    }

    private static Columnar.Memory.ArrowBuffer Slice(ListArray l)
    {
        var bits = new byte[Columnar.Memory.BitUtil.BytesFor(l.Length)];
        Columnar.Memory.BitUtil.CopyBits(l.Data.Validity.Span, l.Data.Offset, bits, 0, l.Length);
        return Columnar.Memory.ArrowBuffer.Copy(bits);
    }
}
