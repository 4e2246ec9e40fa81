namespace QueryLake.Columnar.Types;

/// <summary>UUID: a 128-bit identifier, stored as <c>fixed_size_binary[16]</c> in RFC 9562 byte order (the order of its
/// hex digits) under Arrow's canonical extension name <c>arrow.uuid</c>. Values read as <see cref="Guid"/>; they sort and
/// compare by their bytes, which is the order of their text, as in DuckDB and PostgreSQL.</summary>
public sealed class UuidType : ExtensionType
{
    /// <summary>The extension name (Arrow's canonical one).</summary>
    public const string Name = "arrow.uuid";

    internal static readonly FixedSizeBinaryType Storage = new(16);

    /// <summary>The one UUID type.</summary>
    public static UuidType Instance { get; } = new();

    private UuidType() { }

    /// <inheritdoc />
    public override string ExtensionName => Name;

    /// <inheritdoc />
    public override string ExtensionMetadata => "";

    /// <inheritdoc />
    public override DataType StorageType => Storage;

    internal static UuidType? TryFromStorage(DataType storage) => storage.Equals(Storage) ? Instance : null;

    /// <summary>The 16 bytes of <paramref name="value"/> in RFC 9562 order.</summary>
    public static byte[] ToBytes(Guid value) => value.ToByteArray(bigEndian: true);

    /// <summary>The UUID whose RFC 9562 bytes are <paramref name="bytes"/>.</summary>
    public static Guid FromBytes(ReadOnlySpan<byte> bytes) => new(bytes, bigEndian: true);

    /// <summary>Orders UUIDs by their bytes (the order of their text).</summary>
    public static int Compare(Guid a, Guid b)
    {
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x, bigEndian: true, out _);
        b.TryWriteBytes(y, bigEndian: true, out _);
        return x.SequenceCompareTo(y);
    }

    /// <inheritdoc />
    public override string ToString() => "uuid";
}
