namespace QueryLake.Columnar.Types;

/// <summary>Integer indices into a dictionary of values; QueryLake uses it for low-cardinality utf8.</summary>
public sealed class DictionaryType : DataType
{
    /// <summary>Creates the type.</summary>
    public DictionaryType(PrimitiveType indexType, DataType valueType, bool ordered)
    {
        if (!indexType.IsInteger) throw new ArgumentException($"dictionary index type must be an integer, not {indexType}");
        IndexType = indexType;
        ValueType = valueType;
        Ordered = ordered;
    }

    /// <inheritdoc />
    public override TypeId Id => TypeId.Dictionary;

    /// <summary>The integer type of the indices.</summary>
    public PrimitiveType IndexType { get; }

    /// <summary>The type of the dictionary values.</summary>
    public DataType ValueType { get; }

    /// <summary>Whether the dictionary order is meaningful.</summary>
    public bool Ordered { get; }

    /// <inheritdoc />
    public override bool Equals(DataType? other) =>
        other is DictionaryType d && d.IndexType.Equals(IndexType) && d.ValueType.Equals(ValueType) && d.Ordered == Ordered;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeId.Dictionary, IndexType, ValueType, Ordered);

    /// <inheritdoc />
    public override string ToString() => $"dictionary<{IndexType}, {ValueType}>";
}
