namespace QueryLake.Columnar.Types;

/// <summary>A list with exactly <see cref="ListSize"/> values per slot.</summary>
public sealed class FixedSizeListType : DataType
{
    /// <summary>Creates the type.</summary>
    public FixedSizeListType(Field valueField, int listSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(listSize);
        ValueField = valueField;
        ListSize = listSize;
    }

    /// <inheritdoc />
    public override TypeId Id => TypeId.FixedSizeList;

    /// <summary>The child field.</summary>
    public Field ValueField { get; }

    /// <summary>The element type.</summary>
    public DataType ValueType => ValueField.DataType;

    /// <summary>Values per slot.</summary>
    public int ListSize { get; }

    /// <inheritdoc />
    public override bool Equals(DataType? other) =>
        other is FixedSizeListType l && l.ListSize == ListSize && l.ValueType.Equals(ValueType);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeId.FixedSizeList, ValueType, ListSize);

    /// <inheritdoc />
    public override string ToString() => $"fixed_size_list<{ValueType}, {ListSize}>";
}
