namespace QueryLake.Kernels;

/// <summary>
/// Structural equality, hashing and ordering of values in their .NET form (as <c>GetValue</c> returns them): a list
/// (<c>object?[]</c>) and a struct (field name → value, in field order) compare element by element, bytes by content,
/// doubles as <see cref="Comparer.Doubles"/> does (NaN equals NaN, −0.0 equals 0.0), NULL equals NULL. This is what
/// grouping, DISTINCT, set operations and join keys need of nested values.
/// </summary>
internal static class ValueEquality
{
    /// <summary>Whether two values are the same key (NULL equals NULL).</summary>
    public static new bool Equals(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        switch (a)
        {
            case byte[] x: return b is byte[] xb && x.AsSpan().SequenceEqual(xb);
            case double x: return b is double xd && Comparer.Doubles(x, xd) == 0;
            case float x: return b is float xf && Comparer.Doubles(x, xf) == 0;
            case object?[] x:
            {
                if (b is not object?[] xl || x.Length != xl.Length) return false;
                for (int i = 0; i < x.Length; i++) if (!Equals(x[i], xl[i])) return false;
                return true;
            }
            case IReadOnlyDictionary<string, object?> x:
            {
                if (b is not IReadOnlyDictionary<string, object?> xs || x.Count != xs.Count) return false;
                using var ey = xs.GetEnumerator();
                foreach (var (name, value) in x)
                {
                    ey.MoveNext();
                    if (!string.Equals(name, ey.Current.Key, StringComparison.OrdinalIgnoreCase) || !Equals(value, ey.Current.Value)) return false;
                }
                return true;
            }
            default: return a.Equals(b);
        }
    }

    /// <summary>A hash that agrees with <see cref="Equals(object?, object?)"/>.</summary>
    public static ulong Hash(object? v) => v switch
    {
        null => 0x5555_5555_5555_5555,
        byte[] b => KeyHash.Bytes(b),
        Guid g => KeyHash.Bytes(Columnar.Types.UuidType.ToBytes(g)),
        string s => KeyHash.Text(s),
        double d => KeyHash.Double(d),
        float f => KeyHash.Double(f),
        long l => (ulong)l,
        int i => (ulong)(long)i,
        bool b => b ? 1UL : 0UL,
        object?[] list => Combine(list),
        IReadOnlyDictionary<string, object?> fields => Combine(fields.Values),
        _ => (ulong)v.GetHashCode(),
    };

    private static ulong Combine(IEnumerable<object?> values)
    {
        ulong h = 0x27D4EB2F165667C5;
        foreach (var v in values) h = KeyHash.Mix(h ^ Hash(v)) + 0x9E3779B97F4A7C15;
        return h;
    }

    /// <summary>Orders two non-null values of one type: numbers and text as <see cref="Comparer.Values"/>; lists and
    /// structs element by element (a NULL element after every value), a shorter list before its extensions.</summary>
    public static int Compare(object a, object b)
    {
        switch (a)
        {
            case object?[] x:
            {
                var y = (object?[])b;
                for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
                {
                    int c = Element(x[i], y[i]);
                    if (c != 0) return c;
                }
                return x.Length.CompareTo(y.Length);
            }
            case IReadOnlyDictionary<string, object?> x:
            {
                var y = (IReadOnlyDictionary<string, object?>)b;
                using var ey = y.Values.GetEnumerator();
                foreach (var v in x.Values)
                {
                    if (!ey.MoveNext()) return 1;
                    int c = Element(v, ey.Current);
                    if (c != 0) return c;
                }
                return ey.MoveNext() ? -1 : 0;
            }
            default: return Comparer.Values(a, b);
        }
    }

    private static int Element(object? a, object? b) =>
        a is null || b is null ? (a is null == b is null ? 0 : a is null ? 1 : -1) : Compare(a, b);
}
