using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;
using QueryLake.Language.Ast;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Window;

/// <summary>
/// Window functions: rows are split into partitions (a hash of the PARTITION BY keys), each partition is sorted
/// by the ORDER BY keys (stable), and every function is computed over its frame. Frames that start at the
/// partition's first row accumulate incrementally; ranks use peer groups (rows with equal ORDER BY keys).
/// </summary>
internal sealed class WindowOperator(WindowNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Window";
    public override string Detail => List(node.Calls) + (CommonPartitionKeys(node).Count > 0 ? ", partitions past memory_limit" : "");
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    /// <summary>How deep partitions are split again when one is still over the limit.</summary>
    public const int MaxSpillLevel = 4;

    /// <summary>Computes the window functions over all of <paramref name="input"/>, held in memory. When it is over the
    /// memory limit and every call partitions by a common expression, the rows go to spill partitions by the hash of
    /// those expressions' values (a window partition never spans two spill partitions) and each is computed alone, so
    /// rows come out partition by partition. Without a common PARTITION BY the input must fit (QL-OUT-OF-MEMORY).</summary>
    public static IEnumerable<RecordBatch> Execute(WindowNode node, IEnumerable<RecordBatch> input, QueryContext ctx) => Execute(node, input, ctx, 0);

    private static IEnumerable<RecordBatch> Execute(WindowNode node, IEnumerable<RecordBatch> input, QueryContext ctx, int level)
    {
        var common = CommonPartitionKeys(node);
        var batches = new List<RecordBatch>();
        var dictionaries = QueryContext.Dictionaries();
        long held = 0;
        using var rows = input.GetEnumerator();
        bool spill = false;
        try
        {
            while (rows.MoveNext())
            {
                var b = rows.Current;
                if (b.Length == 0) continue;
                long bytes = QueryContext.SizeOf(b, dictionaries) + 16L * b.Length * node.Calls.Count;
                if (!ctx.TryReserve(bytes))
                {
                    if (common.Count == 0 || level >= MaxSpillLevel) ctx.Reserve(bytes, "window functions"); // fails
                    batches.Add(b);
                    spill = true;
                    break;
                }
                held += bytes;
                batches.Add(b);
            }
            if (spill)
            {
                ctx.Release(held);
                held = 0;
                var files = Spill.SpillPartitions.ByValues(ctx, $"window-{level}", Spill.SpillPartitions.Drain(batches, rows), level,
                    b => common.Select(k => ExpressionEvaluator.Evaluate(k, b)).ToArray());
                foreach (var file in files)
                    if (file is not null)
                        foreach (var o in Execute(node, Spill.SpillFile.Read(file), ctx, level + 1)) yield return o;
                yield break;
            }
            var results = node.Calls.Select(c => batches.Select(b => new object?[b.Length]).ToArray()).ToArray();
            for (int c = 0; c < node.Calls.Count; c++)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                Compute(node.Calls[c], batches, results[c], ctx);
            }
            for (int b = 0; b < batches.Count; b++)
            {
                var columns = batches[b].Columns.Concat(node.Calls.Select((call, c) => ArrayBuilder.Build(call.ResultType, results[c][b]))).ToArray();
                yield return new RecordBatch(node.Schema, columns, batches[b].Length);
            }
        }
        finally { ctx.Release(held); }
    }

    /// <summary>The PARTITION BY expressions every call of the node has (compared by their text, which names columns by
    /// position).</summary>
    private static List<Planning.Expressions.BoundExpr> CommonPartitionKeys(WindowNode node) =>
        node.Calls[0].PartitionBy.Where(e => node.Calls.All(c => c.PartitionBy.Any(o => o.ToString() == e.ToString()))).ToList();

    private static void Compute(WindowCall call, List<RecordBatch> batches, object?[][] output, QueryContext ctx)
    {
        var args = call.Arguments.Select(a => batches.Select(b => ExpressionEvaluator.Evaluate(a, b)).ToArray()).ToArray();
        var rowOrder = new RowOrder(call.OrderBy);
        foreach (var b in batches) rowOrder.AddSource(b);
        Comparison<Gather.Pick> order = rowOrder.CompareKeys;
        // RANGE frames with offsets compare the (one, numeric) ORDER BY key's values.
        var orderKeys = HasRangeOffsets(call.Frame)
            ? batches.Select(b => CastKernel.ToFloat64(ExpressionEvaluator.Evaluate(call.OrderBy[0].Expr, b))).ToArray()
            : null;
        foreach (var partition in Partitions(call, batches))
        {
            partition.Sort(rowOrder);
            int n = partition.Count;
            // Peer groups: [peerStart[i], peerEnd[i]] holds the rows whose ORDER BY keys equal row i's.
            var peerStart = new int[n];
            var peerEnd = new int[n];
            for (int i = 1; i < n; i++) peerStart[i] = order(partition[i - 1], partition[i]) == 0 ? peerStart[i - 1] : i;
            peerEnd[n - 1] = n - 1;
            for (int i = n - 2; i >= 0; i--) peerEnd[i] = order(partition[i], partition[i + 1]) == 0 ? peerEnd[i + 1] : i;
            object? Arg(int a, int pos) => args[a][partition[pos].Source].GetValue(partition[pos].Row);
            var range = RangeOffsets(call, partition, orderKeys, peerStart, peerEnd);
            var values = Evaluate(call, n, new Peers(peerStart, peerEnd, range.Start, range.End), Arg, ctx);
            for (int i = 0; i < n; i++) output[partition[i].Source][partition[i].Row] = values[i];
        }
    }

    private static List<List<Gather.Pick>> Partitions(WindowCall call, List<RecordBatch> batches)
    {
        if (call.PartitionBy.Count == 0)
            return [batches.SelectMany((b, s) => Enumerable.Range(0, b.Length).Select(r => new Gather.Pick(s, r))).ToList()];
        var partitions = new List<List<Gather.Pick>>();
        GroupIndexer? indexer = null;
        for (int s = 0; s < batches.Count; s++)
        {
            var keyColumns = call.PartitionBy.Select(p => ExpressionEvaluator.Evaluate(p, batches[s])).ToArray();
            indexer ??= GroupIndexer.For(keyColumns);
            var ids = new int[batches[s].Length];
            indexer.Assign(keyColumns, ids);
            for (int r = 0; r < ids.Length; r++)
            {
                while (partitions.Count <= ids[r]) partitions.Add([]);
                partitions[ids[r]].Add(new Gather.Pick(s, r));
            }
        }
        return partitions;
    }

    /// <summary>Peer groups ([PeerStart[i], PeerEnd[i]] holds the rows whose ORDER BY keys equal row i's) and, for RANGE
    /// frames with offsets, each row's frame bounds by value.</summary>
    private readonly record struct Peers(int[] PeerStart, int[] PeerEnd, int[]? RangeStart, int[]? RangeEnd);

    private static bool HasRangeOffsets(WindowFrameSpec f) =>
        !f.Rows && (f.StartKind is FrameBoundKind.Preceding or FrameBoundKind.Following || f.EndKind is FrameBoundKind.Preceding or FrameBoundKind.Following);

    /// <summary>RANGE BETWEEN a PRECEDING AND b FOLLOWING: the rows whose key lies within [key − a, key + b] (in the
    /// ORDER BY direction). A row with a NULL key has its NULL peers as its frame, as in DuckDB.</summary>
    private static (int[]? Start, int[]? End) RangeOffsets(WindowCall call, List<Gather.Pick> partition, PrimitiveArray<double>[]? keys, int[] peerStart, int[] peerEnd)
    {
        if (keys is null) return (null, null);
        int n = partition.Count;
        double sign = call.OrderBy[0].Descending ? -1 : 1;
        var k = new double[n];
        var valid = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var (s, r) = (partition[i].Source, partition[i].Row);
            valid[i] = keys[s].IsValid(r);
            k[i] = valid[i] ? keys[s].Values[r] * sign : 0;
        }
        // The non-NULL keys are one contiguous, ascending (after the sign) run.
        int lo = Array.IndexOf(valid, true), hi = Array.LastIndexOf(valid, true);
        // The first row in [lo, hi] whose key is >= target (or > target when strict); hi + 1 when none is.
        int Search(double target, bool strict)
        {
            int a = lo, b = hi + 1;
            while (a < b) { int m = (a + b) >>> 1; if (k[m] < target || strict && k[m] == target) a = m + 1; else b = m; }
            return a;
        }
        int First(double target) => Search(target, false);
        int Last(double target) => Search(target, true) - 1;
        var f = call.Frame;
        var start = new int[n];
        var end = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (!valid[i]) { start[i] = f.StartKind == FrameBoundKind.UnboundedPreceding ? 0 : peerStart[i]; end[i] = f.EndKind == FrameBoundKind.UnboundedFollowing ? n - 1 : peerEnd[i]; continue; }
            start[i] = f.StartKind switch
            {
                FrameBoundKind.UnboundedPreceding => 0,
                FrameBoundKind.Preceding => First(k[i] - f.StartRange),
                FrameBoundKind.Following => First(k[i] + f.StartRange),
                _ => peerStart[i],
            };
            end[i] = f.EndKind switch
            {
                FrameBoundKind.UnboundedFollowing => n - 1,
                FrameBoundKind.Preceding => Last(k[i] - f.EndRange),
                FrameBoundKind.Following => Last(k[i] + f.EndRange),
                _ => peerEnd[i],
            };
        }
        return (start, end);
    }

    private static object?[] Evaluate(WindowCall call, int n, Peers peers, Func<int, int, object?> arg, QueryContext ctx)
    {
        var (peerStart, peerEnd) = (peers.PeerStart, peers.PeerEnd);
        var result = new object?[n];
        switch (call.Function)
        {
            case "row_number":
                for (int i = 0; i < n; i++) result[i] = (long)i + 1;
                return result;
            case "rank":
                for (int i = 0; i < n; i++) result[i] = (long)peerStart[i] + 1;
                return result;
            case "dense_rank":
                long dense = 0;
                for (int i = 0; i < n; i++) { if (peerStart[i] == i) dense++; result[i] = dense; }
                return result;
            case "ntile":
            {
                long buckets = Convert.ToInt64(arg(0, 0), System.Globalization.CultureInfo.InvariantCulture);
                if (buckets <= 0) throw new Errors.QueryLakeException("QL-BAD-ARGUMENT", "ntile needs a positive number of buckets");
                long q = n / buckets, r = n % buckets;
                for (int i = 0; i < n; i++)
                    result[i] = i < r * (q + 1) ? i / (q + 1) + 1 : q == 0 ? i + 1 : (i - r * (q + 1)) / q + r + 1;
                return result;
            }
            case "rarity":
                return NearestNeighbours.Rarity(n, i => arg(0, i), arg(1, 0), NearestNeighbours.RarityDevice(ctx, n), ctx.Cancel);
            case "near_duplicate":
                return NearestNeighbours.NearDuplicates(n, i => arg(0, i), arg(1, 0));
            case "lag" or "lead":
            {
                long offset = call.Arguments.Count > 1 ? Convert.ToInt64(arg(1, 0), System.Globalization.CultureInfo.InvariantCulture) : 1;
                for (int i = 0; i < n; i++)
                {
                    long j = call.Function == "lag" ? i - offset : i + offset;
                    result[i] = j >= 0 && j < n ? arg(0, (int)j) : call.Arguments.Count > 2 ? arg(2, i) : null;
                }
                return result;
            }
        }
        // Frames that start at the partition's first row only grow: accumulate once instead of per row.
        if (call.Frame.StartKind == FrameBoundKind.UnboundedPreceding && call.Function is "sum" or "avg" or "count" or "min" or "max" && peers.RangeStart is null)
            return Running(call, n, peers, arg);
        // Functions over the frame.
        for (int i = 0; i < n; i++)
        {
            var (s, e) = Frame(call.Frame, i, n, peers);
            result[i] = s > e ? Empty(call.Function) : call.Function switch
            {
                "first_value" => arg(0, s),
                "last_value" => arg(0, e),
                _ => Aggregate(call, s, e, arg),
            };
        }
        return result;
    }

    private static object?[] Running(WindowCall call, int n, Peers peers, Func<int, int, object?> arg)
    {
        var result = new object?[n];
        bool star = call.Arguments.Count == 0;
        var acc = new Accumulator(call);
        int included = -1;
        for (int i = 0; i < n; i++)
        {
            var (_, e) = Frame(call.Frame, i, n, peers);
            for (; included < e; included++) acc.Add(star ? 1L : arg(0, included + 1));
            result[i] = acc.Result;
        }
        return result;
    }

    private static object? Empty(string function) => function == "count" ? 0L : null;

    private static (int Start, int End) Frame(WindowFrameSpec f, int i, int n, Peers peers)
    {
        if (peers.RangeStart is { } rs && peers.RangeEnd is { } re) return (Math.Max(0, rs[i]), Math.Min(n - 1, re[i]));
        var (peerStart, peerEnd) = (peers.PeerStart, peers.PeerEnd);
        int Bound(FrameBoundKind kind, long offset, bool start) => kind switch
        {
            FrameBoundKind.UnboundedPreceding => 0,
            FrameBoundKind.UnboundedFollowing => n - 1,
            // Saturating: an offset may be as large as a BIGINT (ROWS BETWEEN 9223372036854775807 PRECEDING …).
            FrameBoundKind.Preceding => offset > i ? -1 : (int)(i - offset),
            FrameBoundKind.Following => offset >= n - i ? n : (int)(i + offset),
            _ => f.Rows ? i : start ? peerStart[i] : peerEnd[i],  // RANGE: CURRENT ROW means its peers (all rows without ORDER BY)
        };
        int s = Math.Max(0, Bound(f.StartKind, f.StartOffset, true));
        int e = Math.Min(n - 1, Bound(f.EndKind, f.EndOffset, false));
        return (s, e);
    }

    private static object? Aggregate(WindowCall call, int s, int e, Func<int, int, object?> arg)
    {
        if (call.Function == "count" && call.Arguments.Count == 0) return (long)(e - s + 1);
        var acc = new Accumulator(call);
        for (int p = s; p <= e; p++) acc.Add(arg(0, p));
        return acc.Result;
    }

    /// <summary>sum, avg, count, min or max over the values added so far (NULLs skipped).</summary>
    private sealed class Accumulator(WindowCall call)
    {
        private readonly bool _integer = call.Arguments.Count > 0 && call.Arguments[0].Type.IsInteger;
        // DECIMAL sums exactly at the argument's scale (the value arrives as decimal, or SqlDecimal past 28 digits).
        private readonly Columnar.Types.DecimalType? _decimal = call.Arguments.Count > 0 ? Functions.TypeRules.Logical(call.Arguments[0].Type) as Columnar.Types.DecimalType : null;
        private Int128 _decimalSum;
        private long _count, _longSum;
        private double _doubleSum;
        private object? _best;

        public void Add(object? v)
        {
            if (v is null) return;
            _count++;
            switch (call.Function)
            {
                case "sum" or "avg" when _decimal is { } d:
                    var exact = v is decimal m ? Columnar.Types.DecimalMath.FromDecimal(m, d)
                        : Columnar.Types.DecimalMath.Parse(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!, d)!.Value;
                    try { _decimalSum = checked(_decimalSum + exact); }
                    catch (OverflowException) { throw new Errors.QueryLakeException("QL-OVERFLOW", $"{call.Function}() OVER of DECIMAL values overflows 38 digits"); }
                    if (!Columnar.Types.DecimalMath.Fits(_decimalSum, Columnar.Types.DecimalType.MaxPrecision))
                        throw new Errors.QueryLakeException("QL-OVERFLOW", $"{call.Function}() OVER of DECIMAL values overflows 38 digits");
                    break;
                case "sum" or "avg":
                    if (_integer) _longSum = checked(_longSum + Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
                    else _doubleSum += Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "min" or "max":
                    if (_best is null || (call.Function == "max" ? Kernels.Comparer.Values(v, _best) > 0 : Kernels.Comparer.Values(v, _best) < 0)) _best = v;
                    break;
            }
        }

        public object? Result => call.Function switch
        {
            "count" => _count,
            "sum" when _decimal is { } d => _count == 0 ? null : Columnar.Types.DecimalMath.ToObject(_decimalSum, d.Scale),
            "avg" when _decimal is { } d => _count == 0 ? null : Columnar.Types.DecimalMath.ToDouble(_decimalSum, d.Scale) / _count,
            "sum" => _count == 0 ? null : _integer ? _longSum : _doubleSum,
            "avg" => _count == 0 ? null : (_integer ? _longSum : _doubleSum) / (double)_count,
            _ => _best,
        };
    }
}
