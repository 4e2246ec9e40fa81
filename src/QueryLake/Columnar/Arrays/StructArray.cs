using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>A struct array: one child array per field, sharing the parent's slots.</summary>
public sealed class StructArray : ArrowArray
{
    private readonly ArrowArray[] _fields;

    internal StructArray(ArrayData data) : base(data) =>
        _fields = data.Children.Select(FromData).ToArray();

    /// <summary>The struct type.</summary>
    public StructType StructType => (StructType)Type.StorageType;

    /// <summary>Child <paramref name="index"/>, sliced to this array's slots.</summary>
    public ArrowArray Field(int index) => _fields[index].Slice(Data.Offset, Data.Length);

    /// <inheritdoc />
    public override object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        if (Type is IntervalType)
            return new IntervalValue((int)_fields[0].GetValue(Data.Offset + index)!, (int)_fields[1].GetValue(Data.Offset + index)!, (long)_fields[2].GetValue(Data.Offset + index)!);
        var d = new Dictionary<string, object?>();
        for (int i = 0; i < _fields.Length; i++) d[StructType.Fields[i].Name] = _fields[i].GetValue(Data.Offset + index);
        return d;
    }
}
