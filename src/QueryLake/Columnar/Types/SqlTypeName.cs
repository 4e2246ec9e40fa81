using System.Globalization;

namespace QueryLake.Columnar.Types;

/// <summary>
/// The SQL name of a column type, as a user writes it in CAST or CREATE DATASET and as DuckDB prints it: VARCHAR,
/// BIGINT, DOUBLE, DECIMAL(12,2), TIMESTAMP, TIMESTAMP WITH TIME ZONE, DATE, BLOB, UUID, IMAGE, EMBEDDING(512),
/// TENSOR&lt;FLOAT&gt;(3, 224, 224), BIGINT[], FLOAT[4], STRUCT(a BIGINT, b VARCHAR). Front ends show these
/// (table headers, DESCRIBE, ADO.NET's data type names); <see cref="DataType.ToString"/> keeps the Arrow names that
/// manifests and hashes record.
/// </summary>
public static class SqlTypeName
{
    /// <summary>The SQL name of <paramref name="type"/>.</summary>
    public static string Of(DataType type) => type switch
    {
        DictionaryType d => Of(d.ValueType),
        DecimalType d => $"DECIMAL({d.Precision},{d.Scale})",
        Decimal256Type d => $"DECIMAL({d.Precision},{d.Scale})",
        TimestampType t => (t.Unit, t.TimeZone) switch
        {
            (_, not null) => "TIMESTAMP WITH TIME ZONE",
            (TimeUnit.Second, _) => "TIMESTAMP_S",
            (TimeUnit.Millisecond, _) => "TIMESTAMP_MS",
            (TimeUnit.Nanosecond, _) => "TIMESTAMP_NS",
            _ => "TIMESTAMP",
        },
        IntervalType => "INTERVAL",
        UuidType => "UUID",
        ImageType => "IMAGE",
        EmbeddingType e => $"EMBEDDING({e.Dimension.ToString(CultureInfo.InvariantCulture)})",
        TensorType t => t.Shape is null
            ? $"TENSOR<{Of(t.DType)}>(rank {t.Rank.ToString(CultureInfo.InvariantCulture)})"
            : $"TENSOR<{Of(t.DType)}>({string.Join(", ", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})",
        FixedSizeBinaryType f => $"FIXED_SIZE_BINARY({f.ByteWidth.ToString(CultureInfo.InvariantCulture)})",
        ListType l => Of(l.ValueType) + "[]",
        FixedSizeListType f => Of(f.ValueType) + $"[{f.ListSize.ToString(CultureInfo.InvariantCulture)}]",
        StructType s => "STRUCT(" + string.Join(", ", s.Fields.Select(f => $"{Identifier(f.Name)} {Of(f.DataType)}")) + ")",
        NullType => "NULL",
        _ => type.Id switch
        {
            TypeId.Boolean => "BOOLEAN",
            TypeId.Int8 => "TINYINT",
            TypeId.Int16 => "SMALLINT",
            TypeId.Int32 => "INTEGER",
            TypeId.Int64 => "BIGINT",
            TypeId.UInt8 => "UTINYINT",
            TypeId.UInt16 => "USMALLINT",
            TypeId.UInt32 => "UINTEGER",
            TypeId.UInt64 => "UBIGINT",
            TypeId.Float32 => "FLOAT",
            TypeId.Float64 => "DOUBLE",
            TypeId.Utf8 or TypeId.LargeUtf8 => "VARCHAR",
            TypeId.Binary or TypeId.LargeBinary => "BLOB",
            TypeId.Date32 => "DATE",
            _ => type.ToString().ToUpperInvariant(),
        },
    };

    /// <summary>A field name as an identifier: quoted when it is not a plain lower-case word.</summary>
    private static string Identifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : Language.SqlIdentifier.Quote(name);
}
