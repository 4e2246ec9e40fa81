namespace QueryLake.Columnar.Types;

/// <summary>The type of an untyped NULL literal. It never reaches storage or execution: the binder casts such
/// NULLs to the type their context needs (or to int32, as DuckDB does, when nothing decides).</summary>
public sealed class NullType : DataType
{
    internal NullType() { }

    /// <summary>The singleton.</summary>
    public static NullType Instance { get; } = new();

    /// <inheritdoc />
    public override TypeId Id => TypeId.Null;

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is NullType;

    /// <inheritdoc />
    public override int GetHashCode() => (int)TypeId.Null;

    /// <inheritdoc />
    public override string ToString() => "null";
}
