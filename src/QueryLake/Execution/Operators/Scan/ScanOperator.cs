using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Execution.Operators.Scan;

/// <summary>Reads a source's columns, skips fragments whose statistics rule the pushed filter out, applies the
/// filter (on several batches at once) and stops at the pushed limit. Under a projection, a filtered scan computes
/// the projection for the kept rows directly (<see cref="ExecuteProjected"/>), so wide columns such as embeddings
/// are never gathered just to be scored.</summary>
internal static class ScanOperator
{
    /// <summary>Project(Scan with a filter): per batch, the rows the filter keeps, then each output expression for
    /// just those rows, reading them in place where it can (<see cref="ExpressionEvaluator.EvaluateSelected"/>).</summary>
    public static IEnumerable<RecordBatch> ExecuteProjected(ScanNode scan, ProjectNode project, QueryContext ctx)
    {
        var filter = scan.Filter ?? throw new InvalidOperationException("a projected scan needs a filter");
        var keep = StatisticsPruning.Predicate(filter, scan.Schema);
        var schema = project.Schema;
        return Parallel.OrderedMap(Morsels(scan.Source.Scan(scan.Columns, keep, ctx.Cancel)), batch =>
        {
            var rows = ExpressionEvaluator.Select(filter, batch);
            return rows.Length == batch.Length
                ? new RecordBatch(schema, project.Exprs.Select(e => ExpressionEvaluator.Evaluate(e, batch)).ToArray(), batch.Length)
                : new RecordBatch(schema, project.Exprs.Select(e => ExpressionEvaluator.EvaluateSelected(e, batch, rows)).ToArray(), rows.Length);
        }, ctx.Threads, ctx.Cancel).Where(b => b.Length > 0);
    }

    /// <summary>Rows per batch handed to the operators above a scan. Storage batches are larger (64K rows); slices of
    /// at most 8,192 rows (views, nothing copied) keep every per-batch temporary an expression allocates (8 bytes a
    /// row: 64 KB) under the large-object threshold, so it comes from the GC's generation 0, whose memory is reused
    /// while hot, instead of fresh pages whose first touches dominated filters and projections.</summary>
    public const int MorselRows = 8192;

    private static IEnumerable<RecordBatch> Morsels(IEnumerable<RecordBatch> batches)
    {
        foreach (var b in batches)
        {
            if (b.Length <= MorselRows) { yield return b; continue; }
            for (int at = 0; at < b.Length; at += MorselRows) yield return b.Slice(at, Math.Min(MorselRows, b.Length - at));
        }
    }

    public static IEnumerable<RecordBatch> Execute(ScanNode node, QueryContext ctx)
    {
        var keep = node.Filter is null ? null : StatisticsPruning.Predicate(node.Filter, node.Schema);
        long remaining = node.Limit ?? long.MaxValue;
        var batches = Morsels(node.Source.Scan(node.Columns, keep, ctx.Cancel));
        // Batches are read in order on this thread (memory-mapped, cheap); the filter runs on several at once.
        var filtered = node.Filter is null ? batches : Parallel.OrderedMap(batches, batch =>
        {
            var rows = ExpressionEvaluator.Select(node.Filter, batch);
            return rows.Length == batch.Length ? batch : Gather.Rows(batch, rows);
        }, node.Limit is null ? ctx.Threads : 1, ctx.Cancel);
        foreach (var batch in filtered)
        {
            if (remaining <= 0) yield break;
            var b = batch;
            if (b.Length == 0) continue;
            if (b.Length > remaining) b = b.Slice(0, (int)remaining);
            remaining -= b.Length;
            yield return b;
        }
    }
}
