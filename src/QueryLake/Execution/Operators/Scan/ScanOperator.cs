using QueryLake.Columnar;
using QueryLake.Columnar.Memory;
using QueryLake.Execution.Operators.Project;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Scan;

/// <summary>Reads a source's columns, skips fragments whose statistics rule the pushed filter out, applies the
/// filter (on several batches at once) and stops at the pushed limit. Under a projection, a filtered scan computes
/// the projection for the kept rows directly (<see cref="ExecuteProjected"/>), so wide columns such as embeddings
/// are never gathered just to be scored.</summary>
internal sealed class ScanOperator : PhysicalOperator
{
    private readonly ScanNode _scan;
    private readonly ProjectNode? _projection;
    private readonly bool _lend;

    /// <summary>A scan of <paramref name="scan"/>; with <paramref name="projection"/> (over a filtered scan without a
    /// limit), the projection computed for the rows the filter keeps; with <paramref name="lend"/>, its consumer keeps
    /// nothing of the batches and releases each, so they may come lent (<see cref="Execute"/>).</summary>
    public ScanOperator(ScanNode scan, ProjectNode? projection = null, bool lend = false) : base((LogicalPlan?)projection ?? scan)
    {
        if (projection is not null && (scan.Filter is null || scan.Limit is not null || lend))
            throw new ArgumentException("a projected scan needs a filter, no limit, and owned batches");
        (_scan, _projection, _lend) = (scan, projection, lend);
    }

    public override string Name => "TableScan";

    public override string Detail =>
        $"{_scan.Source.Name} [{List(_scan.Columns)}]"
        + (_scan.Filter is null ? "" : $" filter={_scan.Filter}")
        + (_scan.Limit is null ? "" : $" limit={_scan.Limit}")
        + (_projection is null ? "" : $" project=[{ProjectOperator.Columns(_projection)}] on the kept rows")
        + (_lend ? " lent" : "");

    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) =>
        _projection is null ? Execute(_scan, ctx, _lend) : ExecuteProjected(_scan, _projection, ctx);

    public override IEnumerable<T> OpenSelected<T>(QueryContext ctx, Func<RecordBatch, int[]?, T> map) =>
        _projection is null && _scan is { Filter: not null, Limit: null }
            ? ctx.Measure(this, ExecuteSelected(_scan, (batch, rows) => { ctx.Count(this, rows?.Length ?? batch.Length); return map(batch, rows); }, ctx, _lend))
            : base.OpenSelected(ctx, map);

    /// <summary>Project(Scan with a filter): per batch, the rows the filter keeps, then each output expression for
    /// just those rows, reading them in place where it can (<see cref="ExpressionEvaluator.EvaluateSelected"/>).</summary>
    public static IEnumerable<RecordBatch> ExecuteProjected(ScanNode scan, ProjectNode project, QueryContext ctx) =>
        ExecuteSelected(scan, (batch, rows) => ProjectOperator.Project(project, batch, rows), ctx).Where(b => b.Length > 0);

    /// <summary>A filtered scan that hands each batch with the rows its filter keeps (null: all of them) to
    /// <paramref name="map"/>, several batches at once, instead of gathering the kept rows; batches where the filter
    /// keeps nothing are skipped. With <paramref name="lend"/>, batches may come lent (see <see cref="Execute"/>), and
    /// <paramref name="map"/> releases each once it keeps nothing of it.</summary>
    public static IEnumerable<T> ExecuteSelected<T>(ScanNode scan, Func<RecordBatch, int[]?, T> map, QueryContext ctx, bool lend = false)
    {
        var filter = scan.Filter ?? throw new InvalidOperationException("a selected scan needs a filter");
        if (scan.Limit is not null) throw new InvalidOperationException("a selected scan cannot have a limit");
        var keep = StatisticsPruning.Predicate(filter, scan.Schema);
        if (LateMaterialized(scan, keep, lend, ctx) is { } late)
            return Parallel.OrderedMap(late, batch => map(batch, null), ctx.Threads, ctx.Cancel);
        return Parallel.OrderedMap(Read(scan, keep, lend, ctx), batch =>
        {
            var rows = ExpressionEvaluator.Select(filter, batch);
            return (Empty: rows.Length == 0, Value: rows.Length == 0 ? default! : map(batch, rows.Length == batch.Length ? null : rows));
        }, ctx.Threads, ctx.Cancel).Where(r => !r.Empty).Select(r => r.Value);
    }

    /// <summary>The source's batches of the scanned columns, lent (<see cref="ITableSource.ScanLent"/>) or owned.</summary>
    private static IEnumerable<RecordBatch> Read(ScanNode node, Func<Columnar.Statistics.IPrunable, bool>? keep, bool lend, QueryContext ctx) =>
        lend ? node.Source.ScanLent(node.Columns, keep, ctx.Cancel) : node.Source.Scan(node.Columns, keep, ctx.Cancel);

    /// <summary>The filtered batches of a source that decodes columns (<see cref="ITableSource.ScanWhere"/>), when the
    /// filter reads only some of the scanned columns: the others are decoded for the rows it keeps. Null otherwise.</summary>
    private static IEnumerable<RecordBatch>? LateMaterialized(ScanNode node, Func<Columnar.Statistics.IPrunable, bool>? keep, bool lend, QueryContext ctx)
    {
        if (node.Filter is not { } filter) return null;
        var used = ExpressionRewriter.Columns(filter).Distinct().Order().ToList();
        if (used.Count == 0 || used.Count >= node.Columns.Count) return null;
        var local = ExpressionRewriter.RemapColumns(filter, used.IndexOf);
        return node.Source.ScanWhere(node.Columns, used.Select(i => node.Columns[i]).ToList(), batch => ExpressionEvaluator.Select(local, batch), keep, lend, ctx.Cancel);
    }

    /// <summary>The scan's batches. With <paramref name="lend"/>, the caller promises to release each batch once done
    /// with it and to keep nothing of it (<see cref="ITableSource.ScanLent"/>), and batches may come lent; without, none
    /// does. A filter that drops rows gathers the kept ones into new batches, so the source's batches are always read
    /// lent and released here once gathered.</summary>
    public static IEnumerable<RecordBatch> Execute(ScanNode node, QueryContext ctx, bool lend = false)
    {
        var keep = node.Filter is null ? null : StatisticsPruning.Predicate(node.Filter, node.Schema);
        long remaining = node.Limit ?? long.MaxValue;
        // Batches are read in order on this thread (memory-mapped, cheap); the filter runs on several at once.
        var filtered = (node.Limit is null ? LateMaterialized(node, keep, lend, ctx) : null) ?? (node.Filter is not { } filter
            ? Read(node, keep, lend, ctx)
            : Parallel.OrderedMap(Read(node, keep, lend: true, ctx), batch =>
            {
                var rows = ExpressionEvaluator.Select(filter, batch);
                if (rows.Length == batch.Length) return lend || batch.Lease is null ? batch : batch.Lend(null);
                var kept = lend ? ScratchScope.Lend(() => Gather.Rows(batch, rows)) : Gather.Rows(batch, rows);
                batch.Release();
                return kept;
            }, node.Limit is null ? ctx.Threads : 1, ctx.Cancel));
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
