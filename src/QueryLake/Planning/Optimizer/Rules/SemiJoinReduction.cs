using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// An aggregate joined on its group keys computes only the groups the other side can match: for a join (inner, or
/// left with the aggregate on the right) whose equalities put group keys of an aggregate against columns that the
/// other side reads unchanged from a scan, the aggregate's input is first semi-joined with that scan's values of those
/// columns, when the scan holds fewer values than the aggregate has groups. This is what a decorrelated subquery needs
/// (TPC-H q17: <c>avg(l_quantity)</c> per part of all six million lineitems, of which the outer query wants the 2,000
/// parts of one brand and container), a "magic set" in the literature. The scan is read a second time, so only scans
/// qualify, and with their own filters: their values are a superset of the keys that reach the join (a filter or join
/// above the scan only removes rows), so no group the join could match is lost.
/// </summary>
internal sealed class SemiJoinReduction : IOptimizerRule
{
    public string Name => "semi_join_reduction";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p =>
    {
        if (p is not JoinNode { Kind: JoinKind.Inner or JoinKind.Left, Right: AggregateNode { Groups.Count: > 0 } agg } j) return p;
        var (leftKeys, rightKeys, _) = JoinCondition.Split(j.Condition, j.Left.Schema.Fields.Count);
        // Pairs (group key of the aggregate, a scan column the left side passes through), by scan.
        var pairs = new List<(BoundExpr Inner, ScanNode Scan, int Column)>();
        for (int k = 0; k < leftKeys.Count; k++)
            if (leftKeys[k] is ColumnRef outer && rightKeys[k] is ColumnRef { Index: var g } && g < agg.Groups.Count && Trace(j.Left, outer.Index) is var (scan, column))
                pairs.Add((agg.Groups[g], scan, column));
        if (pairs.Count == 0) return p;
        // The scan giving the most keys (then the fewest rows), if it holds fewer values than the aggregate has groups.
        var best = pairs.GroupBy(x => x.Scan, ReferenceEqualityComparer.Instance)
            .OrderByDescending(x => x.Count()).ThenBy(x => ((ScanNode)x.Key!).EstimatedRows ?? long.MaxValue).First();
        var source = (ScanNode)best.Key!;
        if (source.EstimatedRows is not { } keys || agg.EstimatedRows is not { } groups || keys * 2 >= groups) return p;
        var chosen = best.ToList();
        var keyColumns = new ProjectNode(source,
            chosen.Select(x => (BoundExpr)new ColumnRef(x.Column, source.Schema.Fields[x.Column].Name, source.Schema.Fields[x.Column].DataType)).ToList(),
            chosen.Select((_, i) => $"#key{i}").ToList());
        int width = agg.Input.Schema.Fields.Count;
        BoundExpr? condition = null;
        for (int i = 0; i < chosen.Count; i++)
        {
            var keyType = source.Schema.Fields[chosen[i].Column].DataType;
            if (ExpressionRewriter.Call("=", [chosen[i].Inner, new ColumnRef(width + i, $"#key{i}", keyType)], exact: true) is not { } eq) return p;
            condition = condition is null ? eq : ExpressionRewriter.And(condition, eq);
        }
        double kept = Math.Min(1.0, (double)keys / groups);
        var reduced = new JoinNode(agg.Input, keyColumns, JoinKind.Semi, condition)
        {
            Estimate = agg.Input.EstimatedRows is { } n ? Math.Max(1, (long)(n * kept)) : null,
        };
        return j with { Right = agg with { Input = reduced } };
    });

    /// <summary>The scan and column that column <paramref name="column"/> of <paramref name="p"/> reads unchanged, through
    /// projections, filters and joins; null when it is computed or comes from anything else.</summary>
    private static (ScanNode Scan, int Column)? Trace(LogicalPlan p, int column) => p switch
    {
        ScanNode s => (s, column),
        FilterNode f => Trace(f.Input, column),
        ProjectNode pr => pr.Exprs[column] is ColumnRef r ? Trace(pr.Input, r.Index) : null,
        JoinNode { Kind: JoinKind.Semi or JoinKind.Anti } jn => Trace(jn.Left, column),
        JoinNode jn => column < jn.Left.Schema.Fields.Count ? Trace(jn.Left, column) : Trace(jn.Right, column - jn.Left.Schema.Fields.Count),
        _ => null,
    };
}
