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
    public const string DerivedKey = "querylake.derived";

    /// <summary>The derived columns of a dataset, bound over its columns, in schema order.</summary>
    private List<(int Index, BoundExpr Expr)> DerivedColumns(Dataset ds, string name)
    {
        var result = new List<(int, BoundExpr)>();
        var schema = ds.Schema;
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (!schema.Fields[i].Metadata.TryGetValue(DerivedKey, out var text)) continue;
            if (SqlParser.ParseScript($"SELECT {text}") is not [QueryStatement { Query.Body: SelectBody { Items: [var item] } }])
                throw new QueryLakeException("QL-CORRUPT-METADATA", $"the derived column '{schema.Fields[i].Name}' of '{name}' holds an expression that does not parse: {text}");
            var binder = NewBinder(new Dictionary<string, object?>(), [], default);
            result.Add((i, Binder.CastTo(Binder.Concrete(binder.BindExpr(item.Expr, DatasetScope(ds, name))), schema.Fields[i].DataType)));
        }
        return result;
    }

    /// <summary>Fills a dataset's derived columns in batches about to be appended (they are computed, never given).</summary>
    private IEnumerable<RecordBatch> WithDerived(Dataset ds, string name, IEnumerable<RecordBatch> batches)
    {
        var derived = DerivedColumns(ds, name);
        if (derived.Count == 0) return batches;
        var schema = ds.Schema;
        return batches.Select(b =>
        {
            var aligned = Dataset.Align(b, schema);
            var columns = aligned.Columns.ToArray();
            foreach (var (index, expr) in derived)
            {
                var current = new RecordBatch(schema, columns, aligned.Length);
                columns[index] = ExpressionEvaluator.Evaluate(expr, current);
            }
            return new RecordBatch(schema, columns, aligned.Length);
        });
    }

    private QueryResult ShowColumns(ShowColumnsStatement s) =>
        Table(s, [new Field("column_name", DataType.Utf8), new Field("column_type", DataType.Utf8), new Field("null", DataType.Utf8), new Field("derived_as", DataType.Utf8)],
            Open(s.Name, s.At).Schema.Fields.Select(f => new object?[] { f.Name, f.DataType.ToString(), f.Nullable ? "YES" : "NO", f.Metadata.GetValueOrDefault(DerivedKey) }));
}
