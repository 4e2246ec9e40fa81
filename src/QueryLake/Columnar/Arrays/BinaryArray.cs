using System.Text;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>utf8, large_utf8, binary and large_binary values (and extensions stored as them, such as IMAGE).</summary>
public sealed class BinaryArray : ArrowArray
{
    private readonly bool _large;

    internal BinaryArray(ArrayData data) : base(data) => _large = ((VariableBinaryType)data.Type.StorageType).IsLarge;

    /// <summary>Start offset of slot <paramref name="index"/> in the data buffer.</summary>
    public long GetValueOffset(int index) => _large
        ? Data.Buffers[1].As<long>()[Data.Offset + index]
        : Data.Buffers[1].As<int>()[Data.Offset + index];

    /// <summary>The bytes of slot <paramref name="index"/> (empty for null), without copying.</summary>
    public ReadOnlySpan<byte> GetBytes(int index)
    {
        long start = GetValueOffset(index), end = GetValueOffset(index + 1);
        return Data.Buffers[2].Span.Slice(checked((int)start), checked((int)(end - start)));
    }

    /// <summary>The bytes of slot <paramref name="index"/> as memory, without copying.</summary>
    public ReadOnlyMemory<byte> GetMemory(int index)
    {
        long start = GetValueOffset(index), end = GetValueOffset(index + 1);
        return Data.Buffers[2].Memory.Slice(checked((int)start), checked((int)(end - start)));
    }

    /// <summary>Slot <paramref name="index"/> decoded as UTF-8, or null.</summary>
    public string? GetString(int index) => IsNull(index) ? null : Encoding.UTF8.GetString(GetBytes(index));

    /// <inheritdoc />
    public override object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        return ((VariableBinaryType)Type.StorageType).IsUtf8 ? Encoding.UTF8.GetString(GetBytes(index)) : GetBytes(index).ToArray();
    }
}
