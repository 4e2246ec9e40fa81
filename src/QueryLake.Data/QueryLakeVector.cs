namespace QueryLake.Data;

/// <summary>
/// An embedding vector as one parameter value (an EMBEDDING of its length). It is deliberately not an
/// <see cref="System.Collections.IEnumerable"/>, so no mapper mistakes it for a list to expand into an IN list.
/// Dapper, like every mapper, needs a type handler for a type it does not know (as pgvector's <c>Vector</c> does with
/// Npgsql); the handler's <c>SetValue</c> sets <c>parameter.Value = value</c>:
/// <code>conn.Query("SELECT id FROM scenes ORDER BY cosine_similarity(emb, @probe) DESC LIMIT 5", new { probe = new QueryLakeVector(floats) })</code>
/// </summary>
public sealed class QueryLakeVector : IEquatable<QueryLakeVector>
{
    /// <summary>A vector over <paramref name="values"/> (not copied; do not change them while a command uses them).</summary>
    public QueryLakeVector(ReadOnlyMemory<float> values)
    {
        if (values.Length == 0) throw new ArgumentException("a vector needs at least one value", nameof(values));
        Values = values;
    }

    /// <summary>A vector over <paramref name="values"/> (not copied).</summary>
    public QueryLakeVector(float[] values) : this(new ReadOnlyMemory<float>(values ?? throw new ArgumentNullException(nameof(values)))) { }

    /// <summary>The vector's values.</summary>
    public ReadOnlyMemory<float> Values { get; }

    /// <summary>The number of dimensions.</summary>
    public int Dimension => Values.Length;

    /// <summary>Wraps an array.</summary>
    public static implicit operator QueryLakeVector(float[] values) => new(values);

    /// <summary>Wraps an array (the named alternative of the implicit conversion).</summary>
    public static QueryLakeVector FromArray(float[] values) => new(values);

    /// <inheritdoc />
    public bool Equals(QueryLakeVector? other) => other is not null && Values.Span.SequenceEqual(other.Values.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as QueryLakeVector);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in Values.Span) h.Add(v);
        return h.ToHashCode();
    }

    /// <summary>The values, as [0.1, 0.2, …].</summary>
    public override string ToString() => "[" + string.Join(", ", Values.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
