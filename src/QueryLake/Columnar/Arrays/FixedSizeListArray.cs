using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>A fixed-size list array (also the storage of EMBEDDING and fixed-shape TENSOR).</summary>
public sealed class FixedSizeListArray : ArrowArray
{
    internal FixedSizeListArray(ArrayData data) : base(data)
    {
        ListSize = ((FixedSizeListType)data.Type.StorageType).ListSize;
        Values = FromData(data.Children[0]);
    }

    /// <summary>Elements per slot.</summary>
    public int ListSize { get; }

    /// <summary>The child array; slot i holds elements [(offset+i)·size, (offset+i+1)·size).</summary>
    public ArrowArray Values { get; }

    /// <summary>The elements of slot <paramref name="index"/> as a zero-copy slice.</summary>
    public ArrowArray GetSlice(int index) => Values.Slice((Data.Offset + index) * ListSize, ListSize);

    /// <summary>For float32 elements (embeddings): the vector at <paramref name="index"/> without copying.</summary>
    public ReadOnlySpan<float> GetFloats(int index) =>
        ((PrimitiveArray<float>)Values).Values.Slice((Data.Offset + index) * ListSize, ListSize);

    /// <inheritdoc />
    public override object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        var result = new object?[ListSize];
        int start = (Data.Offset + index) * ListSize;
        for (int i = 0; i < ListSize; i++) result[i] = Values.GetValue(start + i);
        return result;
    }
}
