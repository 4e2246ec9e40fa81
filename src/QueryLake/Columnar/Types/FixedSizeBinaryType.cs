namespace QueryLake.Columnar.Types;

/// <summary>Arrow's fixed_size_binary[n]: every value is exactly <see cref="ByteWidth"/> bytes, stored back to back
/// (a validity bitmap and one data buffer, no offsets).</summary>
public sealed class FixedSizeBinaryType : DataType
{
    /// <summary>Creates fixed_size_binary[<paramref name="byteWidth"/>].</summary>
    public FixedSizeBinaryType(int byteWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(byteWidth, 1);
        ByteWidth = byteWidth;
    }

    /// <summary>Bytes per value.</summary>
    public int ByteWidth { get; }

    /// <inheritdoc />
    public override TypeId Id => TypeId.FixedSizeBinary;

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is FixedSizeBinaryType f && f.ByteWidth == ByteWidth;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, ByteWidth);

    /// <inheritdoc />
    public override string ToString() => $"fixed_size_binary[{ByteWidth}]";
}
