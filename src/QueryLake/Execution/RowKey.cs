using QueryLake.Columnar.Arrays;

namespace QueryLake.Execution;

/// <summary>The values of some columns of one row, compared structurally (NULL equals NULL, NaN equals NaN, −0.0
/// equals 0.0, bytes by content, lists and structs element by element: <see cref="Kernels.ValueEquality"/>): the key
/// of generic grouping, DISTINCT and set operations.</summary>
internal readonly struct RowKey(object?[] values) : IEquatable<RowKey>
{
    public object?[] Values { get; } = values;

    public static RowKey Of(IReadOnlyList<ArrowArray> columns, int row)
    {
        var v = new object?[columns.Count];
        for (int i = 0; i < v.Length; i++) v[i] = columns[i].GetValue(row);
        return new RowKey(v);
    }

    public bool HasNull => Values.Any(v => v is null);

    public bool Equals(RowKey other)
    {
        if (Values.Length != other.Values.Length) return false;
        for (int i = 0; i < Values.Length; i++)
        {
            object? a = Values[i], b = other.Values[i];
            if (a is null || b is null) { if (a != b) return false; continue; }
            if (a is byte[] or object?[] or IReadOnlyDictionary<string, object?>) { if (!Kernels.ValueEquality.Equals(a, b)) return false; continue; }
            if (!a.Equals(b)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is RowKey k && Equals(k);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in Values)
        {
            if (v is byte[] or object?[] or IReadOnlyDictionary<string, object?>) h.Add(Kernels.ValueEquality.Hash(v));
            else h.Add(v);
        }
        return h.ToHashCode();
    }
}
