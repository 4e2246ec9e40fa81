namespace QueryLake.Columnar.Types;

/// <summary>
/// A named type stored in the layout of <see cref="DataType.StorageType"/>. In Arrow files it travels as
/// field metadata (<c>ARROW:extension:name</c>, <c>ARROW:extension:metadata</c>), so any Arrow reader
/// sees the storage and QueryLake sees the extension.
/// </summary>
public abstract class ExtensionType : DataType
{
    private protected ExtensionType() { }

    /// <inheritdoc />
    public override TypeId Id => TypeId.Extension;

    /// <summary>The registered extension name, e.g. <c>querylake.image</c>.</summary>
    public abstract string ExtensionName { get; }

    /// <summary>The serialized parameters written as <c>ARROW:extension:metadata</c>.</summary>
    public abstract string ExtensionMetadata { get; }

    /// <inheritdoc />
    public abstract override DataType StorageType { get; }

    /// <inheritdoc />
    public override bool Equals(DataType? other) =>
        other is ExtensionType e && e.ExtensionName == ExtensionName && e.ExtensionMetadata == ExtensionMetadata &&
        e.StorageType.Equals(StorageType);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ExtensionName, ExtensionMetadata, StorageType);

    /// <summary>
    /// Rebuilds a known extension type from its name, metadata and storage type, or returns null when the
    /// name is unknown or the storage does not fit (the column is then read as its storage type).
    /// </summary>
    public static ExtensionType? TryCreate(string name, string metadata, DataType storage) => name switch
    {
        ImageType.Name => ImageType.TryFromStorage(metadata, storage),
        EmbeddingType.Name => EmbeddingType.TryFromStorage(metadata, storage),
        TensorType.FixedShapeName or TensorType.VariableShapeName => TensorType.TryFromStorage(name, metadata, storage),
        IntervalType.Name => IntervalType.TryFromStorage(storage),
        UuidType.Name => UuidType.TryFromStorage(storage),
        _ => null,
    };
}
