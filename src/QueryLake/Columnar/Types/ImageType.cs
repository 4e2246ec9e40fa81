namespace QueryLake.Columnar.Types;

/// <summary>IMAGE: encoded image bytes (binary storage) plus the encoding, e.g. <c>jpeg</c> or <c>png</c>
/// (empty when mixed or unknown; then each value is sniffed).</summary>
public sealed class ImageType : ExtensionType
{
    /// <summary>The extension name.</summary>
    public const string Name = "querylake.image";

    /// <summary>Creates an IMAGE type.</summary>
    public ImageType(string format = "", bool large = false)
    {
        Format = format.ToLowerInvariant();
        StorageType = large ? LargeBinary : Binary;
    }

    /// <summary>The image encoding, lower case, or empty.</summary>
    public string Format { get; }

    /// <inheritdoc />
    public override string ExtensionName => Name;

    /// <inheritdoc />
    public override string ExtensionMetadata => Format;

    /// <inheritdoc />
    public override DataType StorageType { get; }

    internal static ImageType? TryFromStorage(string metadata, DataType storage) => storage.Id switch
    {
        TypeId.Binary => new ImageType(metadata),
        TypeId.LargeBinary => new ImageType(metadata, large: true),
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => Format.Length == 0 ? "image" : $"image<{Format}>";
}
