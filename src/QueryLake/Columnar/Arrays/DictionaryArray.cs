using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>A dictionary-encoded array: integer indices into <see cref="Dictionary"/>.</summary>
public sealed class DictionaryArray : ArrowArray
{
    internal DictionaryArray(ArrayData data) : base(data)
    {
        var t = (DictionaryType)data.Type.StorageType;
        Indices = FromData(new ArrayData(t.IndexType, data.Length, data.Offset, -1, data.Buffers));
        Dictionary = FromData(data.Dictionary ?? throw new ArgumentException("dictionary array without a dictionary"));
    }

    /// <summary>The indices (an integer array, sharing this array's validity).</summary>
    public ArrowArray Indices { get; }

    /// <summary>The dictionary values.</summary>
    public ArrowArray Dictionary { get; }

    /// <summary>The dictionary index of slot <paramref name="index"/>.</summary>
    public long GetIndex(int index) => Indices switch
    {
        PrimitiveArray<int> p => p[index],
        PrimitiveArray<long> p => p[index],
        PrimitiveArray<short> p => p[index],
        PrimitiveArray<sbyte> p => p[index],
        PrimitiveArray<byte> p => p[index],
        PrimitiveArray<ushort> p => p[index],
        PrimitiveArray<uint> p => p[index],
        _ => Convert.ToInt64(Indices.GetValue(index) ?? 0L, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public override object? GetValue(int index) => IsNull(index) ? null : Dictionary.GetValue(checked((int)GetIndex(index)));
}
