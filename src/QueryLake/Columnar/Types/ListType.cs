namespace QueryLake.Columnar.Types;

/// <summary>A variable-length list of values of one type (32-bit offsets).</summary>
public sealed class ListType : DataType
{
    /// <summary>Creates the type from its child field.</summary>
    public ListType(Field valueField) => ValueField = valueField;

    /// <inheritdoc />
    public override TypeId Id => TypeId.List;

    /// <summary>The child field (conventionally named "item").</summary>
    public Field ValueField { get; }

    /// <summary>The element type.</summary>
    public DataType ValueType => ValueField.DataType;

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is ListType l && l.ValueType.Equals(ValueType);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeId.List, ValueType);

    /// <inheritdoc />
    public override string ToString() => $"list<{ValueType}>";
}
