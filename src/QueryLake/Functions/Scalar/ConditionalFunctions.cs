using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;

namespace QueryLake.Functions.Scalar;

/// <summary>COALESCE and NULLIF (CASE is an expression of its own).</summary>
internal static class ConditionalFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new ScalarFunction("coalesce", "coalesce(a, b, …)", "The first argument that is not NULL.", "SELECT coalesce(NULL, 2, 3) → 2",
            t => Common(t) is { } c ? new Resolution(c, (args, n) =>
            {
                var b = ArrayBuilder.Create(c);
                for (int i = 0; i < n; i++)
                {
                    var src = args.FirstOrDefault(a => a.IsValid(i));
                    if (src is null) b.AppendNull(); else b.AppendFrom(src, i);
                }
                return b.Build();
            }, t.Select(_ => c).ToList()) : null));
        r.Add(new ScalarFunction("typeof", "typeof(x)", "The SQL name of x's type, as DuckDB gives it (BIGINT, VARCHAR[], EMBEDDING(64), TENSOR<FLOAT>(2, 3)).", "SELECT typeof([1, 2]) → BIGINT[]",
            t => t.Count == 1 ? new Resolution(DataType.Utf8, (_, n) => Kernels.Vectors.Broadcast(DataType.Utf8, SqlTypeName.Of(t[0]), n)) : null));
        r.Add(new ScalarFunction("nullif", "nullif(a, b)", "NULL when a = b, otherwise a.", "SELECT nullif(1, 1) → NULL",
            t => t.Count == 2 && TypeRules.Comparable(t[0], t[1]) is { } c ? new Resolution(c, (args, n) =>
            {
                var cmp = Comparer.For(args[0], args[1]);
                var b = ArrayBuilder.Create(c);
                for (int i = 0; i < n; i++)
                {
                    if (args[0].IsNull(i) || (args[1].IsValid(i) && cmp(i, i) == 0)) b.AppendNull();
                    else b.AppendFrom(args[0], i);
                }
                return b.Build();
            }, [c, c]) : null));
    }

    /// <summary>The common type of several values (for COALESCE, CASE, UNION and IN).</summary>
    public static DataType? Common(IReadOnlyList<DataType> types)
    {
        DataType? c = NullType.Instance;
        foreach (var t in types)
        {
            c = c is NullType ? TypeRules.Kept(t) : TypeRules.Kept(t) is NullType || TypeRules.Kept(t).Equals(c) ? c
                : c is ListType a && TypeRules.Kept(t) is ListType b ? (Common([a.ValueType, b.ValueType]) is { } item ? DataType.List(item) : null)
                : TypeRules.Comparable(c!, t);
            if (c is null) return null;
        }
        return c is NullType ? DataType.Int32 : c;
    }
}
