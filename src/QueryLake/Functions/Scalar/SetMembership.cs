using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using QueryLake.Planning.Expressions;

namespace QueryLake.Functions.Scalar;

/// <summary>
/// <c>x IN (v1, v2, …)</c> over many constants (a long IN list, or the rows of an uncorrelated IN subquery) as one
/// hash-set lookup per row instead of a chain of equalities: true when x is in the set; NULL when x is NULL, or when it
/// is not found and the set holds a NULL; false otherwise (SQL's three-valued IN).
/// </summary>
internal static class SetMembership
{
    /// <summary>Lists longer than this become a set lookup; shorter ones stay equalities the optimizer can read.</summary>
    private const int Threshold = 16;

    private static readonly ScalarFunction Function = new("in_set", "x IN (v1, v2, …)",
        "Membership in a list of constants or an uncorrelated subquery's rows, by hash lookup (long IN lists bind to it).", "", _ => null)
        { AcceptsConstants = true };

    /// <summary>Whether <c>x IN</c> a list of <paramref name="count"/> constants is better a set lookup than a chain
    /// of equalities: a long list, or any list of two or more whose left side is computed (<c>substring(p FROM 1 FOR
    /// 2) IN ('13', '31', …)</c>), which the equalities would compute once per constant. A column against a short list
    /// stays equalities, which vector compares run fast and statistics can prune.</summary>
    public static bool Suits(BoundExpr value, int count) => count > Threshold || (count > 1 && value is not (ColumnRef or Literal));

    /// <summary>x IN <paramref name="values"/>, with <paramref name="value"/> and the values already of one type.</summary>
    public static BoundExpr Build(BoundExpr value, IReadOnlyList<object?> values, DataType type)
    {
        var set = new HashSet<RowKey>();
        bool hasNull = false;
        foreach (var v in values)
        {
            if (v is null) hasNull = true;
            else set.Add(new RowKey([v]));
        }
        // Typed sets for the common key types: no value is boxed per row.
        var longs = type.Id == TypeId.Int64 ? values.Where(v => v is long).Select(v => (long)v!).ToHashSet() : null;
        Kernels.Utf8KeyTable? texts = null;
        if (type.Id == TypeId.Utf8)
        {
            texts = new Kernels.Utf8KeyTable();
            foreach (var v in values) if (v is string str) texts.FindOrAdd(System.Text.Encoding.UTF8.GetBytes(str), out _);
        }
        // The values ride along as a constant, so two lists print (and match) differently.
        var list = new Literal(values.ToList(), DataType.List(type));
        return new Call(Function, [value, list], (a, n) =>
        {
            var x = Kernels.Vectors.Plain(a[0]);
            // The lookup for this array's type, chosen once per batch.
            Func<int, bool> contains = x switch
            {
                PrimitiveArray<long> l when longs is not null => r => longs.Contains(l[r]),
                BinaryArray t when texts is not null => r => texts.Find(t.GetBytes(r)) >= 0,
                _ => r => set.Contains(new RowKey([x.GetValue(r)])),
            };
            var found = new bool[n];
            var valid = new byte[Columnar.Memory.BitUtil.BytesFor(n)];
            int nulls = 0;
            for (int i = 0; i < n; i++)
            {
                int r = x.Length == 1 ? 0 : i;
                if (x.IsNull(r)) { nulls++; continue; }
                bool hit = contains(r);
                // Not found in a set holding NULL: unknown.
                if (!hit && hasNull) { nulls++; continue; }
                found[i] = hit;
                Columnar.Memory.BitUtil.SetBit(valid, i, true);
            }
            return Kernels.Vectors.MakeBool(found, nulls == 0 ? Columnar.Memory.ArrowBuffer.Empty : Columnar.Memory.ArrowBuffer.Copy(valid), nulls);
        }, DataType.Boolean);
    }
}
