using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Execution;
using QueryLake.Kernels;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>
    /// UPDATE ds SET col = expr, … FROM source WHERE …: labels that arrive after the data. The WHERE must equate at
    /// least one dataset column with a source column; those equalities find each row's source row through a hash
    /// table, the rest of the WHERE filters the pairs, and the SET expressions see both sides. A dataset row that
    /// matches two source rows is an error (the new value would be ambiguous); rows without a match keep their values.
    /// </summary>
    private QueryResult UpdateFrom(Binder binder, UpdateStatement u, CancellationToken cancel)
    {
        var ds = Open(u.Name, u.At);
        var dsScope = DatasetScope(ds, u.Name);
        var (sourcePlan, sourceScope) = binder.BindSource(u.From!);
        var scope = dsScope.Concat(sourceScope);
        int width = dsScope.Columns.Count;
        if (u.Where is null) throw new SqlException("QL-BAD-ARGUMENT", u.At.Line, u.At.Column, "UPDATE … FROM needs a WHERE that matches dataset rows to source rows");
        var where = binder.BindExpr(u.Where, scope);
        var keys = new List<(int Dataset, int Source)>();
        var residual = new List<BoundExpr>();
        foreach (var c in ExpressionRewriter.Conjuncts(where))
        {
            if (c is Call { Function.Name: "=", Args: [ColumnRef a, ColumnRef b] } && (a.Index < width) != (b.Index < width))
                keys.Add(a.Index < width ? (a.Index, b.Index - width) : (b.Index, a.Index - width));
            else residual.Add(c);
        }
        if (keys.Count == 0)
            throw new SqlException("QL-BAD-ARGUMENT", u.At.Line, u.At.Column, "UPDATE … FROM needs an equality between a dataset column and a source column in WHERE");
        var sets = u.Set.ToDictionary(x => x.Column, x =>
        {
            var field = ds.Schema.IndexOf(x.Column) is var k and >= 0 ? ds.Schema.Fields[k]
                : throw new SqlException("QL-COLUMN-NOT-FOUND", u.At.Line, u.At.Column, $"dataset '{u.Name}' has no column '{x.Column}'" + Scope.Suggest(x.Column, ds.Schema.Fields.Select(f => f.Name)));
            return Binder.CastTo(Binder.Concrete(binder.BindExpr(x.Value, scope)), field.DataType);
        });
        var filter = residual.Count == 0 ? null : residual.Aggregate(ExpressionRewriter.And);

        // The source rows, hashed by their key values.
        var plan = LogicalOptimizer.Optimize(sourcePlan, DisabledRules);
        var source = Executor.Results(plan, Context(cancel)).Where(b => b.Length > 0).ToList();
        var index = new Dictionary<string, (int Batch, int Row)>(StringComparer.Ordinal);
        var duplicate = new HashSet<string>(StringComparer.Ordinal);
        for (int bi = 0; bi < source.Count; bi++)
            for (int r = 0; r < source[bi].Length; r++)
            {
                var key = Key(keys.Select(k => source[bi].Columns[k.Source]), r);
                if (key is null) continue; // NULL never equals anything
                if (!index.TryAdd(key, (bi, r))) duplicate.Add(key);
            }

        // Per dataset batch: each row's source row, the two sides side by side, then WHERE and SET vectorized.
        var cache = new System.Runtime.CompilerServices.ConditionalWeakTable<RecordBatch, Tuple<bool[], Dictionary<string, ArrowArray>>>();
        (bool[] Hit, Dictionary<string, ArrowArray> Values) Prepare(RecordBatch b) => cache.GetValue(b, _ => { var (hit, values) = PrepareBatch(b); return Tuple.Create(hit, values); }).ToValueTuple();
        (bool[], Dictionary<string, ArrowArray>) PrepareBatch(RecordBatch b)
        {
            var picks = new Gather.Pick[b.Length];
            var matched = new bool[b.Length];
            for (int r = 0; r < b.Length; r++)
            {
                var key = Key(keys.Select(k => b.Columns[k.Dataset]), r);
                if (key is null || !index.TryGetValue(key, out var at)) continue;
                if (duplicate.Contains(key))
                    throw new SqlException("QL-AMBIGUOUS-UPDATE", u.At.Line, u.At.Column, $"a row of '{u.Name}' matches more than one source row (key {key}); the new value would be ambiguous");
                picks[r] = new Gather.Pick(at.Batch, at.Row);
                matched[r] = true;
            }
            if (source.Count == 0) return (matched, new Dictionary<string, ArrowArray>());
            var columns = b.Columns.Concat(sourcePlan.Schema.Fields.Select((f, c) => Gather.Rows(f.DataType, source.Select(s => s.Columns[c]).ToList(), picks))).ToList();
            var both = new RecordBatch(new Schema(ds.Schema.Fields.Concat(sourcePlan.Schema.Fields.Select((f, c) => f.WithName("__source_" + c))).ToList()), columns, b.Length);
            var hit = matched.ToArray();
            if (filter is not null)
            {
                var ok = ExpressionEvaluator.Evaluate(filter, both);
                for (int r = 0; r < hit.Length; r++) hit[r] &= Vectors.IsTrue(ok, r);
            }
            return (hit, sets.ToDictionary(kv => kv.Key, kv => ExpressionEvaluator.Evaluate(kv.Value, both)));
        }
        var assignments = AssignmentsWithDerived(ds, u.Name, u.At, sets.Keys, (b, i) => Prepare(b).Hit[i], b => Prepare(b).Values);
        long updated = 0;
        ds.Update((b, i) =>
        {
            bool hit = Prepare(b).Hit[i];
            if (hit) updated++;
            return hit;
        }, assignments);
        return Count(u, updated);
    }

    /// <summary>A row's key as canonical text; null when any part is NULL.</summary>
    private static string? Key(IEnumerable<ArrowArray> columns, int r)
    {
        var parts = new List<string>();
        foreach (var c in columns)
        {
            var v = c.GetValue(r);
            if (v is null) return null;
            parts.Add(v is long or int or short or sbyte or byte or ushort or uint or double or float
                ? QueryLake.Splits.SplitAssigner.Canonical(Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture))
                : QueryLake.Splits.SplitAssigner.Canonical(v));
        }
        return string.Join("\u001e", parts);
    }
}
