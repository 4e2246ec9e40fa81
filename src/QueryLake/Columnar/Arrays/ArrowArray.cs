using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>
/// A typed view over <see cref="ArrayData"/>. Use <see cref="FromData"/> to get the right subclass.
/// </summary>
public abstract class ArrowArray
{
    private protected ArrowArray(ArrayData data) => Data = data;

    /// <summary>The physical data.</summary>
    public ArrayData Data { get; }

    /// <summary>The logical type.</summary>
    public DataType Type => Data.Type;

    /// <summary>Number of slots.</summary>
    public int Length => Data.Length;

    /// <summary>Number of null slots.</summary>
    public int NullCount => Data.NullCount;

    /// <summary>True when slot <paramref name="index"/> is null.</summary>
    public bool IsNull(int index) => Data.IsNull(index);

    /// <summary>True when slot <paramref name="index"/> holds a value.</summary>
    public bool IsValid(int index) => !Data.IsNull(index);

    /// <summary>The value at <paramref name="index"/> as a plain .NET object (null for null): bool, the
    /// integer and float types, decimal (DECIMAL), string, byte[], Guid (UUID), DateOnly, DateTime (UTC), object?[] for lists, and
    /// Dictionary&lt;string, object?&gt; for structs.</summary>
    public abstract object? GetValue(int index);

    /// <summary>A zero-copy slice.</summary>
    public ArrowArray Slice(int offset, int length) => FromData(Data.Slice(offset, length));

    /// <summary>Wraps array data in the typed array class for its storage type.</summary>
    public static ArrowArray FromData(ArrayData data) => data.Type.StorageType switch
    {
        PrimitiveType { Id: TypeId.Boolean } => new BooleanArray(data),
        PrimitiveType { Id: TypeId.Int8 } => new PrimitiveArray<sbyte>(data),
        PrimitiveType { Id: TypeId.Int16 } => new PrimitiveArray<short>(data),
        PrimitiveType { Id: TypeId.Int32 } => new PrimitiveArray<int>(data),
        PrimitiveType { Id: TypeId.Int64 } => new PrimitiveArray<long>(data),
        PrimitiveType { Id: TypeId.UInt8 } => new PrimitiveArray<byte>(data),
        PrimitiveType { Id: TypeId.UInt16 } => new PrimitiveArray<ushort>(data),
        PrimitiveType { Id: TypeId.UInt32 } => new PrimitiveArray<uint>(data),
        PrimitiveType { Id: TypeId.UInt64 } => new PrimitiveArray<ulong>(data),
        PrimitiveType { Id: TypeId.Float32 } => new PrimitiveArray<float>(data),
        PrimitiveType { Id: TypeId.Float64 } => new PrimitiveArray<double>(data),
        PrimitiveType { Id: TypeId.Date32 } => new PrimitiveArray<int>(data),
        TimestampType => new PrimitiveArray<long>(data),
        DecimalType => new PrimitiveArray<Int128>(data),
        VariableBinaryType => new BinaryArray(data),
        FixedSizeBinaryType => new FixedSizeBinaryArray(data),
        ListType => new ListArray(data),
        FixedSizeListType => new FixedSizeListArray(data),
        StructType => new StructArray(data),
        DictionaryType => new DictionaryArray(data),
        var t => throw new NotSupportedException($"no array class for type {t}"),
    };
}
