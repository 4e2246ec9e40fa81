namespace QueryLake.Columnar.Types;

/// <summary>utf8, large_utf8, binary and large_binary: offsets plus a data buffer.</summary>
public sealed class VariableBinaryType : DataType
{
    internal VariableBinaryType(TypeId id) => Id = id;

    /// <inheritdoc />
    public override TypeId Id { get; }

    /// <summary>True when offsets are 64-bit.</summary>
    public bool IsLarge => Id is TypeId.LargeUtf8 or TypeId.LargeBinary;

    /// <summary>True for utf8 and large_utf8.</summary>
    public bool IsUtf8 => Id is TypeId.Utf8 or TypeId.LargeUtf8;

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is VariableBinaryType v && v.Id == Id;

    /// <inheritdoc />
    public override int GetHashCode() => (int)Id;

    /// <inheritdoc />
    public override string ToString() => Id switch
    {
        TypeId.Utf8 => "utf8", TypeId.LargeUtf8 => "large_utf8", TypeId.Binary => "binary", _ => "large_binary",
    };
}
