using QueryLake.Columnar.Arrays;

namespace QueryLake.Execution;

/// <summary>The values of some columns of one row, compared structurally (NULL equals NULL, NaN equals NaN,
/// bytes by content): the key of hash aggregation, hash joins and DISTINCT.</summary>
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
            if (a is byte[] x && b is byte[] y) { if (!x.AsSpan().SequenceEqual(y)) return false; continue; }
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
            if (v is byte[] b) h.AddBytes(b);
            else h.Add(v);
        }
        return h.ToHashCode();
    }
}
