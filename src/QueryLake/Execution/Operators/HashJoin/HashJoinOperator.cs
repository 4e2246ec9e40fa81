using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// Joins by building a hash table on the right input over the equality keys found in the condition, then
/// probing it with left batches; other conditions are checked on the candidate pairs. Without equality keys
/// it falls back to a nested loop. NULL keys never match. Inner, left, right, full, semi, anti and cross joins.
/// </summary>
internal static class HashJoinOperator
{
    /// <summary>Joins <paramref name="left"/> with <paramref name="right"/>. With <paramref name="needed"/> (output
    /// column indices), the consumer reads only those columns: the others are not built but stand as unread NULL
    /// placeholders of the right length and type (a join key nobody reads above the join costs nothing to emit).</summary>
    public static IEnumerable<RecordBatch> Execute(JoinNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx,
        IReadOnlySet<int>? needed = null)
    {
        var (leftKeys, rightKeys, residual) = JoinCondition.Split(node.Condition, node.Left.Schema.Fields.Count);
        // A semi or anti join whose left input is the smaller builds the left side and marks the rows the right side
        // finds (EXISTS over a big table probes the table, not the other way round).
        if (node.Kind is JoinKind.Semi or JoinKind.Anti && leftKeys.Count > 0
            && node.Left.EstimatedRows is { } l && node.Right.EstimatedRows is { } r && l < r)
            return SemiBuildingLeft(node, left, right, ctx, leftKeys, rightKeys, residual);
        return BuildingRight(node, left, right, ctx, needed, leftKeys, rightKeys, residual);
    }

    /// <summary>Semi and anti joins with the left input in the hash table: every right batch probes it (several at
    /// once) and marks the left rows it matches; then the marked rows (semi) or the others (anti) come out, batch by
    /// batch in left order. NULL keys never match, so an anti join keeps their rows. Conditions beyond the equalities
    /// (<paramref name="residual"/>: TPC-H q21's <c>l2.l_suppkey &lt;&gt; l1.l_suppkey</c>) are checked on the key
    /// matches of each right batch whose left row is not marked yet, gathered into one batch of pairs.</summary>
    private static IEnumerable<RecordBatch> SemiBuildingLeft(JoinNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx,
        List<BoundExpr> leftKeys, List<BoundExpr> rightKeys, BoundExpr? residual)
    {
        var build = new List<RecordBatch>();
        foreach (var b in left)
        {
            if (b.Length == 0) continue;
            ctx.Reserve(QueryContext.SizeOf(b) + (JoinTable.BytesPerRow + 8) * b.Length, "the semi join's build side");
            build.Add(b);
        }
        if (build.Count == 0) yield break;
        var table = JoinTable.Build(build.Select(b => leftKeys.Select(k => ExpressionEvaluator.Evaluate(k, b)).ToArray()).ToList(), leftKeys.Count);
        var hit = new bool[table.Picks.Length]; // by build row; build batch b's rows start at starts[b]
        // The left columns of every build row, for the pairs a residual condition is checked on.
        var leftSources = residual is null ? []
            : node.Left.Schema.Fields.Select((f, c) => (IReadOnlyList<ArrowArray>)build.Select(b => Vectors.Plain(b.Columns[c])).ToList()).ToArray();
        var pairSchema = new Schema(node.Left.Schema.Fields.Concat(node.Right.Schema.Fields).Select((f, i) => f.WithName($"c{i}")).ToList());
        int Mark(RecordBatch rb)
        {
            var probe = table.Probe(rightKeys.Select(k => ExpressionEvaluator.Evaluate(k, rb)).ToArray(), rb.Length);
            if (residual is null)
            {
                for (int r = 0; r < rb.Length; r++)
                    for (int m = probe.First(r); m >= 0; m = probe.Next(m, r))
                        hit[m] = true; // only ever set to true: concurrent marks agree
                return rb.Length;
            }
            var builds = new List<int>();
            var probes = new List<int>();
            for (int r = 0; r < rb.Length; r++)
                for (int m = probe.First(r); m >= 0; m = probe.Next(m, r))
                    if (!hit[m]) { builds.Add(m); probes.Add(r); } // a marked row needs no more pairs
            if (builds.Count == 0) return rb.Length;
            var picks = builds.Select(m => table.Picks[m]).ToArray();
            var columns = leftSources.Select((sources, c) => Gather.Rows(node.Left.Schema.Fields[c].DataType, sources, picks))
                .Concat(rb.Columns.Select(col => Gather.Rows(col, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(probes)))).ToArray();
            foreach (int k in ExpressionEvaluator.Select(residual, new RecordBatch(pairSchema, columns, builds.Count))) hit[builds[k]] = true;
            return rb.Length;
        }
        foreach (var _ in Parallel.OrderedMap(right.Where(b => b.Length > 0), Mark, ctx.Threads, ctx.Cancel)) ctx.Cancel.ThrowIfCancellationRequested();
        bool keep = node.Kind == JoinKind.Semi;
        for (int b = 0, start = 0; b < build.Count; start += build[b].Length, b++)
        {
            int first = start;
            var rows = Enumerable.Range(0, build[b].Length).Where(r => hit[first + r] == keep).ToArray();
            if (rows.Length == build[b].Length) yield return build[b];
            else if (rows.Length > 0) yield return Gather.Rows(build[b], rows);
        }
    }

    private static IEnumerable<RecordBatch> BuildingRight(JoinNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx,
        IReadOnlySet<int>? needed, List<BoundExpr> leftKeys, List<BoundExpr> rightKeys, BoundExpr? residual)
    {
        int leftWidth = node.Left.Schema.Fields.Count;
        var build = new List<RecordBatch>();
        foreach (var b in right)
        {
            if (b.Length == 0) continue;
            ctx.Reserve(QueryContext.SizeOf(b) + (JoinTable.BytesPerRow + 8) * b.Length, "the hash join's build side");
            build.Add(b);
        }
        // Every build row in order: what a join without keys pairs each probe row with, and what RIGHT and FULL joins
        // look through for unmatched rows (the table numbers its rows the same way when it has keys).
        var buildKeys = build.Select(b => rightKeys.Select(k => ExpressionEvaluator.Evaluate(k, b)).ToArray()).ToList();
        Gather.Pick[]? every = null;
        Gather.Pick[] AllRight()
        {
            if (every is not null) return every;
            var all = new Gather.Pick[build.Sum(b => b.Length)];
            for (int b = 0, k = 0; b < build.Count; b++)
                for (int r = 0; r < build[b].Length; r++) all[k++] = new Gather.Pick(b, r);
            return every = all;
        }
        var table = JoinTable.Build(buildKeys, rightKeys.Count);
        var everyRow = leftKeys.Count == 0 ? AllRight() : null;
        // RIGHT and FULL joins: which build rows found a partner, by build row (batch b's rows start at starts[b]);
        // marks only ever go from false to true, so probes may run at once.
        var starts = new int[build.Count + 1];
        for (int b = 0; b < build.Count; b++) starts[b + 1] = starts[b] + build[b].Length;
        var rightMatched = new bool[starts[^1]];
        var nullRight = node.Right.Schema.Fields.Select(f => ArrayBuilder.Nulls(f.DataType, 1)).ToArray();
        var rightSources = node.Right.Schema.Fields.Select((f, c) => (IReadOnlyList<ArrowArray>)build.Select(b => b.Columns[c]).Append(nullRight[c]).ToList()).ToArray();
        var nullPick = new Gather.Pick(build.Count, 0);
        var rightText = EncodedBuildColumns(node, build, needed);
        var placeholders = new Placeholders(node.Left.Schema.Fields.Concat(node.Right.Schema.Fields).Select(f => f.DataType).ToArray(), needed);

        // Probe batches are independent unless right rows must be tracked (RIGHT and FULL joins): probe several at once.
        bool trackRight = node.Kind is JoinKind.Right or JoinKind.Full;
        RecordBatch? Probe(RecordBatch lb)
        {
            var keys = leftKeys.Select(k => ExpressionEvaluator.Evaluate(k, lb)).ToArray();
            var probe = keys.Length == 0 ? null : table.Probe(keys, lb.Length);
            var allRight = probe is null ? everyRow : null;
            using var pairs = new JoinPairs(lb.Length);
            for (int r = 0; r < lb.Length; r++)
            {
                if (probe is null)
                {
                    foreach (var p in allRight!) pairs.Add(r, p);
                    continue;
                }
                for (int m = probe.First(r); m >= 0; m = probe.Next(m, r)) pairs.Add(r, table.Picks[m]);
            }
            // Candidate pairs are materialized only when a residual condition must be checked on them; the pairs
            // that pass it are kept.
            if (residual is not null) pairs.Keep(ExpressionEvaluator.Select(residual, Combine(node, lb, pairs.Left, pairs.Right, rightSources, rightText, null)));
            // Which left rows found a partner matters only to outer, semi and anti joins.
            bool needHits = node.Kind is JoinKind.Left or JoinKind.Full or JoinKind.Semi or JoinKind.Anti;
            var leftHit = needHits ? new bool[lb.Length] : [];
            if (needHits || trackRight)
                for (int k = 0; k < pairs.Count; k++)
                {
                    if (needHits) leftHit[pairs.Left[k]] = true;
                    if (trackRight && pairs.Right[k] is var p && p.Source < build.Count) rightMatched[starts[p.Source] + p.Row] = true;
                }
            switch (node.Kind)
            {
                case JoinKind.Semi or JoinKind.Anti:
                    var rows = Enumerable.Range(0, lb.Length).Where(r => leftHit[r] == (node.Kind == JoinKind.Semi)).ToArray();
                    return rows.Length > 0 ? Gather.Rows(lb, rows) : null;
                default:
                    if (node.Kind is JoinKind.Left or JoinKind.Full)
                        for (int r = 0; r < lb.Length; r++) if (!leftHit[r]) pairs.Add(r, nullPick);
                    return pairs.Count > 0 ? Combine(node, lb, pairs.Left, pairs.Right, rightSources, rightText, placeholders) : null;
            }
        }
        var probed = Parallel.OrderedMap(left.Where(b => b.Length > 0), Probe, ctx.Threads, ctx.Cancel);
        foreach (var output in probed)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            if (output is not null) yield return output;
        }
        if (node.Kind is JoinKind.Right or JoinKind.Full)
        {
            var unmatched = AllRight().Where(p => !rightMatched[starts[p.Source] + p.Row]).ToArray();
            if (unmatched.Length > 0)
            {
                var columns = node.Left.Schema.Fields.Select(f => ArrayBuilder.Nulls(f.DataType, unmatched.Length))
                    .Concat(node.Right.Schema.Fields.Select((f, c) => Gather.Rows(f.DataType, rightSources[c], unmatched))).ToArray();
                yield return new RecordBatch(node.Schema, columns, unmatched.Length);
            }
        }
    }

    /// <summary>Text columns of the build side as one array each (all build rows in order, with the first row of each
    /// build batch at <c>Start</c>), for output as dictionary-encoded indices into them; null for other columns and for
    /// columns nobody reads above the join (<paramref name="needed"/>), which are never copied.</summary>
    private static (ArrowArray Values, int[] Start)?[] EncodedBuildColumns(JoinNode node, List<RecordBatch> build, IReadOnlySet<int>? needed)
    {
        int leftWidth = node.Left.Schema.Fields.Count;
        var starts = new int[build.Count];
        for (int b = 1; b < build.Count; b++) starts[b] = starts[b - 1] + build[b - 1].Length;
        Gather.Pick[]? all = null;
        Gather.Pick[] AllRows()
        {
            if (all is not null) return all;
            all = new Gather.Pick[build.Sum(b => b.Length)];
            for (int b = 0, k = 0; b < build.Count; b++)
                for (int r = 0; r < build[b].Length; r++) all[k++] = new Gather.Pick(b, r);
            return all;
        }
        return node.Right.Schema.Fields.Select((f, c) =>
        {
            if (f.DataType.StorageType is not VariableBinaryType { IsLarge: false } || node.Kind is JoinKind.Semi or JoinKind.Anti) return null;
            if (needed is not null && !needed.Contains(leftWidth + c)) return null;
            var values = build.Count == 1 ? Vectors.Plain(build[0].Columns[c]) : Gather.Rows(f.DataType, build.Select(b => Vectors.Plain(b.Columns[c])).ToList(), AllRows());
            return ((ArrowArray Values, int[] Start)?)(values, starts);
        }).ToArray();
    }

    /// <summary>Output rows: left rows gathered; build-side text as indices into its build column (no string is copied
    /// per row: later operators group, compare and filter by index, and results decode it), other build columns
    /// gathered.</summary>
    private static RecordBatch Combine(JoinNode node, RecordBatch lb, ReadOnlySpan<int> leftRows, ReadOnlySpan<Gather.Pick> rightPicks,
        IReadOnlyList<ArrowArray>[] rightSources, (ArrowArray Values, int[] Start)?[] rightText, Placeholders? placeholders)
    {
        // Each left row matched once, in order (a lookup join on a key): the left columns pass through as they are.
        bool identity = leftRows.Length == lb.Length;
        for (int i = 0; identity && i < leftRows.Length; i++) identity = leftRows[i] == i;
        int lw = lb.Columns.Count, n = leftRows.Length;
        var columns = new ArrowArray[lw + node.Right.Schema.Fields.Count];
        for (int c = 0; c < lw; c++)
            columns[c] = identity ? lb.Columns[c] : placeholders?.For(c, n) ?? Gather.Rows(lb.Columns[c], leftRows);
        for (int c = 0; c < node.Right.Schema.Fields.Count; c++)
            columns[lw + c] = placeholders?.For(lw + c, n) ?? (rightText[c] is { } text ? Encode(text, rightPicks, rightSources[c].Count - 1)
                : Gather.Rows(node.Right.Schema.Fields[c].DataType, rightSources[c], rightPicks));
        var schema = node.Kind is JoinKind.Semi or JoinKind.Anti
            ? new Schema(node.Left.Schema.Fields.Concat(node.Right.Schema.Fields).Select((f, i) => f.WithName($"c{i}")).ToList())
            : node.Schema;
        return new RecordBatch(schema, columns, leftRows.Length);
    }

    private static ArrowArray Encode((ArrowArray Values, int[] Start) text, ReadOnlySpan<Gather.Pick> picks, int nullSource)
    {
        var indices = new int[picks.Length];
        byte[]? valid = null;
        int nulls = 0;
        for (int i = 0; i < picks.Length; i++)
        {
            var p = picks[i];
            if (p.Source == nullSource || text.Values.IsNull(text.Start[p.Source] + p.Row))
            {
                valid ??= NewValid(picks.Length);
                Columnar.Memory.BitUtil.SetBit(valid, i, false);
                nulls++;
                continue;
            }
            indices[i] = text.Start[p.Source] + p.Row;
        }
        return Vectors.Encoded(text.Values, indices, valid is null ? Columnar.Memory.ArrowBuffer.Empty : Columnar.Memory.ArrowBuffer.Copy(valid), nulls);
    }

    /// <summary>NULL columns standing in for the output columns nobody reads: one array per column, grown when a batch
    /// is longer, sliced to each batch (probes run in parallel, so growth takes a lock).</summary>
    private sealed class Placeholders(DataType[] types, IReadOnlySet<int>? needed)
    {
        private readonly ArrowArray?[] _arrays = new ArrowArray?[types.Length];

        /// <summary>A placeholder of <paramref name="length"/> rows for column <paramref name="column"/>, or null when
        /// the column is read and must be built.</summary>
        public ArrowArray? For(int column, int length)
        {
            if (needed is null || needed.Contains(column)) return null;
            lock (_arrays)
            {
                var a = _arrays[column];
                if (a is null || a.Length < length) _arrays[column] = a = ArrayBuilder.Nulls(types[column], Math.Max(length, 2 * (a?.Length ?? 0)));
                return a.Slice(0, length);
            }
        }
    }

    private static byte[] NewValid(int n)
    {
        var bits = new byte[Columnar.Memory.BitUtil.BytesFor(n)];
        Array.Fill(bits, (byte)0xFF);
        return bits;
    }
}
