using System.Data;
using System.Data.Common;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Language;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>
/// The schema collections <see cref="QueryLakeConnection.GetSchema()"/> answers, with the column names
/// Microsoft.Data.Sqlite and Npgsql use (<c>TABLE_NAME</c>, <c>COLUMN_NAME</c>, <c>DATA_TYPE</c>, …): MetaDataCollections,
/// DataSourceInformation, DataTypes, Restrictions, ReservedWords, Tables, Columns and Views. Every answer comes from
/// the session (SHOW DATASETS, SHOW VIEWS, DESCRIBE); datasets are tables of type <c>BASE TABLE</c>.
/// </summary>
internal static class SchemaCollections
{
    private static readonly (string Name, int Restrictions)[] Collections =
    [
        (DbMetaDataCollectionNames.MetaDataCollections, 0), (DbMetaDataCollectionNames.DataSourceInformation, 0),
        (DbMetaDataCollectionNames.DataTypes, 0), (DbMetaDataCollectionNames.Restrictions, 0), (DbMetaDataCollectionNames.ReservedWords, 0),
        ("Tables", 2), ("Columns", 3), ("Views", 1),
    ];

    private static readonly (string Collection, string Restriction, int Number)[] RestrictionList =
    [
        ("Tables", "TABLE_NAME", 1), ("Tables", "TABLE_TYPE", 2),
        ("Columns", "TABLE_NAME", 1), ("Columns", "COLUMN_NAME", 2), ("Columns", "TABLE_TYPE", 3),
        ("Views", "TABLE_NAME", 1),
    ];

    /// <summary>The SQL types a column can have, with the CLR type a reader returns for each.</summary>
    private static readonly DataType[] Types =
    [
        DataType.Boolean, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt8, DataType.UInt16,
        DataType.UInt32, DataType.UInt64, DataType.Float32, DataType.Float64, new DecimalType(18, 3), DataType.Utf8, DataType.Binary,
        DataType.Date32, DataType.Timestamp(), DataType.Timestamp("UTC"), IntervalType.Instance, UuidType.Instance, new ImageType(),
        new EmbeddingType(512), DataType.List(DataType.Int64), new StructType([new Field("a", DataType.Int64)]),
    ];

    public static DataTable Get(QueryLakeSession session, string collection, string?[] restrictions)
    {
        var known = Collections.FirstOrDefault(c => string.Equals(c.Name, collection, StringComparison.OrdinalIgnoreCase));
        if (known.Name is null)
            throw new ArgumentException($"QL-BAD-ARGUMENT: there is no schema collection '{collection}'; the collections are {string.Join(", ", Collections.Select(c => c.Name))}", nameof(collection));
        if (restrictions.Length > known.Restrictions)
            throw new ArgumentException($"QL-BAD-ARGUMENT: the {known.Name} collection takes at most {known.Restrictions} restrictions, not {restrictions.Length}", nameof(restrictions));
        string? Restriction(int i) => i < restrictions.Length ? restrictions[i] : null;
        bool Matches(string value, int i) => Restriction(i) is not { } r || string.Equals(r, value, StringComparison.Ordinal);
        return known.Name switch
        {
            "MetaDataCollections" => Table("MetaDataCollections", [("CollectionName", typeof(string)), ("NumberOfRestrictions", typeof(int)), ("NumberOfIdentifierParts", typeof(int))],
                Collections.Select(c => new object?[] { c.Name, c.Restrictions, c.Restrictions == 0 ? 0 : 1 })),
            "DataSourceInformation" => Table("DataSourceInformation", [
                    ("DataSourceProductName", typeof(string)), ("DataSourceProductVersion", typeof(string)), ("DataSourceProductVersionNormalized", typeof(string)),
                    ("GroupByBehavior", typeof(GroupByBehavior)), ("IdentifierPattern", typeof(string)), ("IdentifierCase", typeof(IdentifierCase)),
                    ("OrderByColumnsInSelect", typeof(bool)), ("ParameterMarkerFormat", typeof(string)), ("ParameterMarkerPattern", typeof(string)),
                    ("ParameterNameMaxLength", typeof(int)), ("QuotedIdentifierPattern", typeof(string)), ("QuotedIdentifierCase", typeof(IdentifierCase)),
                    ("StatementSeparatorPattern", typeof(string)), ("StringLiteralPattern", typeof(string)), ("SupportedJoinOperators", typeof(SupportedJoinOperators))],
                [[
                    "QueryLake", Version(), Version(), GroupByBehavior.Unrelated, @"(^\[\p{Lo}\p{Lu}\p{Ll}_][\p{Lo}\p{Lu}\p{Ll}\p{Nd}_]*$)",
                    IdentifierCase.Insensitive, false, "${0}", @"\$[\p{Lo}\p{Lu}\p{Ll}_][\p{Lo}\p{Lu}\p{Ll}\p{Nd}_]*", 128, "\"(([^\"]|\"\")*)\"",
                    IdentifierCase.Sensitive, ";", "'(([^']|'')*)'",
                    SupportedJoinOperators.Inner | SupportedJoinOperators.LeftOuter | SupportedJoinOperators.RightOuter | SupportedJoinOperators.FullOuter,
                ]]),
            "DataTypes" => Table("DataTypes", [("TypeName", typeof(string)), ("DataType", typeof(string)), ("IsNullable", typeof(bool)), ("IsLong", typeof(bool))],
                Types.Select(t => new object?[] { Generic(SqlTypeName.Of(t)), ValueConverter.ClrType(t).FullName, true, ValueConverter.ClrType(t) == typeof(byte[]) })),
            "Restrictions" => Table("Restrictions", [("CollectionName", typeof(string)), ("RestrictionName", typeof(string)), ("RestrictionDefault", typeof(string)), ("RestrictionNumber", typeof(int))],
                RestrictionList.Select(r => new object?[] { r.Collection, r.Restriction, null, r.Number })),
            "ReservedWords" => Table("ReservedWords", [("ReservedWord", typeof(string))], SqlCompletion.Keywords.Select(k => new object?[] { k })),
            "Tables" => Table("Tables", [("TABLE_CATALOG", typeof(string)), ("TABLE_SCHEMA", typeof(string)), ("TABLE_NAME", typeof(string)), ("TABLE_TYPE", typeof(string))],
                Relations(session).Where(r => Matches(r.Name, 0) && Matches(r.Type, 1)).Select(r => new object?[] { null, null, r.Name, r.Type })),
            "Views" => Table("Views", [("TABLE_CATALOG", typeof(string)), ("TABLE_SCHEMA", typeof(string)), ("TABLE_NAME", typeof(string)), ("VIEW_DEFINITION", typeof(string))],
                session.Query("SHOW VIEWS").Rows().Where(r => Matches((string)r[0]!, 0)).Select(r => new object?[] { null, null, r[0], r[3] })),
            _ => Table("Columns", [("TABLE_CATALOG", typeof(string)), ("TABLE_SCHEMA", typeof(string)), ("TABLE_NAME", typeof(string)), ("COLUMN_NAME", typeof(string)),
                    ("ORDINAL_POSITION", typeof(int)), ("DATA_TYPE", typeof(string)), ("IS_NULLABLE", typeof(string)), ("TABLE_TYPE", typeof(string))],
                Relations(session).Where(r => Matches(r.Name, 0) && Matches(r.Type, 2)).SelectMany(r => Columns(session, r.Name, r.Type)
                    .Where(c => Matches((string)c[3]!, 1)))),
        };
    }

    private static string Version() => typeof(QueryLakeSession).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>A type name without its example parameters (DECIMAL, EMBEDDING, BIGINT[] stay as written in DDL).</summary>
    private static string Generic(string name) => name switch
    {
        _ when name.StartsWith("DECIMAL", StringComparison.Ordinal) => "DECIMAL",
        _ when name.StartsWith("EMBEDDING", StringComparison.Ordinal) => "EMBEDDING",
        _ when name.StartsWith("STRUCT", StringComparison.Ordinal) => "STRUCT",
        _ when name.EndsWith("[]", StringComparison.Ordinal) => "LIST",
        _ => name,
    };

    /// <summary>The lake's datasets (BASE TABLE) and views (VIEW), in name order.</summary>
    private static IEnumerable<(string Name, string Type)> Relations(QueryLakeSession session) =>
        session.Query("SHOW DATASETS").Rows().Select(r => ((string)r[0]!, "BASE TABLE"))
            .Concat(session.Query("SHOW VIEWS").Rows().Select(r => ((string)r[0]!, "VIEW")))
            .OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();

    private static IEnumerable<object?[]> Columns(QueryLakeSession session, string name, string type)
    {
        var rows = session.Query(type == "VIEW" ? $"DESCRIBE (SELECT * FROM {SqlIdentifier.Quote(name)})" : $"DESCRIBE {SqlIdentifier.Quote(name)}").Rows().ToList();
        return rows.Select((r, i) => new object?[] { null, null, name, r[0], i + 1, r[1], r[2], type });
    }

    private static DataTable Table(string name, (string Name, Type Type)[] columns, IEnumerable<object?[]> rows)
    {
        var table = new DataTable(name) { Locale = System.Globalization.CultureInfo.InvariantCulture };
        foreach (var (n, t) in columns) table.Columns.Add(n, t);
        foreach (var r in rows) table.Rows.Add(r.Select(v => v ?? DBNull.Value).ToArray());
        return table;
    }
}
