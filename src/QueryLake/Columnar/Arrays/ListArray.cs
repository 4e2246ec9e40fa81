namespace QueryLake.Columnar.Arrays;

/// <summary>A variable-length list array (32-bit offsets into one child array).</summary>
public sealed class ListArray : ArrowArray
{
    internal ListArray(ArrayData data) : base(data) => Values = FromData(data.Children[0]);

    /// <summary>The child array holding all elements.</summary>
    public ArrowArray Values { get; }

    /// <summary>Start of slot <paramref name="index"/> in <see cref="Values"/>.</summary>
    public int GetValueOffset(int index) => Data.Buffers[1].As<int>()[Data.Offset + index];

    /// <summary>Number of elements in slot <paramref name="index"/>.</summary>
    public int GetValueLength(int index) => GetValueOffset(index + 1) - GetValueOffset(index);

    /// <summary>The elements of slot <paramref name="index"/> as a zero-copy slice.</summary>
    public ArrowArray GetSlice(int index) => Values.Slice(GetValueOffset(index), GetValueLength(index));

    /// <inheritdoc />
    public override object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        int start = GetValueOffset(index), n = GetValueLength(index);
        var result = new object?[n];
        for (int i = 0; i < n; i++) result[i] = Values.GetValue(start + i);
        return result;
    }
}
