namespace QueryLake.Columnar.Types;

/// <summary>The logical kind of a <see cref="DataType"/>.</summary>
public enum TypeId
{
    /// <summary>Boolean, bit-packed.</summary>
    Boolean,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>IEEE 754 single precision.</summary>
    Float32,
    /// <summary>IEEE 754 double precision.</summary>
    Float64,
    /// <summary>UTF-8 text with 32-bit offsets.</summary>
    Utf8,
    /// <summary>UTF-8 text with 64-bit offsets.</summary>
    LargeUtf8,
    /// <summary>Bytes with 32-bit offsets.</summary>
    Binary,
    /// <summary>Bytes with 64-bit offsets.</summary>
    LargeBinary,
    /// <summary>Days since the UNIX epoch, 32-bit.</summary>
    Date32,
    /// <summary>64-bit count of a time unit since the UNIX epoch, with an optional time zone.</summary>
    Timestamp,
    /// <summary>Variable-length list with 32-bit offsets.</summary>
    List,
    /// <summary>List of a fixed number of values per slot.</summary>
    FixedSizeList,
    /// <summary>A record of named child fields.</summary>
    Struct,
    /// <summary>Indices into a dictionary of values.</summary>
    Dictionary,
    /// <summary>A named extension over a storage type (IMAGE, TENSOR, EMBEDDING).</summary>
    Extension,
    /// <summary>The type of an untyped NULL literal; the binder replaces it before execution.</summary>
    Null,
    /// <summary>An exact decimal number: a 128-bit integer scaled by a power of ten (DECIMAL(p, s)).</summary>
    Decimal128,
    /// <summary>Values of a fixed number of bytes each (UUID is an extension over 16 of them).</summary>
    FixedSizeBinary,
}
