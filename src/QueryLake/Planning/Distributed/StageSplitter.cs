using QueryLake.Columnar;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Functions;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Distributed;

/// <summary>
/// Cuts an optimized plan for distributed execution (<see cref="StageSplit"/>). Version 1 takes a chain of one-input
/// operators over one dataset scan: the scan and the row-local operators above it (filters and projections of
/// deterministic expressions without subqueries) run on the workers, each over its fragments; then
/// <list type="bullet">
/// <item>an aggregation of count, sum, min, max and avg runs partially on each worker (per group) and finally on the
/// coordinator over the partial rows (avg as a partial sum and count);</item>
/// <item>a top-k runs on each worker with k + offset rows, and again on the coordinator;</item>
/// <item>anything else (a sort, a window, DISTINCT, other aggregates) runs on the coordinator over the workers'
/// rows.</item>
/// </list>
/// Joins, set operations and several datasets are not cut (null): the coordinator runs them itself. Workers bind the
/// same SQL against the same pinned versions, so they cut the same plan the same way.
/// </summary>
internal static class StageSplitter
{
    /// <summary>The aggregates whose partial results combine by another aggregate, with that aggregate.</summary>
    private static readonly Dictionary<string, string> Combiners = new(StringComparer.Ordinal)
    {
        ["count"] = "sum",
        ["sum"] = "sum",
        ["min"] = "min",
        ["max"] = "max",
        // avg(x): sum(x) and count(x) per worker, then their mean (AverageMerge).
        ["avg"] = "avg_merge",
    };

    public static StageSplit? Split(LogicalPlan plan)
    {
        // The chain from the root down to the scan.
        var chain = new List<LogicalPlan>();
        var node = plan;
        while (node is not ScanNode)
        {
            if (node.Inputs.Count != 1) return null;
            chain.Add(node);
            node = node.Inputs[0];
        }
        if (node is not ScanNode { Source: DatasetSource source } scan) return null;
        if (scan.Schema.Fields.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != scan.Schema.Fields.Count) return null;
        // The row-local operators right above the scan go with it.
        int top = chain.Count; // index in chain of the highest row-local node; chain.Count: the scan itself
        while (top > 0 && RowLocal(chain[top - 1])) top--;
        LogicalPlan leaf = top == chain.Count ? scan : chain[top];
        if (!Unique(leaf.Schema)) return null;
        var parent = top > 0 ? chain[top - 1] : null;

        switch (parent)
        {
            case AggregateNode agg when Decomposable(agg):
            {
                var (partial, final) = Aggregates(agg);
                return new StageSplit(partial, source.Name, source.Snapshot,
                    batches => Replace(plan, agg, final(Memory(partial.Schema, batches, null))), "partial aggregate");
            }
            case TopKNode topK:
            {
                var local = topK with { K = topK.K + topK.Offset, Offset = 0 };
                return new StageSplit(local, source.Name, source.Snapshot,
                    batches => Replace(plan, topK, topK with { Input = Memory(local.Schema, batches, null) }), "top-k");
            }
            default:
            {
                long? limit = leaf is ScanNode { Limit: { } l } ? l : null;
                return new StageSplit(leaf, source.Name, source.Snapshot,
                    batches => Replace(plan, leaf, Memory(leaf.Schema, batches, limit)), "rows");
            }
        }
    }

    /// <summary>Whether a node computes each output row from one input row alone, deterministically.</summary>
    private static bool RowLocal(LogicalPlan node) => node switch
    {
        FilterNode f => Local(f.Predicate),
        ProjectNode p => p.Exprs.All(Local),
        _ => false,
    };

    private static bool Local(BoundExpr e) => e switch
    {
        CorrelatedSubquery or OuterRef => false,
        Call c when c.Function.Volatile => false,
        _ => e.Children.All(Local),
    };

    private static bool Unique(Schema schema) =>
        schema.Fields.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() == schema.Fields.Count;

    private static bool Decomposable(AggregateNode agg) =>
        agg.Aggregates.All(a => Combiners.ContainsKey(a.Function.Name) && (!a.Distinct || a.Function.IgnoresDuplicates))
        && agg.Groups.All(Local) && agg.Aggregates.All(a => a.Arguments.All(Local));

    /// <summary>The partial aggregation (the same groups and calls, named p0, p1, …; avg as a sum and a count) and the
    /// final one over its rows: group by the partial group columns, and combine each partial column (counts and sums by
    /// sum, min by min, max by max, avg's pair by <see cref="Functions.Aggregate.AverageMerge"/>), with the original names.</summary>
    private static (AggregateNode Partial, Func<LogicalPlan, LogicalPlan> Final) Aggregates(AggregateNode agg)
    {
        var partialCalls = new List<AggregateCall>();
        var columns = new List<int[]>(); // each original aggregate's partial columns, after the groups
        int groups = agg.Groups.Count;
        foreach (var (a, i) in agg.Aggregates.Select((a, i) => (a, i)))
        {
            if (a.Function.Name == "avg")
            {
                var types = a.Arguments.Select(x => x.Type).ToList();
                var sum = FunctionRegistry.Default.Aggregate("sum")!;
                var count = FunctionRegistry.Default.Aggregate("count")!;
                columns.Add([groups + partialCalls.Count, groups + partialCalls.Count + 1]);
                partialCalls.Add(new AggregateCall(sum, a.Arguments, false, sum.Resolve(types)!, $"p{i}s"));
                partialCalls.Add(new AggregateCall(count, a.Arguments, false, count.Resolve(types)!, $"p{i}c"));
                continue;
            }
            columns.Add([groups + partialCalls.Count]);
            partialCalls.Add(a with { Name = $"p{i}", Distinct = a.Distinct && a.Function.IgnoresDuplicates });
        }
        var partial = agg with { Aggregates = partialCalls, GroupNames = agg.GroupNames.Select((_, i) => $"g{i}").ToList() };
        return (partial, input =>
        {
            var schema = input.Schema;
            var finalCalls = agg.Aggregates.Select((a, i) =>
            {
                var function = a.Function.Name == "avg" ? Functions.Aggregate.AverageMerge.Function : FunctionRegistry.Default.Aggregate(Combiners[a.Function.Name])!;
                var args = columns[i].Select(c => (BoundExpr)new ColumnRef(c, schema.Fields[c].Name, schema.Fields[c].DataType)).ToList();
                var resolution = function.Resolve(args.Select(x => x.Type).ToList()) ?? throw new InvalidOperationException($"{function.Name} does not take {string.Join(", ", args.Select(x => x.Type))}");
                return new AggregateCall(function, args, false, resolution, a.Name);
            }).ToList();
            var groupRefs = agg.Groups.Select((g, i) => (BoundExpr)new ColumnRef(i, $"g{i}", schema.Fields[i].DataType)).ToList();
            return new AggregateNode(input, groupRefs, agg.GroupNames, finalCalls);
        });
    }

    /// <summary>A scan of the workers' batches, in the order given.</summary>
    private static ScanNode Memory(Schema schema, IReadOnlyList<RecordBatch> batches, long? limit) =>
        new(new MemorySource("stage", schema, batches), schema.Fields.Select(f => f.Name).ToList(), null, limit);

    /// <summary><paramref name="plan"/> with the node <paramref name="target"/> (found by reference along the chain)
    /// replaced by <paramref name="replacement"/>.</summary>
    private static LogicalPlan Replace(LogicalPlan plan, LogicalPlan target, LogicalPlan replacement) =>
        ReferenceEquals(plan, target) ? replacement : plan.WithInputs([Replace(plan.Inputs[0], target, replacement)]);
}
