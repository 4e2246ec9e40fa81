namespace QueryLake.Columnar;

/// <summary>The ordered fields of a record batch, plus schema-level metadata.</summary>
public sealed class Schema : IEquatable<Schema>
{
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    /// <summary>Creates a schema. Field names must be unique.</summary>
    public Schema(IReadOnlyList<Field> fields, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Fields = fields.ToArray();
        for (int i = 0; i < Fields.Count; i++)
            if (!_byName.TryAdd(Fields[i].Name, i))
                throw new ArgumentException($"duplicate column name '{Fields[i].Name}' in schema");
        Metadata = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
    }

    /// <summary>The fields, in column order.</summary>
    public IReadOnlyList<Field> Fields { get; }

    /// <summary>Schema-level metadata (never null).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Index of a field by exact name, or -1.</summary>
    public int IndexOf(string name) => _byName.TryGetValue(name, out var i) ? i : -1;

    /// <summary>A field by exact name.</summary>
    public Field this[string name] => IndexOf(name) is var i and >= 0 ? Fields[i]
        : throw new KeyNotFoundException($"no column named '{name}'; columns are: {string.Join(", ", Fields.Select(f => f.Name))}");

    /// <inheritdoc />
    public bool Equals(Schema? other) =>
        other is not null && other.Fields.Count == Fields.Count && Fields.Zip(other.Fields).All(p => p.First.Equals(p.Second)) &&
        Field.MetadataEquals(Metadata, other.Metadata);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Schema s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode() => Fields.Count;

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, Fields);
}
