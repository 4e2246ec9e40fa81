using QueryLake.Columnar;
using QueryLake.Execution.Operators.Distinct;
using QueryLake.Execution.Operators.Filter;
using QueryLake.Execution.Operators.HashAggregate;
using QueryLake.Execution.Operators.HashJoin;
using QueryLake.Execution.Operators.Limit;
using QueryLake.Execution.Operators.Project;
using QueryLake.Execution.Operators.Scan;
using QueryLake.Execution.Operators.SetOperation;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Execution.Operators.TopK;
using QueryLake.Execution.Operators.Values;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution;

/// <summary>Turns an optimized plan into a pull-based pipeline of operators and runs it.</summary>
/// <remarks>Inside the pipeline a text column may flow dictionary-encoded (indices into a shared dictionary, as scans
/// read it from storage): operators that can work on the indices do, the rest decode. <see cref="Results"/> is what
/// leaves the engine, always decoded.</remarks>
internal static class Executor
{
    /// <summary>Runs a plan for a caller outside the pipeline: every column in the plan's own types. Operators that run
    /// on the caller's thread see the query's thread count as <see cref="Parallel.Degree"/>.
    /// The query's spill files are deleted when the results end, however they end.</summary>
    public static IEnumerable<RecordBatch> Results(LogicalPlan plan, QueryContext ctx)
    {
        try
        {
            using var batches = Run(plan, ctx).GetEnumerator();
            while (ctx.Within(() => Parallel.WithDegree(ctx.Threads, batches.MoveNext)))
                yield return Kernels.Vectors.Plain(batches.Current);
        }
        finally { ctx.Dispose(); }
    }

    public static IEnumerable<RecordBatch> Run(LogicalPlan plan, QueryContext ctx) => ctx.Measure(plan, plan switch
    {
        ScanNode s => ScanOperator.Execute(s, ctx),
        ValuesNode v => ValuesOperator.Execute(v, ctx),
        FilterNode f => FilterOperator.Execute(f, Run(f.Input, ctx), ctx),
        ProjectNode { Input: ScanNode { Filter: not null, Limit: null } s } p => ScanOperator.ExecuteProjected(s, p, ctx),
        ProjectNode { Input: JoinNode j } p => ProjectOperator.Execute(p, Join(j, ctx, p.Exprs), ctx),
        ProjectNode p => ProjectOperator.Execute(p, Run(p.Input, ctx), ctx),
        // An aggregation straight over a scan takes lent batches: it keeps nothing of them (docs/parquet.md).
        AggregateNode { Input: ScanNode s } a => HashAggregateOperator.Execute(a, ctx.Measure(s, ScanOperator.Execute(s, ctx, lend: true)), ctx, lent: true),
        // Over a join, only the columns the aggregation reads are built (join keys nobody reads are not).
        AggregateNode { Input: JoinNode j } a => HashAggregateOperator.Execute(a, Join(j, ctx, a.Groups.Concat(a.Aggregates.SelectMany(x => x.Arguments))), ctx),
        AggregateNode a => HashAggregateOperator.Execute(a, Run(a.Input, ctx), ctx),
        SortNode s => SortOperator.Execute(s, Run(s.Input, ctx), ctx),
        // A top-k over a projection keeps only the projected candidate rows (copies), so it takes lent batches too.
        TopKNode { Input: ProjectNode p } t => TopKOperator.ExecuteProjected(t, p, map => RunSelected(p.Input, map, ctx, lend: true), ctx, lent: true),
        TopKNode t => TopKOperator.Execute(t, Run(t.Input, ctx), ctx),
        LimitNode l => LimitOperator.Execute(l, Run(l.Input, ctx), ctx),
        JoinNode j => Join(j, ctx, null),
        SetOperationNode s => SetOperationOperator.Execute(s, Run(s.Left, ctx), Run(s.Right, ctx), ctx),
        DistinctNode d => DistinctOperator.Execute(d, Run(d.Input, ctx), ctx),
        WindowNode w => Operators.Window.WindowOperator.Execute(w, Run(w.Input, ctx), ctx),
        SampleNode s => Operators.Sample.SampleOperator.Execute(s, Run(s.Input, ctx), ctx),
        UnnestNode u => Operators.Unnest.UnnestOperator.Execute(u, Run(u.Input, ctx), ctx),
        _ => throw new InvalidOperationException($"no operator for {plan.GetType().Name}"),
    });

    /// <summary>A join; with <paramref name="reads"/>, its consumer reads only the columns they refer to. The runtime
    /// filters it publishes (<see cref="JoinNode.Publishes"/>) are in scope while its left input's pipeline is built,
    /// so the joins there that apply them (<see cref="JoinNode.Applies"/>) find this run's filters.</summary>
    private static IEnumerable<RecordBatch> Join(JoinNode j, QueryContext ctx, IEnumerable<Planning.Expressions.BoundExpr>? reads)
    {
        var publish = j.Publishes.Select(_ => new RuntimeFilter.Slot()).ToArray();
        var apply = j.Applies.Select(a => (a.Column, Slot: FindFilter(a.Id))).Where(a => a.Slot is not null).Select(a => (a.Column, a.Slot!)).ToArray();
        var scope = t_filters;
        for (int f = 0; f < publish.Length; f++) t_filters = new FilterScope(j.Publishes[f].Id, publish[f], t_filters);
        IEnumerable<RecordBatch> left;
        try { left = Run(j.Left, ctx); }
        finally { t_filters = scope; }
        var needed = reads?.SelectMany(Planning.Expressions.ExpressionRewriter.Columns).ToHashSet();
        var joined = HashJoinOperator.Execute(j, left, Run(j.Right, ctx), ctx, needed, publish, apply);
        return reads is null ? joined : ctx.Measure(j, joined);
    }

    /// <summary>The runtime filters of the joins whose left input's pipeline is being built on this thread.</summary>
    [ThreadStatic] private static FilterScope? t_filters;

    private sealed record FilterScope(int Id, RuntimeFilter.Slot Slot, FilterScope? Outer);

    private static RuntimeFilter.Slot? FindFilter(int id)
    {
        for (var s = t_filters; s is not null; s = s.Outer) if (s.Id == id) return s.Slot;
        return null;
    }

    /// <summary>Runs a plan and maps each of its batches, with the rows of it that count (null: all), through
    /// <paramref name="map"/>, several batches at once: a filtered scan passes the rows its filter keeps without
    /// gathering them, so the consumer can read just those rows in place.</summary>
    /// <remarks>With <paramref name="lend"/>, a scan's batches may come lent (<see cref="ScanOperator.Execute"/>), and
    /// <paramref name="map"/> must release each once it keeps nothing of it.</remarks>
    private static IEnumerable<T> RunSelected<T>(LogicalPlan plan, Func<RecordBatch, int[]?, T> map, QueryContext ctx, bool lend = false) => plan switch
    {
        ScanNode { Filter: not null, Limit: null } s => ScanOperator.ExecuteSelected(s, map, ctx, lend),
        ScanNode s when lend => Parallel.OrderedMap(ctx.Measure(s, ScanOperator.Execute(s, ctx, lend: true)).Where(b => b.Length > 0), b => map(b, null), ctx.Threads, ctx.Cancel),
        _ => Parallel.OrderedMap(Run(plan, ctx).Where(b => b.Length > 0), b => map(b, null), ctx.Threads, ctx.Cancel),
    };
}
