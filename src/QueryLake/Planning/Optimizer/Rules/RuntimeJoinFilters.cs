using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Sideways information passing: an inner or semi join expected to keep a minority of its left rows publishes, once
/// its hash table is built, a filter of each equality key whose left side is a column (the values its build side holds:
/// <see cref="Execution.Operators.HashJoin.RuntimeFilter"/>), and the lowest join below it that reads that column
/// unchanged on its left side applies the filter before probing. Rows that could never match above are then neither
/// probed nor gathered by the joins in between: in TPC-H q05, <c>lineitem ⋈ orders</c> drops the lineitems of
/// suppliers outside the region, which the join above would drop only after the first join built them.
/// </summary>
/// <remarks>The filter may only drop rows the publishing join drops anyway: the column must pass unchanged through
/// projections, filters and the probe (left) side of inner, left, semi and anti joins, or either side of inner joins
/// and cross joins, on the way down; the publisher must be an inner or semi join. The publisher builds before its left
/// input is read (<see cref="Execution.Operators.HashJoin.HashJoinOperator"/>), so the filter is ready when the join
/// below probes; where it is not (a semi join that builds its left side), the join below filters nothing.</remarks>
internal sealed class RuntimeJoinFilters : IOptimizerRule
{
    public string Name => "runtime_join_filters";

    /// <summary>A join publishes when it is expected to keep at most this share of its left rows.</summary>
    private const double MostKept = 0.7;

    public LogicalPlan Apply(LogicalPlan plan)
    {
        int next = 0;
        LogicalPlan Visit(LogicalPlan p)
        {
            if (p is JoinNode { Kind: JoinKind.Inner or JoinKind.Semi } j && Selective(j))
            {
                var (leftKeys, _, _) = JoinCondition.Split(j.Condition, j.Left.Schema.Fields.Count);
                var publishes = new List<(int Key, int Id)>();
                var left = j.Left;
                for (int k = 0; k < leftKeys.Count; k++)
                {
                    if (leftKeys[k] is not ColumnRef c) continue;
                    if (Annotate(left, c.Index, next) is not { } annotated) continue;
                    left = annotated;
                    publishes.Add((k, next++));
                }
                if (publishes.Count > 0) p = j with { Left = left, Publishes = [.. j.Publishes, .. publishes] };
            }
            return p.WithInputs(p.Inputs.Select(Visit).ToList());
        }
        return Visit(plan);
    }

    private static bool Selective(JoinNode j) =>
        j.EstimatedRows is { } kept && j.Left.EstimatedRows is { } left && left > 0 && kept <= MostKept * left
        && (j.Kind == JoinKind.Inner || j.Estimate is not null);

    /// <summary><paramref name="p"/> with filter <paramref name="id"/> applied to <paramref name="column"/> at the lowest
    /// join that reads it on its left side, or null when no join below can.</summary>
    private static LogicalPlan? Annotate(LogicalPlan p, int column, int id)
    {
        switch (p)
        {
            case FilterNode f:
                return Annotate(f.Input, column, id) is { } input ? f with { Input = input } : null;
            case ProjectNode pr:
                return pr.Exprs[column] is ColumnRef r && Annotate(pr.Input, r.Index, id) is { } inner ? pr with { Input = inner } : null;
            case JoinNode j when j.Kind is JoinKind.Inner or JoinKind.Left or JoinKind.Semi or JoinKind.Anti or JoinKind.Cross:
                int width = j.Left.Schema.Fields.Count;
                if (column < width)
                    return Annotate(j.Left, column, id) is { } left ? j with { Left = left } : j with { Applies = [.. j.Applies, (column, id)] };
                if (j.Kind is JoinKind.Inner or JoinKind.Cross && Annotate(j.Right, column - width, id) is { } right) return j with { Right = right };
                return null;
            default:
                return null;
        }
    }
}
