namespace QueryLake.Columnar.Types;

/// <summary>A record of named child fields.</summary>
public sealed class StructType : DataType
{
    /// <summary>Creates the type.</summary>
    public StructType(IReadOnlyList<Field> fields) => Fields = fields.ToArray();

    /// <inheritdoc />
    public override TypeId Id => TypeId.Struct;

    /// <summary>The child fields, in order.</summary>
    public IReadOnlyList<Field> Fields { get; }

    /// <summary>Index of a child by name (case-sensitive), or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Fields.Count; i++) if (Fields[i].Name == name) return i;
        return -1;
    }

    /// <inheritdoc />
    public override bool Equals(DataType? other) =>
        other is StructType s && s.Fields.Count == Fields.Count &&
        Fields.Zip(s.Fields).All(p => p.First.Name == p.Second.Name && p.First.DataType.Equals(p.Second.DataType));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var f in Fields) { h.Add(f.Name); h.Add(f.DataType); }
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"struct<{string.Join(", ", Fields.Select(f => $"{f.Name}: {f.DataType}"))}>";
}
