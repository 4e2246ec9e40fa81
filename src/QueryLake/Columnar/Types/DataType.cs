namespace QueryLake.Columnar.Types;

/// <summary>
/// The type of a column. Instances are immutable and compare structurally; the common ones are
/// available as static singletons (<see cref="Int64"/>, <see cref="Utf8"/>, …).
/// </summary>
public abstract class DataType : IEquatable<DataType>
{
    private protected DataType() { }

    /// <summary>The kind of type.</summary>
    public abstract TypeId Id { get; }

    /// <summary>The type whose physical layout holds the values: itself, except for extension types.</summary>
    public virtual DataType StorageType => this;

    /// <summary>Boolean.</summary>
    public static PrimitiveType Boolean { get; } = new(TypeId.Boolean);
    /// <summary>int8.</summary>
    public static PrimitiveType Int8 { get; } = new(TypeId.Int8);
    /// <summary>int16.</summary>
    public static PrimitiveType Int16 { get; } = new(TypeId.Int16);
    /// <summary>int32.</summary>
    public static PrimitiveType Int32 { get; } = new(TypeId.Int32);
    /// <summary>int64.</summary>
    public static PrimitiveType Int64 { get; } = new(TypeId.Int64);
    /// <summary>uint8.</summary>
    public static PrimitiveType UInt8 { get; } = new(TypeId.UInt8);
    /// <summary>uint16.</summary>
    public static PrimitiveType UInt16 { get; } = new(TypeId.UInt16);
    /// <summary>uint32.</summary>
    public static PrimitiveType UInt32 { get; } = new(TypeId.UInt32);
    /// <summary>uint64.</summary>
    public static PrimitiveType UInt64 { get; } = new(TypeId.UInt64);
    /// <summary>float32.</summary>
    public static PrimitiveType Float32 { get; } = new(TypeId.Float32);
    /// <summary>float64.</summary>
    public static PrimitiveType Float64 { get; } = new(TypeId.Float64);
    /// <summary>date32 (days since 1970-01-01).</summary>
    public static PrimitiveType Date32 { get; } = new(TypeId.Date32);
    /// <summary>utf8.</summary>
    public static VariableBinaryType Utf8 { get; } = new(TypeId.Utf8);
    /// <summary>large_utf8.</summary>
    public static VariableBinaryType LargeUtf8 { get; } = new(TypeId.LargeUtf8);
    /// <summary>binary.</summary>
    public static VariableBinaryType Binary { get; } = new(TypeId.Binary);
    /// <summary>large_binary.</summary>
    public static VariableBinaryType LargeBinary { get; } = new(TypeId.LargeBinary);

    /// <summary>timestamp[µs] with an optional IANA time zone.</summary>
    public static TimestampType Timestamp(string? timeZone = null) => new(TimeUnit.Microsecond, timeZone);

    /// <summary>list&lt;item&gt;.</summary>
    public static ListType List(DataType item, bool nullable = true) => new(new Field("item", item, nullable));

    /// <summary>fixed_size_list&lt;item, size&gt;.</summary>
    public static FixedSizeListType FixedSizeList(DataType item, int size, bool nullable = true) =>
        new(new Field("item", item, nullable), size);

    /// <summary>struct&lt;fields&gt;.</summary>
    public static StructType Struct(params Field[] fields) => new(fields);

    /// <summary>dictionary&lt;int32, utf8&gt;, the encoding for low-cardinality labels.</summary>
    public static DictionaryType DictionaryUtf8 { get; } = new(Int32, Utf8, false);

    /// <summary>True for the signed and unsigned integer types.</summary>
    public bool IsInteger => Id is >= TypeId.Int8 and <= TypeId.UInt64;

    /// <summary>True for integer and floating-point types.</summary>
    public bool IsNumeric => Id is >= TypeId.Int8 and <= TypeId.Float64;

    /// <summary>Bytes per value of a type stored as one buffer of fixed-width values (numbers, dates, timestamps,
    /// decimals, fixed-size binary, and extensions over them); 0 for the others (booleans, which are bits, text,
    /// nested and dictionary types).</summary>
    internal int FixedByteWidth => StorageType switch
    {
        PrimitiveType p => p.ByteWidth,
        TimestampType => 8,
        DecimalType => 16,
        FixedSizeBinaryType f => f.ByteWidth,
        _ => 0,
    };

    /// <summary>True when each value is one scalar stored in place (numbers, booleans, dates, timestamps, text, bytes),
    /// not a list or struct of child values; extension types answer for their storage.</summary>
    internal bool IsFlat => StorageType is PrimitiveType or TimestampType or VariableBinaryType or DecimalType or FixedSizeBinaryType;

    /// <inheritdoc />
    public abstract bool Equals(DataType? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataType t && Equals(t);

    /// <inheritdoc />
    public abstract override int GetHashCode();

    /// <summary>The type as written in schemas and error messages, e.g. <c>list&lt;int32&gt;</c>.</summary>
    public abstract override string ToString();

    /// <summary>Structural equality.</summary>
    public static bool operator ==(DataType? a, DataType? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(DataType? a, DataType? b) => !(a == b);
}
