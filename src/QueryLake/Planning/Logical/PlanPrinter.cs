using System.Text;

namespace QueryLake.Planning.Logical;

/// <summary>The one printer of plans, used by EXPLAIN and by the optimizer's plan-text tests.</summary>
internal static class PlanPrinter
{
    public static string Print(LogicalPlan plan, Func<LogicalPlan, string>? annotate = null)
    {
        var sb = new StringBuilder();
        void Walk(LogicalPlan p, int depth)
        {
            sb.Append(' ', depth * 2).Append(p.Label());
            if (annotate is not null) sb.Append(annotate(p));
            sb.Append('\n');
            foreach (var i in p.Inputs) Walk(i, depth + 1);
        }
        Walk(plan, 0);
        return sb.ToString();
    }
}
