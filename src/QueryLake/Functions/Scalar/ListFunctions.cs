using QueryLake.Columnar.Types;
using QueryLake.Kernels;

namespace QueryLake.Functions.Scalar;

/// <summary>Functions over lists (object labels, tags, boolean masks, vectors): list_value (what a list literal
/// [a, b, …] binds to), contains with * and ? wildcards for strings, any and all over boolean lists, and
/// list_length.</summary>
internal static class ListFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new ScalarFunction("list_value", "list_value(a, b, …) or [a, b, …]", "A list of the arguments, of their common type ([1, 2.5] is DOUBLE[]; [[1.0, 0.0], [0.0, 1.0]] a list of vectors).",
            "SELECT [1, 2, 3] → [1, 2, 3]",
            t => ConditionalFunctions.Common(t) is { } c
                ? new Resolution(DataType.List(c), (args, n) =>
                {
                    var b = (Columnar.Builders.ListBuilder)Columnar.Builders.ArrayBuilder.Create(DataType.List(c));
                    for (int i = 0; i < n; i++)
                    {
                        foreach (var a in args) b.Values.AppendFrom(a, i);
                        b.EndList();
                    }
                    return b.Build();
                }, t.Select(_ => c).ToList())
                : null));
        r.Add(new ScalarFunction("contains", "contains(list_or_text, value)",
            "True when a list holds the value, or a text contains it; for strings, * matches any run of characters and ? one character (contains(objects, 'hail*')).",
            "SELECT contains(list(x), 'ha*') FROM (VALUES ('rain'), ('hail')) v(x) → true",
            t => t.Count == 2 && (t[0].StorageType is ListType or FixedSizeListType || t[0].StorageType is VariableBinaryType { IsUtf8: true })
                ? new Resolution(DataType.Boolean, RowMapped.Kernel(DataType.Boolean, a => Contains(a[0]!, a[1]!)))
                : null));
        r.Add(new ScalarFunction("any", "any(list)", "True when any element of a boolean list is true; NULL when none is true but some are NULL; false for an empty list.",
            "SELECT any(list(x > 2)) FROM (VALUES (1), (3)) v(x) → true",
            t => t.Count == 1 && t[0].StorageType is ListType { ValueType.Id: TypeId.Boolean } or FixedSizeListType { ValueType.Id: TypeId.Boolean }
                ? new Resolution(DataType.Boolean, RowMapped.Kernel(DataType.Boolean, a => Any((object?[])a[0]!)))
                : null));
        r.Add(new ScalarFunction("all", "all(list)", "True when every element of a boolean list is true; NULL when none is false but some are NULL; true for an empty list. (Right after SELECT, ALL is the set quantifier: write SELECT (all(…)) there.)",
            "SELECT NOT all(list(x > 2)) FROM (VALUES (1), (3)) v(x) → true",
            t => t.Count == 1 && t[0].StorageType is ListType { ValueType.Id: TypeId.Boolean } or FixedSizeListType { ValueType.Id: TypeId.Boolean }
                ? new Resolution(DataType.Boolean, RowMapped.Kernel(DataType.Boolean, a => All((object?[])a[0]!)))
                : null));
        r.Add(new ScalarFunction("list_length", "list_length(list)", "The number of elements of a list.", "SELECT list_length(list(x)) FROM (VALUES (1), (2)) v(x) → 2",
            t => t.Count == 1 && t[0].StorageType is ListType or FixedSizeListType
                ? new Resolution(DataType.Int64, RowMapped.Kernel(DataType.Int64, a => (long)((object?[])a[0]!).Length))
                : null) { Aliases = ["len", "array_length"] });
    }

    private static object? Contains(object haystack, object needle)
    {
        if (haystack is string text)
            return needle is string n ? (HasWildcards(n) ? LikeMatcher.Matches(text, "%" + ToLike(n) + "%", false, '\\') : text.Contains(n, StringComparison.Ordinal)) : null;
        var items = (object?[])haystack;
        if (needle is string pattern && HasWildcards(pattern))
        {
            var like = ToLike(pattern);
            return items.Any(x => x is string s && LikeMatcher.Matches(s, like, false, '\\'));
        }
        return items.Any(x => x is not null && (x.Equals(needle) || Comparer.Values(x, needle) == 0));
    }

    private static bool HasWildcards(string s) => s.IndexOfAny(['*', '?']) >= 0;

    /// <summary>A * and ? pattern as a LIKE pattern with backslash escapes.</summary>
    private static string ToLike(string pattern)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in pattern)
            sb.Append(c switch { '*' => "%", '?' => "_", '%' => "\\%", '_' => "\\_", '\\' => "\\\\", _ => c.ToString() });
        return sb.ToString();
    }

    private static object? Any(object?[] items) =>
        items.Any(x => x is true) ? true : items.Any(x => x is null) ? null : false;

    private static object? All(object?[] items) =>
        items.Any(x => x is false) ? false : items.Any(x => x is null) ? null : true;
}
