using QueryLake.Columnar.Types;

namespace QueryLake.Columnar;

/// <summary>A named, typed column or child, with optional key/value metadata.</summary>
public sealed class Field : IEquatable<Field>
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary>Creates a field.</summary>
    public Field(string name, DataType dataType, bool nullable = true, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        DataType = dataType ?? throw new ArgumentNullException(nameof(dataType));
        Nullable = nullable;
        Metadata = metadata is null || metadata.Count == 0 ? NoMetadata : new Dictionary<string, string>(metadata);
    }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>The type.</summary>
    public DataType DataType { get; }

    /// <summary>Whether values may be null.</summary>
    public bool Nullable { get; }

    /// <summary>Key/value metadata (never null).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>A copy with another name.</summary>
    public Field WithName(string name) => new(name, DataType, Nullable, Metadata);

    /// <summary>This field, or a copy that allows NULL (the side of an outer join that may find no match).</summary>
    public Field AsNullable() => Nullable ? this : new(Name, DataType, true, Metadata);

    /// <summary>A copy with other metadata.</summary>
    public Field WithMetadata(IReadOnlyDictionary<string, string>? metadata) => new(Name, DataType, Nullable, metadata);

    /// <inheritdoc />
    public bool Equals(Field? other) =>
        other is not null && other.Name == Name && other.DataType.Equals(DataType) && other.Nullable == Nullable &&
        MetadataEquals(other.Metadata, Metadata);

    internal static bool MetadataEquals(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Field f && Equals(f);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, DataType, Nullable);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DataType}{(Nullable ? "" : " not null")}";
}
