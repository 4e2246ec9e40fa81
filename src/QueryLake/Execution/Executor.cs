using QueryLake.Columnar;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution;

/// <summary>Runs an optimized logical plan: the <see cref="PhysicalPlanner"/> turns it into operators (with the
/// query's disabled rules), whose batches are pulled as the caller reads them.</summary>
/// <remarks>Inside the pipeline a text column may flow dictionary-encoded (indices into a shared dictionary, as scans
/// read it from storage): operators that can work on the indices do, the rest decode. <see cref="Results(LogicalPlan, QueryContext)"/>
/// is what leaves the engine, always decoded.</remarks>
internal static class Executor
{
    /// <summary>The physical plan of <paramref name="plan"/> for a query run under <paramref name="ctx"/>.</summary>
    public static PhysicalOperator Physical(LogicalPlan plan, QueryContext ctx) => PhysicalPlanner.Plan(plan, ctx.DisabledRules, ctx.Device);

    /// <summary>Runs a plan for a caller outside the pipeline: every column in the plan's own types.</summary>
    public static IEnumerable<RecordBatch> Results(LogicalPlan plan, QueryContext ctx) => Results(Physical(plan, ctx), ctx);

    /// <summary>Runs a physical plan for a caller outside the pipeline. Operators that run on the caller's thread see
    /// the query's thread count as <see cref="Parallel.Degree"/>. The query's spill files are deleted when the results
    /// end, however they end.</summary>
    public static IEnumerable<RecordBatch> Results(PhysicalOperator plan, QueryContext ctx)
    {
        try
        {
            using var batches = plan.Open(ctx).GetEnumerator();
            while (ctx.Within(() => Parallel.WithDegree(ctx.Threads, batches.MoveNext)))
                yield return Kernels.Vectors.Plain(batches.Current);
        }
        finally { ctx.Dispose(); }
    }
}
