using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>An array of fixed_size_binary[n] values (and of extensions stored that way, such as UUID).</summary>
public sealed class FixedSizeBinaryArray : ArrowArray
{
    internal FixedSizeBinaryArray(ArrayData data) : base(data) => ByteWidth = ((FixedSizeBinaryType)data.Type.StorageType).ByteWidth;

    /// <summary>Bytes per value.</summary>
    public int ByteWidth { get; }

    /// <summary>The bytes of slot <paramref name="index"/> (whatever they are under a null).</summary>
    public ReadOnlySpan<byte> GetBytes(int index) => Data.Buffers[1].Span.Slice((Data.Offset + index) * ByteWidth, ByteWidth);

    /// <summary>The values of every slot, back to back.</summary>
    public ReadOnlySpan<byte> ValueBytes => Data.Buffers[1].Span.Slice(Data.Offset * ByteWidth, Length * ByteWidth);

    /// <inheritdoc />
    /// <remarks>A UUID reads as <see cref="Guid"/>; other values as a byte array.</remarks>
    public override object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        return Type is UuidType ? UuidType.FromBytes(GetBytes(index)) : GetBytes(index).ToArray();
    }
}
