using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Pulls the conjuncts every branch of an OR shares out of it: <c>(a AND b) OR (a AND c)</c> becomes
/// <c>a AND (b OR c)</c>, in filters and join conditions. A join key repeated in each branch (TPC-H q19) then links its
/// inputs, so the join graph joins on it instead of crossing them; a branch left with nothing makes the OR true.
/// </summary>
internal sealed class OrFactoring : IOptimizerRule
{
    public string Name => "or_factoring";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p => p switch
    {
        FilterNode f when Factor(f.Predicate) is var e && !ReferenceEquals(e, f.Predicate) => f with { Predicate = e },
        JoinNode { Condition: { } c } j when Factor(c) is var e && !ReferenceEquals(e, c) => j with { Condition = e },
        _ => p,
    });

    private static BoundExpr Factor(BoundExpr e)
    {
        var conjuncts = ExpressionRewriter.Conjuncts(e).ToList();
        var result = new List<BoundExpr>();
        bool changed = false;
        foreach (var c in conjuncts)
        {
            if (c is not Call { Function.Name: "OR" }) { result.Add(c); continue; }
            var branches = ExpressionRewriter.Disjuncts(c).Select(d => ExpressionRewriter.Conjuncts(d).ToList()).ToList();
            var common = branches[0].Where(x => branches.Skip(1).All(b => b.Any(y => y.ToString() == x.ToString()))).GroupBy(x => x.ToString()).Select(g => g.First()).ToList();
            if (common.Count == 0) { result.Add(c); continue; }
            changed = true;
            var keys = common.Select(x => x.ToString()).ToHashSet();
            result.AddRange(common);
            var rest = branches.Select(b => b.Where(x => !keys.Contains(x.ToString())).ToList()).ToList();
            // A branch with nothing left is true, and so is the OR.
            if (rest.All(b => b.Count > 0))
                result.Add(rest.Select(b => b.Aggregate(ExpressionRewriter.And)).Aggregate(ExpressionRewriter.Or));
        }
        return changed ? result.Aggregate(ExpressionRewriter.And) : e;
    }
}
