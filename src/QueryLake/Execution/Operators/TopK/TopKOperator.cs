using System.Numerics;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Execution.Operators.Project;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>ORDER BY … LIMIT k without a full sort: a bounded heap keeps the best k+offset rows seen so far
/// (ties keep input order), so time is O(n log k) and only the rows in the heap are ever copied. With a numeric
/// first key (a similarity score, an id), batches are first narrowed in parallel to the rows whose key can place them
/// among their batch's best k, and a row is checked against the worst kept key as a plain number, so the general row
/// comparison runs only for the few rows that enter the heap. Over a projection, the first key is computed from the
/// projection's input and the projection runs only for the rows that survive the narrowing
/// (<see cref="ExecuteProjected"/>): a similarity search scores every row but builds output rows for a few.</summary>
internal sealed class TopKOperator : PhysicalOperator
{
    private readonly TopKNode _node;
    private readonly ProjectNode? _projection;
    private readonly bool _lent;

    /// <summary>A top-k over <paramref name="input"/>; with <paramref name="projection"/>, <paramref name="input"/> is
    /// the projection's input and the projection runs for the candidate rows only (<see cref="ExecuteProjected"/>);
    /// with <paramref name="lent"/>, the input's batches may come lent.</summary>
    public TopKOperator(TopKNode node, PhysicalOperator input, ProjectNode? projection = null, bool lent = false) : base(node, input) =>
        (_node, _projection, _lent) = (node, projection, lent);

    public override string Name => "TopK";

    public override string Detail => _node.Label()["TopK: ".Length..]
        + (_projection is null ? "" : $" late projection=[{ProjectOperator.Columns(_projection)}]") + (_lent ? ", reads lent batches" : "");

    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => _projection is null
        ? Execute(_node, Children[0].Open(ctx), ctx)
        : ExecuteProjected(_node, _projection, map => Children[0].OpenSelected(ctx, map), ctx, _lent);

    public static IEnumerable<RecordBatch> Execute(TopKNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        long keep = node.K + node.Offset;
        // Batches are first narrowed, several at once, to the rows that can be among their own best k by the first key.
        return Select(node, Parallel.OrderedMap(input, b => Narrow(b, node, keep), ctx.Threads, ctx.Cancel), ctx);
    }

    /// <summary>TopK(Project(input)): <paramref name="input"/> maps each input batch (with the rows a filter kept, or
    /// null for all) through the function it is given, several batches at once. The first key, with the projection's
    /// expressions put in for its column references, is computed for those rows; the projection then runs only for the
    /// rows that can be among the batch's best k. Rows whose projection is never computed cannot fail it.</summary>
    /// <remarks>With <paramref name="lent"/>, the input may hand lent batches (<see cref="Scan.ScanOperator.Execute"/>):
    /// a batch is released once the projection of its selected rows (copies) is built.</remarks>
    public static IEnumerable<RecordBatch> ExecuteProjected(TopKNode node, ProjectNode project,
        Func<Func<RecordBatch, int[]?, (RecordBatch, ArrowArray?)>, IEnumerable<(RecordBatch, ArrowArray?)>> input, QueryContext ctx, bool lent = false)
    {
        long keep = node.K + node.Offset;
        var first = ExpressionRewriter.Rewrite(node.Keys[0].Expr, e => e is ColumnRef c ? project.Exprs[c.Index] : null);
        bool narrow = node.Keys[0].Expr.Type.IsNumeric && keep is > 0 and <= MaxNarrowed;
        return Select(node, input((batch, rows) =>
        {
            int n = rows?.Length ?? batch.Length;
            if (narrow && n > keep)
            {
                // A key with a fused kernel (a similarity to a constant probe) is scored and narrowed in one pass;
                // any other key is computed for the rows, then narrowed.
                if (!ExpressionEvaluator.TryTop(first, batch, rows, (int)keep, node.Keys[0].Descending, out var candidates))
                {
                    var key = Numeric(rows is null ? ExpressionEvaluator.Evaluate(first, batch) : ExpressionEvaluator.EvaluateSelected(first, batch, rows));
                    candidates = Candidates(key, node.Keys[0].Descending, keep);
                }
                if (candidates is not null)
                {
                    if (rows is not null)
                        for (int i = 0; i < candidates.Length; i++) candidates[i] = rows[candidates[i]];
                    rows = candidates;
                }
            }
            var projected = ProjectOperator.Project(project, batch, rows);
            // The projection of selected rows gathers or computes new arrays; of all rows it may be the batch's own.
            if (lent && rows is not null) batch.Release();
            return (projected, FirstKey(projected, node));
        }), ctx);
    }

    /// <summary>Narrowing pays only for a small k; above it every row goes to the heap.</summary>
    private const long MaxNarrowed = 4096;

    private static IEnumerable<RecordBatch> Select(TopKNode node, IEnumerable<(RecordBatch Batch, ArrowArray? Key)> narrowed, QueryContext ctx)
    {
        long keep = node.K + node.Offset;
        var batches = new List<RecordBatch>();
        var comparer = new RowOrder(node.Keys);
        // The heap's "priority" puts the worst kept row first, so it is the one replaced.
        var heap = new PriorityQueue<Gather.Pick, Gather.Pick>(Comparer<Gather.Pick>.Create((a, b) => comparer.Compare(b, a)));
        // With a numeric first key, a row that cannot beat the worst kept row on that key alone is skipped without
        // the general comparison: keys are compared as int64 or float64 in place (no conversion of the column).
        var keys = new List<ArrowArray?>();
        bool descending = node.Keys[0].Descending;
        if (keep > 0)
            foreach (var (b, key) in narrowed)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                int source = batches.Count;
                batches.Add(b);
                comparer.AddSource(b);
                keys.Add(key);
                for (int r = 0; r < b.Length; r++)
                {
                    var pick = new Gather.Pick(source, r);
                    if (heap.Count < keep) { heap.Enqueue(pick, pick); continue; }
                    if (key is not null && key.IsValid(r))
                    {
                        // A row strictly worse on the first key loses; with one key, a tie loses too (input order).
                        var worst = heap.Peek();
                        var worstKey = keys[worst.Source]!;
                        if (worstKey.IsValid(worst.Row))
                        {
                            int c = (key, worstKey) switch
                            {
                                (PrimitiveArray<long> x, PrimitiveArray<long> w) => x.Values[r].CompareTo(w.Values[worst.Row]),
                                (PrimitiveArray<double> x, PrimitiveArray<double> w) when !double.IsNaN(x.Values[r]) && !double.IsNaN(w.Values[worst.Row]) => x.Values[r].CompareTo(w.Values[worst.Row]),
                                _ => 2,
                            };
                            if (c != 2)
                            {
                                if (descending) c = -c;
                                if (c > 0 || (c == 0 && node.Keys.Count == 1)) continue;
                            }
                        }
                    }
                    if (comparer.Compare(pick, heap.Peek()) < 0) heap.EnqueueDequeue(pick, pick);
                }
            }
        var best = new List<Gather.Pick>(heap.Count);
        while (heap.Count > 0) best.Add(heap.Dequeue());
        best.Sort(comparer);
        int start = (int)Math.Min(node.Offset, best.Count);
        return SortOperator.Emit(node.Schema, batches, best.ToArray(), start, best.Count - start);
    }

    /// <summary>A batch with its first key as int64 or float64 (null when not numeric), cut down to the rows that
    /// can be among its best <paramref name="keep"/> rows: those whose first key is at least as good as the batch's
    /// keep-th best first key, and those with a NULL or NaN first key (their place depends on NULLS FIRST/LAST and is
    /// left to the full comparison). Rows outside a batch's own best k cannot be in the overall best k, so dropping
    /// them changes nothing; the kept rows are copied, so the operator holds a few rows per batch, not the batch.</summary>
    private static (RecordBatch Batch, ArrowArray? Key) Narrow(RecordBatch b, TopKNode node, long keep)
    {
        var key = FirstKey(b, node);
        if (key is null || keep is <= 0 or > MaxNarrowed || b.Length <= keep) return (b, key);
        var rows = Candidates(key, node.Keys[0].Descending, keep);
        return rows is null ? (b, key) : (Gather.Rows(b, rows), Gather.Rows(key, rows));
    }

    /// <summary>The first key of a batch as int64 or float64 (compared in place, no conversion of an int64 or float64
    /// column); null when it is not numeric.</summary>
    private static ArrowArray? FirstKey(RecordBatch b, TopKNode node) =>
        node.Keys[0].Expr.Type.IsNumeric ? Numeric(ExpressionEvaluator.Evaluate(node.Keys[0].Expr, b)) : null;

    private static ArrowArray Numeric(ArrowArray key) => key switch
    {
        PrimitiveArray<long> or PrimitiveArray<double> => key,
        _ => CastKernel.ToFloat64(key),
    };

    /// <summary>The rows of a numeric key that can be among its best <paramref name="keep"/>; null when all can.</summary>
    private static int[]? Candidates(ArrowArray key, bool descending, long keep) => key is PrimitiveArray<long> longs
        ? Candidates(longs, descending, (int)keep)
        : Candidates((PrimitiveArray<double>)key, descending, (int)keep);

    private static int[]? Candidates<T>(PrimitiveArray<T> key, bool descending, int keep) where T : unmanaged, INumber<T>
    {
        var best = new BestRows<T>(keep, descending);
        var v = key.Values;
        if (key.NullCount == 0) best.Add(v, 0);
        else
            for (int r = 0; r < v.Length; r++)
                if (key.IsNull(r)) best.AddAlways(r);
                else best.Add(v[r], r);
        var rows = best.Rows();
        return rows.Length == v.Length ? null : rows;
    }
}
