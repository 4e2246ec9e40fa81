using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Reads only the columns a query uses: walks the plan from the top with the set of columns each node's
/// parent needs, drops unused projections, and narrows scans, so blob columns are never read unless selected.
/// </summary>
internal sealed class ProjectionPushdown : IOptimizerRule
{
    public string Name => "projection_pushdown";

    public LogicalPlan Apply(LogicalPlan plan) => Prune(plan, All(plan)).Plan;

    private static HashSet<int> All(LogicalPlan p) => Enumerable.Range(0, p.Schema.Fields.Count).ToHashSet();

    private static IEnumerable<int> Cols(BoundExpr? e) => e is null ? [] : ExpressionRewriter.Columns(e);

    private static BoundExpr Remap(BoundExpr e, int[] map) => ExpressionRewriter.RemapColumns(e, i => map[i]);

    /// <summary>Returns the pruned plan and, for each old output column, its new index (-1 when dropped).
    /// <paramref name="projected"/>: the parent is a projection (which computes its columns for the rows a filtered
    /// scan keeps, so the scan needs no projection of its own).</summary>
    private static (LogicalPlan Plan, int[] Map) Prune(LogicalPlan plan, ISet<int> required, bool projected = false)
    {
        switch (plan)
        {
            case ScanNode s:
            {
                var need = required.Concat(Cols(s.Filter)).ToHashSet();
                if (need.Count == 0) need.Add(0);
                var keep = Enumerable.Range(0, s.Columns.Count).Where(need.Contains).ToList();
                var map = Map(s.Columns.Count, keep);
                var narrowed = s with { Columns = keep.Select(i => s.Columns[i]).ToList(), Filter = s.Filter is null ? null : Remap(s.Filter, map) };
                // Text, blobs or nested values read only by the filter are not carried past it: a projection of the
                // other columns takes just the kept rows of those (a filter on o_comment keeps 97% of 1.5M comments).
                var filterOnly = keep.Where(i => !required.Contains(i)).ToList();
                if (projected || filterOnly.Count == 0 || required.Count == 0 || !filterOnly.Any(i => !s.Schema.Fields[i].DataType.IsFlat || s.Schema.Fields[i].DataType.StorageType is Columnar.Types.VariableBinaryType))
                    return (narrowed, map);
                var outputs = keep.Where(required.Contains).ToList();
                var projection = new ProjectNode(narrowed, outputs.Select(i => (BoundExpr)new ColumnRef(map[i], s.Columns[i], s.Schema.Fields[i].DataType)).ToList(),
                    outputs.Select(i => s.Columns[i]).ToList());
                return (projection, Map(s.Columns.Count, outputs));
            }
            case FilterNode f:
            {
                var (input, map) = Prune(f.Input, required.Concat(Cols(f.Predicate)).ToHashSet());
                return (new FilterNode(input, Remap(f.Predicate, map)), map);
            }
            case ProjectNode p:
            {
                var keep = Enumerable.Range(0, p.Exprs.Count).Where(required.Contains).ToList();
                var (input, map) = Prune(p.Input, keep.SelectMany(i => Cols(p.Exprs[i])).ToHashSet(), projected: true);
                return (new ProjectNode(input, keep.Select(i => Remap(p.Exprs[i], map)).ToList(), keep.Select(i => p.Names[i]).ToList()), Map(p.Exprs.Count, keep));
            }
            case AggregateNode a:
            {
                var need = a.Groups.SelectMany(Cols).Concat(a.Aggregates.SelectMany(c => c.Arguments.SelectMany(Cols))).ToHashSet();
                var (input, map) = Prune(a.Input, need);
                return (a with
                {
                    Input = input,
                    Groups = a.Groups.Select(g => Remap(g, map)).ToList(),
                    Aggregates = a.Aggregates.Select(c => c with { Arguments = c.Arguments.Select(x => Remap(x, map)).ToList() }).ToList(),
                }, Identity(a.Schema.Fields.Count));
            }
            case SortNode s:
            {
                var (input, map) = Prune(s.Input, required.Concat(s.Keys.SelectMany(k => Cols(k.Expr))).ToHashSet());
                return (new SortNode(input, s.Keys.Select(k => k with { Expr = Remap(k.Expr, map) }).ToList()), map);
            }
            case TopKNode t:
            {
                var (input, map) = Prune(t.Input, required.Concat(t.Keys.SelectMany(k => Cols(k.Expr))).ToHashSet());
                return (t with { Input = input, Keys = t.Keys.Select(k => k with { Expr = Remap(k.Expr, map) }).ToList() }, map);
            }
            case LimitNode l:
            {
                var (input, map) = Prune(l.Input, required);
                return (l with { Input = input }, map);
            }
            case JoinNode j:
            {
                int lw = j.Left.Schema.Fields.Count;
                var need = (j.Kind is JoinKind.Semi or JoinKind.Anti ? required.Where(i => i < lw) : required).Concat(Cols(j.Condition)).ToHashSet();
                var (left, lmap) = Prune(j.Left, need.Where(i => i < lw).ToHashSet());
                var (right, rmap) = Prune(j.Right, need.Where(i => i >= lw).Select(i => i - lw).ToHashSet());
                int newLw = left.Schema.Fields.Count;
                var combined = lmap.Concat(rmap.Select(i => i < 0 ? -1 : i + newLw)).ToArray();
                var joined = new JoinNode(left, right, j.Kind, j.Condition is null ? null : Remap(j.Condition, combined)) { Estimate = j.Estimate };
                return (joined, j.Kind is JoinKind.Semi or JoinKind.Anti ? lmap : combined);
            }
            case SampleNode sm:
            {
                // A sample passes rows through whole; it reads only its key and weight.
                var keep = required.Concat(Cols(sm.Key)).Concat(Cols(sm.Weight)).Distinct().Order().ToList();
                var (input, map) = Prune(sm.Input, keep.ToHashSet());
                return (sm with { Input = input, Key = sm.Key is null ? null : Remap(sm.Key, map), Weight = sm.Weight is null ? null : Remap(sm.Weight, map) }, map);
            }
            default:
            {
                // Distinct, set operations and VALUES need every column of their inputs.
                var inputs = plan.Inputs.Select(i => Prune(i, All(i)).Plan).ToList();
                return (inputs.Count == 0 ? plan : plan.WithInputs(inputs), Identity(plan.Schema.Fields.Count));
            }
        }
    }

    private static int[] Map(int count, List<int> keep)
    {
        var map = Enumerable.Repeat(-1, count).ToArray();
        for (int i = 0; i < keep.Count; i++) map[keep[i]] = i;
        return map;
    }

    private static int[] Identity(int count) => Enumerable.Range(0, count).ToArray();
}
