using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>
/// Builds an array one value (or one range) at a time. <see cref="Create"/> returns the builder for any
/// type, extension types included; <see cref="Build()"/> freezes the content and resets the builder.
/// </summary>
public abstract class ArrayBuilder
{
    private protected readonly ValidityBuilder Validity = new();

    private protected ArrayBuilder(DataType type) => Type = type;

    /// <summary>The logical type being built.</summary>
    public DataType Type { get; }

    /// <summary>Number of slots appended so far.</summary>
    public int Length { get; private protected set; }

    /// <summary>Appends a null slot.</summary>
    public abstract void AppendNull();

    /// <summary>Appends a .NET value (see <see cref="ArrowArray.GetValue"/> for the accepted forms), or null.</summary>
    public abstract void Append(object? value);

    /// <summary>Appends slot <paramref name="index"/> of <paramref name="source"/>, which must have this builder's storage layout.</summary>
    public abstract void AppendFrom(ArrowArray source, int index);

    /// <summary>Appends <paramref name="count"/> slots of <paramref name="source"/> starting at <paramref name="start"/>.</summary>
    public virtual void AppendRange(ArrowArray source, int start, int count)
    {
        for (int i = 0; i < count; i++) AppendFrom(source, start + i);
    }

    /// <summary>Freezes the appended slots into array data and resets the builder.</summary>
    public abstract ArrayData BuildData();

    /// <summary><see cref="BuildData"/> for a layout of validity plus one buffer of fixed-width values.</summary>
    private protected ArrayData BuildFixed(Memory.BufferBuilder values)
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        var built = values.Build();
        Length = 0;
        return new ArrayData(Type, n, 0, nulls, [validity, built]);
    }

    /// <summary>Freezes the appended slots into an array and resets the builder.</summary>
    public ArrowArray Build() => ArrowArray.FromData(BuildData());

    /// <summary>Creates a builder for <paramref name="type"/>.</summary>
    public static ArrayBuilder Create(DataType type) => type.StorageType switch
    {
        PrimitiveType { Id: TypeId.Boolean } => new BooleanBuilder(type),
        PrimitiveType { Id: TypeId.Int8 } => new PrimitiveBuilder<sbyte>(type),
        PrimitiveType { Id: TypeId.Int16 } => new PrimitiveBuilder<short>(type),
        PrimitiveType { Id: TypeId.Int32 or TypeId.Date32 } => new PrimitiveBuilder<int>(type),
        PrimitiveType { Id: TypeId.Int64 } => new PrimitiveBuilder<long>(type),
        PrimitiveType { Id: TypeId.UInt8 } => new PrimitiveBuilder<byte>(type),
        PrimitiveType { Id: TypeId.UInt16 } => new PrimitiveBuilder<ushort>(type),
        PrimitiveType { Id: TypeId.UInt32 } => new PrimitiveBuilder<uint>(type),
        PrimitiveType { Id: TypeId.UInt64 } => new PrimitiveBuilder<ulong>(type),
        PrimitiveType { Id: TypeId.Float32 } => new PrimitiveBuilder<float>(type),
        PrimitiveType { Id: TypeId.Float64 } => new PrimitiveBuilder<double>(type),
        TimestampType => new PrimitiveBuilder<long>(type),
        DecimalType => new PrimitiveBuilder<Int128>(type),
        VariableBinaryType => new BinaryBuilder(type),
        FixedSizeBinaryType => new FixedSizeBinaryBuilder(type),
        ListType => new ListBuilder(type),
        FixedSizeListType => new FixedSizeListBuilder(type),
        StructType => new StructBuilder(type),
        DictionaryType => new DictionaryBuilder(type),
        var t => throw new NotSupportedException($"no builder for type {t}"),
    };

    /// <summary>Builds an array of <paramref name="type"/> from .NET values.</summary>
    public static ArrowArray Build(DataType type, IEnumerable<object?> values)
    {
        var b = Create(type);
        foreach (var v in values) b.Append(v);
        return b.Build();
    }

    /// <summary>An array of <paramref name="length"/> nulls of <paramref name="type"/>.</summary>
    public static ArrowArray Nulls(DataType type, int length)
    {
        // An untyped NULL that is evaluated at all is a condition (WHERE NULL, ON NULL, WHEN NULL): a boolean NULL.
        if (type.Id == TypeId.Null) type = DataType.Boolean;
        // Flat types: zeroed buffers at once (a join's unread columns are NULL placeholders of a whole build side).
        if (length > 0)
        {
            var validity = new Memory.ArrowBuffer(new byte[Memory.BitUtil.BytesFor(length)]);
            int width = type.FixedByteWidth;
            if (width > 0)
                return ArrowArray.FromData(new ArrayData(type, length, 0, length, [validity, new Memory.ArrowBuffer(new byte[checked(length * width)])]));
            if (type.StorageType is VariableBinaryType { IsLarge: var large })
                return ArrowArray.FromData(new ArrayData(type, length, 0, length, [validity, new Memory.ArrowBuffer(new byte[checked((length + 1) * (large ? 8 : 4))]), Memory.ArrowBuffer.Empty]));
        }
        var b = Create(type);
        for (int i = 0; i < length; i++) b.AppendNull();
        return b.Build();
    }

    private protected static ArgumentException WrongValue(DataType type, object value) =>
        new($"cannot store a {value.GetType().Name} value ({value}) in a {type} column");
}
