using QueryLake.Columnar;
using QueryLake.Execution.Distributed;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Functions;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Planning.Distributed;

/// <summary>
/// Cuts an optimized plan into stages for a cluster (<see cref="StagePlan"/>). Walking up from the leaves, a dataset
/// scan opens a parallel pipeline (one task per fragment); row-local operators (filters and projections of
/// deterministic expressions without subqueries) join the pipeline below them; then
/// <list type="bullet">
/// <item>an equi-join of two pipelines whose one side is small (estimated rows at most
/// <see cref="DistributedSettings.BroadcastRows"/>) and not preserved by the join sends that
/// side whole to every task of the other (a broadcast), whose pipeline goes on; otherwise it hash-partitions each side
/// on its join keys (the exchange) and continues as one pipeline over the partitions, a task per partition joining its
/// pair (any join kind: rows with equal keys meet in one partition, and a NULL key, which matches nothing, stays in
/// one); when the keys of one side are expected to match few of the other's rows, a Bloom filter of them drops the
/// other's unmatched rows before they are exchanged (<see cref="JoinFilter"/>);</item>
/// <item>a grouped aggregation whose groups are few (by the fragments' statistics, at most
/// <see cref="DistributedSettings.GatherGroups"/>) runs partially in the pipeline and
/// finally on the coordinator; with many groups, it partitions on the group keys — after a partial aggregation when
/// every aggregate combines (count, sum, min, max, avg), else the rows themselves — and finishes per partition;</item>
/// <item>a global aggregation runs partially in the pipeline and finally on the coordinator;</item>
/// <item>DISTINCT runs in the pipeline, partitions on all columns and runs again per partition;</item>
/// <item>a top-k runs in the pipeline with k + offset rows, and again on the coordinator;</item>
/// <item>a sort runs in the pipeline, each task sorting its rows, and the coordinator merges the tasks' sorted runs;</item>
/// <item>a window whose calls share PARTITION BY expressions partitions on them and runs per partition;</item>
/// <item>anything else (a window over one partition, LIMIT, set operations, joins without equal keys) runs on the
/// coordinator over the rows its pipelines gather.</item>
/// </list>
/// Workers bind the same SQL against the same pinned versions and cut the same plan the same way, so a stage is named by
/// its number alone. The plan's runtime join filters are left out (a filter published in one stage cannot reach another);
/// join filters between stages take their place.
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

    /// <summary>An open pipeline: a plan over one dataset scan (<paramref name="Dataset"/>) or over partitions of
    /// <paramref name="Inputs"/>, and over the whole output of the <c>Broadcast</c> stages; not yet a stage.</summary>
    private sealed record Pipeline(LogicalPlan Plan, IReadOnlyList<int> Inputs, DatasetSource? Dataset, string Kind)
    {
        public IReadOnlyList<int> Broadcast { get; init; } = [];
    }

    /// <summary>The stages being cut, and the thresholds the cut follows.</summary>
    private sealed class Cut(DistributedSettings settings) : List<Stage>
    {
        public DistributedSettings Settings { get; } = settings;
    }

    public static StagePlan Split(LogicalPlan plan, DistributedSettings settings)
    {
        var stages = new Cut(settings);
        var root = Visit(WithoutRuntimeFilters(plan), stages);
        var coordinator = root is Pipeline p ? Gather(p, stages) : (LogicalPlan)root;
        return new StagePlan(stages, coordinator);
    }

    /// <summary>A pipeline, or (a plan) what the coordinator runs.</summary>
    private static object Visit(LogicalPlan node, Cut stages)
    {
        if (node is ScanNode { Source: DatasetSource d } scan)
        {
            var pipeline = new Pipeline(scan, [], d, $"scan of {d.Name}");
            // A LIMIT pushed into the scan: each task stops at it, and so does the coordinator.
            return scan.Limit is { } limit ? new LimitNode(Gather(pipeline, stages), limit, 0) : pipeline;
        }
        if (node.Inputs.Count == 0) return node;
        var inputs = node.Inputs.Select(i => Visit(i, stages)).ToList();
        if (inputs.All(i => i is LogicalPlan)) return node.WithInputs(inputs.Cast<LogicalPlan>().ToList());

        switch (node)
        {
            case FilterNode or ProjectNode when RowLocal(node) && inputs[0] is Pipeline p:
                return p with { Plan = node.WithInputs([p.Plan]) };
            case AggregateNode agg when inputs[0] is Pipeline p:
                return Aggregate(agg with { Input = p.Plan }, p, stages);
            case TopKNode topK when inputs[0] is Pipeline p:
            {
                var local = topK with { Input = p.Plan, K = topK.K + topK.Offset, Offset = 0 };
                return topK with { Input = Gather(p with { Plan = local, Kind = p.Kind + ", top-k" }, stages) };
            }
            case SortNode sort when inputs[0] is Pipeline p && sort.Keys.All(k => Local(k.Expr)):
            {
                // Each task sorts its rows; the coordinator merges the tasks' sorted runs.
                int stage = Close(p with { Plan = sort with { Input = p.Plan }, Kind = p.Kind + ", sort" }, null, stages);
                return Exchange(stage, stages, sort.Keys);
            }
            case DistinctNode distinct when inputs[0] is Pipeline p:
            {
                var local = new DistinctNode(p.Plan);
                var keys = Columns(local.Schema);
                int stage = Close(p with { Plan = local, Kind = p.Kind + ", distinct" }, keys, stages);
                return new Pipeline(new DistinctNode(Exchange(stage, stages)), [stage], null, "distinct");
            }
            case WindowNode window when inputs[0] is Pipeline p && WindowKeys(window) is { Count: > 0 } keys:
            {
                // Every window partition lies whole in one exchange partition: rows partitioned on the keys all the
                // calls partition by, each task computes its windows.
                int stage = Close(p, keys, stages);
                return new Pipeline(window with { Input = Exchange(stage, stages) }, [stage], null, "window");
            }
            case JoinNode join when inputs[0] is Pipeline l && inputs[1] is Pipeline r && Partitionable(join) is var (lk, rk):
            {
                // A small side that the join does not preserve goes whole to every task of the other side's pipeline,
                // which then continues without an exchange.
                if (join.Kind is JoinKind.Inner or JoinKind.Left or JoinKind.Semi or JoinKind.Anti && Small(r, l, stages))
                {
                    int small = Close(r, [], stages);
                    return l with { Plan = join with { Left = l.Plan, Right = Exchange(small, stages) }, Broadcast = [.. l.Broadcast, small], Kind = l.Kind + ", " + Joined(join) };
                }
                if (join.Kind is JoinKind.Inner or JoinKind.Right && Small(l, r, stages))
                {
                    int small = Close(l, [], stages);
                    return r with { Plan = join with { Left = Exchange(small, stages), Right = r.Plan }, Broadcast = [.. r.Broadcast, small], Kind = r.Kind + ", " + Joined(join) };
                }
                int left = Close(l, lk, stages), right = Close(r, rk, stages);
                if (stages.Settings.JoinFilters) JoinFilter(join.Kind, left, right, stages);
                return new Pipeline(join with { Left = Exchange(left, stages), Right = Exchange(right, stages) }, [left, right], null, Joined(join));
            }
            default:
                return node.WithInputs(inputs.Select(i => i is Pipeline p ? Gather(p, stages) : (LogicalPlan)i).ToList());
        }
    }

    private static object Aggregate(AggregateNode agg, Pipeline p, Cut stages)
    {
        if (!agg.Groups.All(Local) || !agg.Aggregates.All(a => a.Arguments.All(Local)))
            return agg with { Input = Gather(p, stages) };
        bool combines = Decomposable(agg);
        if (agg.Groups.Count == 0)
        {
            if (!combines) return agg with { Input = Gather(p, stages) };
            var (partial, final) = Aggregates(agg);
            return final(Gather(p with { Plan = partial, Kind = p.Kind + ", partial aggregate" }, stages));
        }
        if (combines)
        {
            var (partial, final) = Aggregates(agg);
            if (Groups(agg) <= stages.Settings.GatherGroups) return final(Gather(p with { Plan = partial, Kind = p.Kind + ", partial aggregate" }, stages));
            int stage = Close(p with { Plan = partial, Kind = p.Kind + ", partial aggregate" }, Columns(partial.Schema).Take(agg.Groups.Count).ToList(), stages);
            return new Pipeline(final(Exchange(stage, stages)), [stage], null, "final aggregate");
        }
        int rows = Close(p, agg.Groups, stages);
        return new Pipeline(agg with { Input = Exchange(rows, stages) }, [rows], null, "aggregate");
    }

    /// <summary>An estimate of an aggregation's groups: the product of its group columns' distinct values (traced through
    /// filters, projections and joins to the dataset's statistics), bounded by its input's rows.</summary>
    private static double Groups(AggregateNode agg)
    {
        double groups = 1;
        foreach (var g in agg.Groups)
        {
            if (g is not ColumnRef c || Distinct(agg.Input, c.Index) is not { } n) return agg.Input.EstimatedRows ?? double.MaxValue;
            groups *= n;
        }
        return Math.Min(groups, agg.Input.EstimatedRows ?? double.MaxValue);
    }

    private static long? Distinct(LogicalPlan p, int column) => p switch
    {
        JoinNode j when j.Kind is not (JoinKind.Semi or JoinKind.Anti) => column < j.Left.Schema.Fields.Count
            ? Distinct(j.Left, column) : Distinct(j.Right, column - j.Left.Schema.Fields.Count),
        JoinNode j => Distinct(j.Left, column),
        FilterNode f => Distinct(f.Input, column),
        ProjectNode pr => pr.Exprs[column] is ColumnRef r ? Distinct(pr.Input, r.Index) : null,
        ScanNode { Source: StageSource } => null,
        ScanNode => Cardinality.DistinctBound(p, column),
        _ => null,
    };

    /// <summary>The PARTITION BY expressions every call of a window shares (none: a call without PARTITION BY, or calls
    /// that share none), when every expression of every call is deterministic and reads no outer row.</summary>
    private static List<BoundExpr> WindowKeys(WindowNode window)
    {
        if (!window.Calls.All(c => c.Arguments.All(Local) && c.PartitionBy.All(Local) && c.OrderBy.All(k => Local(k.Expr))))
            return [];
        // Compared by their text, which names columns by position: calls bind their keys apart.
        var shared = window.Calls[0].PartitionBy.DistinctBy(k => k.ToString()).ToList();
        foreach (var call in window.Calls.Skip(1)) shared.RemoveAll(k => !call.PartitionBy.Any(o => o.ToString() == k.ToString()));
        return shared;
    }

    private static string Joined(JoinNode join) => $"{join.Kind.ToString().ToLowerInvariant()} join";

    /// <summary>Whether <paramref name="side"/> goes whole to every task of <paramref name="other"/>: never when
    /// broadcasts are off (<c>cluster_broadcast_rows</c> 0); else when its estimated rows are at most
    /// <c>cluster_broadcast_rows</c>, or when sending it to each of the other side's tasks moves fewer rows than
    /// partitioning the other side would (its rows × the other's tasks ≤ the other's rows), up to
    /// <see cref="BroadcastCeiling"/> rows, which every task then holds.</summary>
    private static bool Small(Pipeline side, Pipeline other, Cut stages)
    {
        long limit = stages.Settings.BroadcastRows;
        if (limit == 0 || side.Plan.EstimatedRows is not { } n) return false;
        if (n <= limit) return true;
        int tasks = other.Dataset is { } d ? Math.Max(1, d.Snapshot.Fragments.Count) : AssumedPartitions;
        return n <= BroadcastCeiling && other.Plan.EstimatedRows is { } m && (double)n * tasks <= m;
    }

    /// <summary>The share of a join side's rows at most that the other side's keys are expected to keep, for that side
    /// to be filtered by them before its exchange.</summary>
    private const double MostKept = 0.5;

    /// <summary>The most distinct keys a join filter is built for: its filter then takes 4 MiB, which every task of the
    /// side it filters receives.</summary>
    private const long MostFilterValues = 2_000_000;

    /// <summary>A join filter between the two partitioned sides of a join (stages <paramref name="left"/> and
    /// <paramref name="right"/>): the side whose rows the join drops when they have no match (both for an inner join,
    /// the right for a left or anti join, either for a semi join, the left for a right join) and that the other's keys
    /// are expected to thin the most — at most <see cref="MostKept"/> of its rows kept, by the distinct keys each
    /// side holds (the smaller set contained in the larger) — waits for the other, whose tasks build a Bloom filter of
    /// their keys, and writes only the rows whose keys may be in it. Nothing is decided without the statistics to
    /// estimate the filtered side's distinct keys.</summary>
    private static void JoinFilter(JoinKind kind, int left, int right, Cut stages)
    {
        bool filterLeft = kind is JoinKind.Inner or JoinKind.Right or JoinKind.Semi;
        bool filterRight = kind is JoinKind.Inner or JoinKind.Left or JoinKind.Semi or JoinKind.Anti;
        var (l, r) = (stages[left], stages[right]);
        double keepLeft = filterLeft ? Kept(l, r) : 1, keepRight = filterRight ? Kept(r, l) : 1;
        var (filtered, by) = keepLeft <= keepRight ? (left, right) : (right, left);
        if (Math.Min(keepLeft, keepRight) > MostKept) return;
        long values = TupleValues(stages[by]);
        if (values > MostFilterValues) return;
        stages[filtered] = stages[filtered] with { FilteredBy = by };
        stages[by] = stages[by] with { FilterValues = Math.Max(1, values) };
    }

    /// <summary>The share of <paramref name="side"/>'s rows whose keys <paramref name="other"/> is expected to hold: for
    /// the key it is smallest on, the other's distinct values over this side's (1: not known).</summary>
    private static double Kept(Stage side, Stage other)
    {
        double kept = 1;
        for (int k = 0; k < side.PartitionKeys!.Count; k++)
            if (KeyValues(side, k, bound: false) is { } mine && mine > 0 && KeyValues(other, k, bound: true) is { } theirs)
                kept = Math.Min(kept, (double)theirs / mine);
        return kept;
    }

    /// <summary>The distinct values of a stage's partition key <paramref name="k"/>: the column's (traced to the
    /// dataset's statistics), at most the stage's rows; with <paramref name="bound"/>, the stage's rows when the column's
    /// are not known.</summary>
    private static long? KeyValues(Stage stage, int k, bool bound)
    {
        long? rows = stage.Plan.EstimatedRows;
        if (stage.PartitionKeys![k] is ColumnRef c && Distinct(stage.Plan, c.Index) is { } d) return rows is { } n ? Math.Min(d, n) : d;
        return bound ? rows : null;
    }

    /// <summary>The distinct key tuples of a stage: the product of its keys' distinct values, at most its rows.</summary>
    private static long TupleValues(Stage stage)
    {
        double product = 1;
        for (int k = 0; k < stage.PartitionKeys!.Count; k++) product *= KeyValues(stage, k, bound: true) ?? double.MaxValue;
        return (long)Math.Min(product, stage.Plan.EstimatedRows ?? long.MaxValue);
    }

    /// <summary>The most estimated rows a join side is broadcast with, however large the other side.</summary>
    private const long BroadcastCeiling = 4_000_000;

    /// <summary>The tasks an exchange pipeline is assumed to have when the cut is planned (partitions follow the live
    /// silos, known only when it runs).</summary>
    private const int AssumedPartitions = 8;

    /// <summary>The join's equality keys on each side when it can run per partition: a join with at least one equality
    /// key (a hash join), whose condition is deterministic and reads no outer row.</summary>
    private static (List<BoundExpr> Left, List<BoundExpr> Right)? Partitionable(JoinNode join)
    {
        if (join.Kind == JoinKind.Cross || join.Condition is null || !Local(join.Condition)) return null;
        var (left, right, _) = JoinCondition.Split(join.Condition, join.Left.Schema.Fields.Count);
        return left.Count == 0 ? null : (left, right);
    }

    /// <summary>Closes a pipeline as a stage whose rows are partitioned on <paramref name="keys"/> (none: one
    /// partition, broadcast; null: gathered).</summary>
    private static int Close(Pipeline p, IReadOnlyList<BoundExpr>? keys, Cut stages)
    {
        int id = stages.Count;
        stages.Add(new Stage(id, p.Plan, p.Inputs, keys, p.Kind, p.Dataset) { Broadcast = p.Broadcast });
        return id;
    }

    /// <summary>Closes a pipeline as a stage whose rows go to the coordinator, and reads them there.</summary>
    private static LogicalPlan Gather(Pipeline p, Cut stages) => Exchange(Close(p, null, stages), stages);

    /// <summary>A scan of a stage's rows, with the stage's column names (made unique for the scan when they repeat); with
    /// <paramref name="merge"/>, the stage's tasks' sorted runs merged on those keys.</summary>
    private static LogicalPlan Exchange(int stage, Cut stages, IReadOnlyList<SortKey>? merge = null)
    {
        var plan = stages[stage].Plan;
        var fields = plan.Schema.Fields;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = fields.Select((f, i) => seen.Add(f.Name) ? f.Name : $"{f.Name}#{i}").ToList();
        var schema = new Schema(fields.Select((f, i) => f.WithName(names[i])).ToList());
        var scan = new ScanNode(new StageSource(stage, schema, plan.EstimatedRows, merge), names);
        if (names.SequenceEqual(fields.Select(f => f.Name))) return scan;
        return new ProjectNode(scan, fields.Select((f, i) => (BoundExpr)new ColumnRef(i, names[i], f.DataType)).ToList(), fields.Select(f => f.Name).ToList());
    }

    private static List<BoundExpr> Columns(Schema schema) =>
        schema.Fields.Select((f, i) => (BoundExpr)new ColumnRef(i, f.Name, f.DataType)).ToList();

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

    private static LogicalPlan WithoutRuntimeFilters(LogicalPlan plan)
    {
        var inputs = plan.Inputs.Select(WithoutRuntimeFilters).ToList();
        var node = inputs.Count == 0 ? plan : plan.WithInputs(inputs);
        return node is JoinNode j && (j.Publishes.Count > 0 || j.Applies.Count > 0) ? j with { Publishes = [], Applies = [] } : node;
    }

    private static bool Decomposable(AggregateNode agg) =>
        agg.Aggregates.All(a => Combiners.ContainsKey(a.Function.Name) && (!a.Distinct || a.Function.IgnoresDuplicates));

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
}
