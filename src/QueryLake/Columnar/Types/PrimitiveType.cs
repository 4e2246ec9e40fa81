namespace QueryLake.Columnar.Types;

/// <summary>A fixed-width type: boolean (1 bit), integers, floats and date32.</summary>
public sealed class PrimitiveType : DataType
{
    internal PrimitiveType(TypeId id) => Id = id;

    /// <inheritdoc />
    public override TypeId Id { get; }

    /// <summary>Width of one value in bits.</summary>
    public int BitWidth => Id switch
    {
        TypeId.Boolean => 1,
        TypeId.Int8 or TypeId.UInt8 => 8,
        TypeId.Int16 or TypeId.UInt16 => 16,
        TypeId.Int32 or TypeId.UInt32 or TypeId.Float32 or TypeId.Date32 => 32,
        _ => 64,
    };

    /// <summary>Width of one value in bytes (0 for boolean).</summary>
    public int ByteWidth => BitWidth / 8;

    /// <summary>True for signed integers.</summary>
    public bool IsSigned => Id is TypeId.Int8 or TypeId.Int16 or TypeId.Int32 or TypeId.Int64;

    /// <summary>True for float32 and float64.</summary>
    public bool IsFloatingPoint => Id is TypeId.Float32 or TypeId.Float64;

    /// <summary>The singleton for an id.</summary>
    public static PrimitiveType FromId(TypeId id) => id switch
    {
        TypeId.Boolean => Boolean, TypeId.Int8 => Int8, TypeId.Int16 => Int16, TypeId.Int32 => Int32,
        TypeId.Int64 => Int64, TypeId.UInt8 => UInt8, TypeId.UInt16 => UInt16, TypeId.UInt32 => UInt32,
        TypeId.UInt64 => UInt64, TypeId.Float32 => Float32, TypeId.Float64 => Float64, TypeId.Date32 => Date32,
        _ => throw new ArgumentException($"{id} is not a primitive type", nameof(id)),
    };

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is PrimitiveType p && p.Id == Id;

    /// <inheritdoc />
    public override int GetHashCode() => (int)Id;

    /// <inheritdoc />
    public override string ToString() => Id switch
    {
        TypeId.Boolean => "bool",
        TypeId.Float32 => "float32",
        TypeId.Float64 => "float64",
        _ => Id.ToString().ToLowerInvariant(),
    };
}
