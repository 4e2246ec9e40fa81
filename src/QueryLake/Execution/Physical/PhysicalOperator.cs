using QueryLake.Columnar;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical;

/// <summary>
/// A node of a physical plan: a named operator that produces batches, pulling them from its children. The
/// <see cref="PhysicalPlanner"/> builds the tree from an optimized logical plan; EXPLAIN prints it
/// (<see cref="PhysicalPlanPrinter"/>), and EXPLAIN ANALYZE adds each operator's rows, time and peak memory.
/// </summary>
/// <param name="logical">The logical node whose output this operator computes (its schema and row estimate); for an
/// operator that fuses several nodes, the topmost of them.</param>
/// <param name="children">The operators whose batches this one consumes, in order.</param>
internal abstract class PhysicalOperator(LogicalPlan logical, params PhysicalOperator[] children)
{
    /// <summary>The logical node this operator computes.</summary>
    public LogicalPlan Logical { get; } = logical;

    /// <summary>The operators this one reads from.</summary>
    public IReadOnlyList<PhysicalOperator> Children { get; } = children;

    /// <summary>The output columns.</summary>
    public Schema Schema => Logical.Schema;

    /// <summary>The operator's name as EXPLAIN shows it (<c>TableScan</c>, <c>HashJoin</c>, …).</summary>
    public abstract string Name { get; }

    /// <summary>What this instance does, on one line after the name: its columns, keys, conditions and strategy.</summary>
    public abstract string Detail { get; }

    /// <summary>The operator's batches, produced as they are read; with statistics on, counted and timed, and the
    /// memory reserved while it works charged to it.</summary>
    public IEnumerable<RecordBatch> Open(QueryContext ctx) => ctx.Measure(this, Produce(ctx));

    /// <summary>Hands each output batch, with the rows of it that count (null: all of them), to <paramref name="map"/>,
    /// several batches at once, in order. A scan with a filter passes the rows its filter keeps without gathering them,
    /// so the consumer reads just those rows in place. Empty batches are skipped.</summary>
    /// <remarks>Where the operator was planned to lend batches (<see cref="Operators.Scan.ScanOperator"/>), they may
    /// come lent, and <paramref name="map"/> releases each once it keeps nothing of it.</remarks>
    public virtual IEnumerable<T> OpenSelected<T>(QueryContext ctx, Func<RecordBatch, int[]?, T> map) =>
        Parallel.OrderedMap(Open(ctx).Where(b => b.Length > 0), b => map(b, null), ctx.Threads, ctx.Cancel);

    /// <summary>The batches, before measuring.</summary>
    protected abstract IEnumerable<RecordBatch> Produce(QueryContext ctx);

    /// <summary>A plan's expressions as EXPLAIN shows them: comma-separated.</summary>
    protected static string List<T>(IEnumerable<T> items) => string.Join(", ", items);
}
