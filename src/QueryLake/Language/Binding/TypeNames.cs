using QueryLake.Columnar.Types;
using QueryLake.Language.Ast;

namespace QueryLake.Language.Binding;

/// <summary>SQL type names (DuckDB's and the common aliases) to column types.</summary>
internal static class TypeNames
{
    /// <summary>DECIMAL(p, s), DECIMAL(p) (scale 0) or DECIMAL (18, 3, as in DuckDB).</summary>
    private static DecimalType Decimal(TypeName t)
    {
        var (p, s) = t.Parameters switch
        {
            [] => (18, 3),
            [var a] => (a, 0),
            [var a, var b] => (a, b),
            _ => throw new SqlException("QL-UNKNOWN-TYPE", t.At.Line, t.At.Column, "DECIMAL takes a precision and a scale: DECIMAL(p, s)"),
        };
        if (p is < 1 or > DecimalType.MaxPrecision)
            throw new SqlException("QL-UNKNOWN-TYPE", t.At.Line, t.At.Column, $"DECIMAL precision must be 1 to {DecimalType.MaxPrecision}, not {p}");
        if (s < 0 || s > p)
            throw new SqlException("QL-UNKNOWN-TYPE", t.At.Line, t.At.Column, $"DECIMAL scale must be 0 to the precision ({p}), not {s}");
        return new DecimalType(p, s);
    }

    public static DataType Resolve(TypeName t)
    {
        DataType baseType = t.Name switch
        {
            "BOOLEAN" or "BOOL" or "LOGICAL" => DataType.Boolean,
            "TINYINT" or "INT1" => DataType.Int8,
            "INT8" or "BIGINT" or "LONG" => DataType.Int64,
            "SMALLINT" or "INT2" or "SHORT" => DataType.Int16,
            "INTEGER" or "INT" or "INT4" or "SIGNED" => DataType.Int32,
            "HUGEINT" => DataType.Int64,
            "UTINYINT" => DataType.UInt8, "USMALLINT" => DataType.UInt16, "UINTEGER" => DataType.UInt32, "UBIGINT" => DataType.UInt64,
            "REAL" or "FLOAT" or "FLOAT4" => DataType.Float32,
            "DOUBLE" or "FLOAT8" => DataType.Float64,
            "DECIMAL" or "NUMERIC" or "DEC" => Decimal(t),
            "VARCHAR" or "TEXT" or "STRING" or "CHAR" or "BPCHAR" => DataType.Utf8,
            "BLOB" or "BYTEA" or "BINARY" or "VARBINARY" => DataType.Binary,
            "DATE" => DataType.Date32,
            "TIMESTAMP" or "DATETIME" => DataType.Timestamp(),
            "TIMESTAMPTZ" => DataType.Timestamp("UTC"),
            "INTERVAL" => IntervalType.Instance,
            "UUID" => UuidType.Instance,
            "FIXED_SIZE_BINARY" when t.Parameters is [> 0 and var width] => new FixedSizeBinaryType(width),
            "IMAGE" => new ImageType(),
            "EMBEDDING" when t.Parameters.Count == 1 => new EmbeddingType(t.Parameters[0]),
            "TENSOR" when t.Parameters.Count >= 1 && t.Parameters.All(d => d > 0) => new TensorType(
                t.Arguments.Count == 0 ? DataType.Float32 : Resolve(t.Arguments[0]) is PrimitiveType { IsNumeric: true } p ? p
                    : throw new SqlException("QL-UNKNOWN-TYPE", t.At.Line, t.At.Column, $"a TENSOR holds numbers, not {t.Arguments[0]}"), t.Parameters),
            "LIST" when t.Arguments.Count == 1 => DataType.List(Resolve(t.Arguments[0])),
            _ => throw new SqlException("QL-UNKNOWN-TYPE", t.At.Line, t.At.Column, $"unknown type '{t}'" +
                Scope.Suggest(t.Name, ["BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE", "DECIMAL", "VARCHAR", "BLOB", "DATE", "TIMESTAMP", "INTERVAL", "UUID", "FIXED_SIZE_BINARY", "IMAGE", "EMBEDDING", "TENSOR"])),
        };
        foreach (var dim in t.ArrayDims) baseType = dim is { } n ? DataType.FixedSizeList(baseType, n) : DataType.List(baseType);
        return baseType;
    }
}
