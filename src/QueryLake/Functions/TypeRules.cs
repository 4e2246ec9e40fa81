using QueryLake.Columnar;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions;

/// <summary>Implicit conversions between argument types, DuckDB-style: integers widen to int64, any float
/// makes float64, NULL takes the other side's type, and strings compare with strings.</summary>
internal static class TypeRules
{
    public static DataType Logical(DataType t) => t is DictionaryType d ? d.ValueType : t is ExtensionType e ? e.StorageType : t;

    /// <summary><see cref="Logical"/>, except that a flat extension type (UUID) and INTERVAL stay themselves: their
    /// values keep their type through VALUES, UNION, CASE, list literals, min and max.</summary>
    public static DataType Kept(DataType t) => t is ExtensionType { IsFlat: true } or IntervalType ? t : Logical(t);

    public static DataType? Numeric(DataType a, DataType b)
    {
        a = Logical(a); b = Logical(b);
        if (a is NullType && b is NullType) return DataType.Int64;
        if (a is NullType) a = b;
        if (b is NullType) b = a;
        if (!(a.IsNumeric || a is DecimalType) || !(b.IsNumeric || b is DecimalType)) return null;
        // A DECIMAL meets functions without a DECIMAL form as a double; + - * % and comparisons keep it exact
        // (DecimalCommon, DecimalArithmetic).
        return a.Id is TypeId.Float32 or TypeId.Float64 || b.Id is TypeId.Float32 or TypeId.Float64 || a is DecimalType || b is DecimalType ? DataType.Float64 : DataType.Int64;
    }

    /// <summary>An exact type as a DECIMAL: itself, or an integer type as the DECIMAL of its digits (BIGINT is
    /// DECIMAL(19, 0), as in DuckDB); null for floats and everything else.</summary>
    public static DecimalType? AsDecimal(DataType t) => Logical(t) switch
    {
        DecimalType d => d,
        { Id: TypeId.Int8 or TypeId.UInt8 } => new DecimalType(3, 0),
        { Id: TypeId.Int16 or TypeId.UInt16 } => new DecimalType(5, 0),
        { Id: TypeId.Int32 or TypeId.UInt32 } => new DecimalType(10, 0),
        { Id: TypeId.Int64 } => new DecimalType(19, 0),
        { Id: TypeId.UInt64 } => new DecimalType(20, 0),
        _ => null,
    };

    /// <summary>The DECIMAL two values compare in when at least one is a DECIMAL and the other is exact (a DECIMAL,
    /// an integer or NULL): the larger scale and room for the larger integer part (at most 38 digits); null
    /// otherwise.</summary>
    public static DecimalType? DecimalCommon(DataType a, DataType b)
    {
        a = Logical(a); b = Logical(b);
        if (a is not DecimalType && b is not DecimalType) return null;
        if (a is NullType) a = b;
        if (b is NullType) b = a;
        if (AsDecimal(a) is not { } x || AsDecimal(b) is not { } y) return null;
        int scale = Math.Max(x.Scale, y.Scale);
        int whole = Math.Max(x.Precision - x.Scale, y.Precision - y.Scale);
        return new DecimalType(Math.Min(DecimalType.MaxPrecision, whole + scale), scale);
    }

    /// <summary>The type two values are compared in, or null when they are not comparable.</summary>
    public static DataType? Comparable(DataType a, DataType b)
    {
        // A flat extension type (UUID) compares as itself, so its values keep their type (and their text) through
        // VALUES, UNION and CASE.
        if (a is ExtensionType { IsFlat: true } && (a.Equals(b) || b is NullType)) return a;
        if (b is ExtensionType { IsFlat: true } && a is NullType) return b;
        // Extension types over structs and lists (INTERVAL, EMBEDDING, TENSOR) have no order of their own here.
        bool nestedOk = a is not ExtensionType && b is not ExtensionType;
        a = Logical(a); b = Logical(b);
        if (DecimalCommon(a, b) is { } d) return d;
        if (Numeric(a, b) is { } n) return n;
        if (a is NullType) return b;
        if (b is NullType) return a;
        if (a.Id is TypeId.Utf8 or TypeId.LargeUtf8 && b.Id is TypeId.Utf8 or TypeId.LargeUtf8) return DataType.Utf8;
        if (a.Equals(b) && (a.IsFlat || nestedOk && a is StructType or ListType or FixedSizeListType)) return a;
        if (a.Id == TypeId.Date32 && b is TimestampType || b.Id == TypeId.Date32 && a is TimestampType) return a is TimestampType ? a : b;
        if (!nestedOk) return null;
        // Structs with the same field names compare as structs of each field's common type ({'a': 1, 'b': NULL} <
        // {'a': 1, 'b': 2}); lists as lists of their items' common type.
        if (a is StructType sa && b is StructType sb && sa.Fields.Count == sb.Fields.Count)
        {
            var fields = new List<Field>();
            for (int i = 0; i < sa.Fields.Count; i++)
            {
                if (!string.Equals(sa.Fields[i].Name, sb.Fields[i].Name, StringComparison.OrdinalIgnoreCase)
                    || Comparable(sa.Fields[i].DataType, sb.Fields[i].DataType) is not { } common) return null;
                fields.Add(new Field(sa.Fields[i].Name, common));
            }
            return new StructType(fields);
        }
        if (a is ListType la && b is ListType lb && Comparable(la.ValueType, lb.ValueType) is { } item) return DataType.List(item);
        return null;
    }
}
