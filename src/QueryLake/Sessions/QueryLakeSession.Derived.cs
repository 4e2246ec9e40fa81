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

    /// <summary>The field metadata key holding the dataset version a derived column was first computed over.</summary>
    public const string DerivedReadKey = "querylake.derived.read";

    /// <summary>The field metadata key holding when a derived column was added (ISO 8601, UTC).</summary>
    public const string DerivedAtKey = "querylake.derived.at";

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

    /// <summary>The assignments of an UPDATE with the dataset's derived columns added: for the rows it changes, they
    /// are recomputed from the rows' new values (in schema order, so one derived column may use another). Assigning
    /// a derived column directly is refused. <paramref name="hit"/> tells (without side effects) whether a row
    /// changes; <paramref name="values"/> gives a batch's assigned values, one array per column.</summary>
    private Dictionary<string, Func<RecordBatch, int, object?>> AssignmentsWithDerived(Dataset ds, string name, SourceSpan at, IEnumerable<string> assigned,
        Func<RecordBatch, int, bool> hit, Func<RecordBatch, IReadOnlyDictionary<string, ArrowArray>> values)
    {
        var schema = ds.Schema;
        foreach (var column in assigned)
            if (schema.IndexOf(column) is var k and >= 0 && schema.Fields[k].Metadata.ContainsKey(DerivedKey))
                throw new SqlException("QL-DERIVED-COLUMN", at.Line, at.Column,
                    $"column '{schema.Fields[k].Name}' is derived: it is computed from {schema.Fields[k].Metadata[DerivedKey]}, not set; update the columns it is computed from");
        var result = assigned.ToDictionary(c => c, c => (Func<RecordBatch, int, object?>)((b, i) => values(b)[c].GetValue(i)), StringComparer.OrdinalIgnoreCase);
        var derived = DerivedColumns(ds, name);
        if (derived.Count == 0) return result;
        // Per batch: the changed rows with their new values, then each derived column over them.
        var cache = new System.Runtime.CompilerServices.ConditionalWeakTable<RecordBatch, Tuple<int[], ArrowArray[]>>();
        Tuple<int[], ArrowArray[]> Recompute(RecordBatch b)
        {
            var rows = Enumerable.Range(0, b.Length).Where(i => hit(b, i)).ToArray();
            var position = new int[b.Length];
            for (int j = 0; j < rows.Length; j++) position[rows[j]] = j;
            var assignedValues = rows.Length == 0 ? null : new Dictionary<string, ArrowArray>(values(b), StringComparer.OrdinalIgnoreCase);
            var columns = b.Columns.Select((c, k) => Kernels.Gather.Rows(
                assignedValues is not null && assignedValues.TryGetValue(schema.Fields[k].Name, out var v) ? v : c, rows)).ToArray();
            foreach (var (index, expr) in derived)
                columns[index] = ExpressionEvaluator.Evaluate(expr, new RecordBatch(schema, columns, rows.Length));
            return Tuple.Create(position, columns);
        }
        foreach (var (index, _) in derived)
            result[schema.Fields[index].Name] = (b, i) =>
            {
                var (position, columns) = cache.GetValue(b, Recompute);
                return columns[index].GetValue(position[i]);
            };
        return result;
    }

    private QueryResult ShowColumns(ShowColumnsStatement s) =>
        Table(s, [new Field("column_name", DataType.Utf8), new Field("column_type", DataType.Utf8), new Field("null", DataType.Utf8), new Field("derived_as", DataType.Utf8)],
            Open(s.Name, s.At).Schema.Fields.Select(f => new object?[] { f.Name, f.DataType.ToString(), f.Nullable ? "YES" : "NO", f.Metadata.GetValueOrDefault(DerivedKey) }));
}
