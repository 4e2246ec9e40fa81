using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Window;

/// <summary>The built-in window functions: ranking, offsets, values in the frame, aggregates over the frame, and the
/// embedding-space ones (rarity, near duplicates).</summary>
internal static class WindowFunctions
{
    private const string Values = " FROM (VALUES (1, 'a'), (2, 'a'), (2, 'b'), (5, 'b')) v(x, g)";

    public static void Register(FunctionRegistry r)
    {
        DataType? None(IReadOnlyList<DataType> t) => t.Count == 0 ? DataType.Int64 : null;
        r.Add(new WindowFunction("row_number", "row_number() OVER (…)", "The row's number in its partition, from 1, in the window's order.",
            "SELECT x, row_number() OVER (PARTITION BY g ORDER BY x)" + Values, "row_number() takes no arguments", None));
        r.Add(new WindowFunction("rank", "rank() OVER (…)", "The row's rank in its partition: peers (equal ORDER BY keys) share it, with gaps after them.",
            "SELECT x, rank() OVER (ORDER BY x)" + Values, "rank() takes no arguments", None));
        r.Add(new WindowFunction("dense_rank", "dense_rank() OVER (…)", "The row's rank in its partition without gaps after peers.",
            "SELECT x, dense_rank() OVER (ORDER BY x)" + Values, "dense_rank() takes no arguments", None));
        r.Add(new WindowFunction("ntile", "ntile(n) OVER (…)", "The bucket 1 … n the row falls in when the partition is cut into n buckets as equal as possible.",
            "SELECT x, ntile(2) OVER (ORDER BY x)" + Values, "ntile(n) takes one integer", t => t is [var n] && n.IsInteger ? DataType.Int64 : null));
        DataType? Offset(IReadOnlyList<DataType> t) => t.Count is >= 1 and <= 3 && (t.Count < 2 || t[1].IsInteger) ? TypeRules.Logical(t[0]) : null;
        r.Add(new WindowFunction("lag", "lag(x [, offset [, default]]) OVER (…)", "x of the row offset rows (default 1) before in the partition, or default (NULL).",
            "SELECT x, lag(x) OVER (ORDER BY x)" + Values, "lag(x [, offset [, default]]) takes a value, an integer offset and a default", Offset));
        r.Add(new WindowFunction("lead", "lead(x [, offset [, default]]) OVER (…)", "x of the row offset rows (default 1) after in the partition, or default (NULL).",
            "SELECT x, lead(x, 2, 0) OVER (ORDER BY x)" + Values, "lead(x [, offset [, default]]) takes a value, an integer offset and a default", Offset));
        DataType? Value(IReadOnlyList<DataType> t) => t is [var x] ? TypeRules.Logical(x) : null;
        r.Add(new WindowFunction("first_value", "first_value(x) OVER (…)", "x of the first row of the frame.",
            "SELECT x, first_value(g) OVER (ORDER BY x DESC)" + Values, "first_value(x) takes one value", Value));
        r.Add(new WindowFunction("last_value", "last_value(x) OVER (…)", "x of the last row of the frame (by default the current row's last peer).",
            "SELECT x, last_value(g) OVER (ORDER BY x)" + Values, "last_value(x) takes one value", Value));
        DataType? Numeric(IReadOnlyList<DataType> t, bool sum) => t is not [var x] ? null
            : TypeRules.Logical(x) is DecimalType d ? sum ? new DecimalType(DecimalType.MaxPrecision, d.Scale) : DataType.Float64
            : !x.IsNumeric ? null : sum && x.IsInteger ? DataType.Int64 : DataType.Float64;
        r.Add(new WindowFunction("sum", "sum(x) OVER (…)", "The sum of x over the frame (a running sum with ORDER BY).",
            "SELECT x, sum(x) OVER (PARTITION BY g ORDER BY x)" + Values, "sum(x) OVER needs one numeric argument", t => Numeric(t, sum: true)));
        r.Add(new WindowFunction("avg", "avg(x) OVER (…)", "The mean of x over the frame.",
            "SELECT x, avg(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)" + Values, "avg(x) OVER needs one numeric argument", t => Numeric(t, sum: false)));
        r.Add(new WindowFunction("count", "count(*) OVER (…) | count(x) OVER (…)", "The rows, or the non-NULL values of x, in the frame.",
            "SELECT x, count(*) OVER (PARTITION BY g)" + Values, "count takes * or one value", t => t.Count <= 1 ? DataType.Int64 : null));
        r.Add(new WindowFunction("min", "min(x) OVER (…)", "The least x in the frame.",
            "SELECT x, min(x) OVER (PARTITION BY g)" + Values, "min(x) takes one value", Value));
        r.Add(new WindowFunction("max", "max(x) OVER (…)", "The greatest x in the frame.",
            "SELECT x, max(x) OVER (PARTITION BY g)" + Values, "max(x) takes one value", Value));
        static bool Vector(DataType t) => t.StorageType is FixedSizeListType or ListType;
        r.Add(new WindowFunction("rarity", "rarity(embedding, k) OVER (…)",
            "How unusual a row is in its partition: the mean cosine distance from its embedding to its k nearest neighbours'.",
            "SELECT x, rarity([x, 1.0], 1) OVER ()" + Values, "rarity(embedding, k) OVER (…) needs a vector and an integer k",
            t => t is [var e, var k] && Vector(e) && k.IsInteger ? DataType.Float64 : null));
        r.Add(new WindowFunction("near_duplicate", "near_duplicate(embedding, threshold) OVER (ORDER BY …)",
            "Whether an earlier row of the partition (in the window's order) has an embedding with cosine similarity of at least threshold: keep the rows where it is false to deduplicate.",
            "SELECT x, near_duplicate([x, 1.0], 0.99) OVER (ORDER BY x)" + Values, "near_duplicate(embedding, threshold) OVER (ORDER BY …) needs a vector and a similarity threshold",
            t => t is [var e, var s] && Vector(e) && s.IsNumeric ? DataType.Boolean : null));
    }
}
