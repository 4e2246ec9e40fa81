using System.Globalization;
using System.Text;

namespace QueryLake.Execution.Physical;

/// <summary>Prints a physical plan as EXPLAIN shows it: one operator per line, <c>Name: detail</c>, inputs indented
/// below, each with its row estimate and, after a run, what <see cref="OperatorStatistics"/> recorded.</summary>
internal static class PhysicalPlanPrinter
{
    public static string Print(PhysicalOperator plan, Func<PhysicalOperator, OperatorStatistics?>? statistics = null)
    {
        var sb = new StringBuilder();
        // Iterative, so a deep plan cannot exhaust the stack.
        var stack = new Stack<(PhysicalOperator Op, int Depth)>();
        stack.Push((plan, 0));
        while (stack.Count > 0)
        {
            var (op, depth) = stack.Pop();
            sb.Append(' ', depth * 2).Append(op.Name);
            if (op.Detail.Length > 0) sb.Append(": ").Append(op.Detail);
            sb.Append("  (estimated=").Append(op.Logical.EstimatedRows?.ToString(CultureInfo.InvariantCulture) ?? "?");
            if (statistics?.Invoke(op) is { } st)
                sb.Append(CultureInfo.InvariantCulture, $", rows={st.Rows}, time={st.Time.TotalMilliseconds:F2} ms, peak={Bytes(st.PeakBytes)}");
            sb.Append(")\n");
            for (int i = op.Children.Count - 1; i >= 0; i--) stack.Push((op.Children[i], depth + 1));
        }
        return sb.ToString();
    }

    /// <summary>A byte count as EXPLAIN ANALYZE shows it.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1 << 10 => $"{bytes} B",
        < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        < 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
    };
}
