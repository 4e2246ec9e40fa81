namespace QueryLake.Columnar.Types;

/// <summary>EMBEDDING: a vector of <see cref="Dimension"/> float32 values, stored as
/// <c>fixed_size_list&lt;float32, d&gt;</c>.</summary>
public sealed class EmbeddingType : ExtensionType
{
    /// <summary>The extension name.</summary>
    public const string Name = "querylake.embedding";

    /// <summary>Creates an EMBEDDING type of the given dimension.</summary>
    public EmbeddingType(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        StorageType = FixedSizeList(Float32, dimension, nullable: false);
    }

    /// <summary>Number of float32 values per embedding.</summary>
    public int Dimension { get; }

    /// <inheritdoc />
    public override string ExtensionName => Name;

    /// <inheritdoc />
    public override string ExtensionMetadata => "";

    /// <inheritdoc />
    public override DataType StorageType { get; }

    internal static EmbeddingType? TryFromStorage(string metadata, DataType storage) =>
        storage is FixedSizeListType { ValueType.Id: TypeId.Float32, ListSize: > 0 } f ? new EmbeddingType(f.ListSize) : null;

    /// <inheritdoc />
    public override string ToString() => $"embedding<{Dimension}>";
}
