using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Language.Parsing;
using QueryLake.Planning.Expressions;
using QueryLake.Storage;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>The field metadata key that marks a derived column and holds its expression.</summary>
    public const string DerivedKey = Binder.DerivedKey;

    /// <summary>The field metadata key holding the dataset version a derived column was first computed over.</summary>
    public const string DerivedReadKey = "querylake.derived.read";

    /// <summary>The field metadata key holding when a derived column was added (ISO 8601, UTC).</summary>
    public const string DerivedAtKey = "querylake.derived.at";

    /// <summary>The derived columns of a dataset, bound over its columns, in schema order.</summary>
    private List<(int Index, BoundExpr Expr)> DerivedColumns(Dataset ds, string name) =>
        NewBinder(new Dictionary<string, object?>(), [], default).DerivedColumns(ds, name);

    private QueryResult ShowColumns(ShowColumnsStatement s) =>
        Table(s, [new Field("column_name", DataType.Utf8), new Field("column_type", DataType.Utf8), new Field("null", DataType.Utf8), new Field("derived_as", DataType.Utf8)],
            Open(s.Name, s.At).Schema.Fields.Select(f => new object?[] { f.Name, SqlTypeName.Of(f.DataType), f.Nullable ? "YES" : "NO", f.Metadata.GetValueOrDefault(DerivedKey) }));
}
