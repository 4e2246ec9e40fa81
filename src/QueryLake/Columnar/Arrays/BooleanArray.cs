using QueryLake.Columnar.Memory;

namespace QueryLake.Columnar.Arrays;

/// <summary>A bit-packed boolean array.</summary>
public sealed class BooleanArray : ArrowArray
{
    internal BooleanArray(ArrayData data) : base(data) { }

    /// <summary>The value at <paramref name="index"/>, ignoring validity.</summary>
    public bool GetBoolean(int index) => BitUtil.GetBit(Data.Buffers[1].Span, Data.Offset + index);

    /// <inheritdoc />
    public override object? GetValue(int index) => IsNull(index) ? null : GetBoolean(index);
}
