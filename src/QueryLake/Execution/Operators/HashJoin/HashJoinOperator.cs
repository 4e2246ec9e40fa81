using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// Joins by building a hash table on the right input over the equality keys found in the condition, then
/// probing it with left batches; other conditions are checked on the candidate pairs. Without equality keys
/// it falls back to a nested loop. NULL keys never match. Inner, left, right, full, semi, anti and cross joins.
/// </summary>
internal sealed class HashJoinOperator : PhysicalOperator
{
    private readonly JoinNode _node;
    private readonly IReadOnlySet<int>? _needed;
    private readonly bool _buildsLeft;
    private readonly int _keys;

    /// <summary>Joins the batches of <paramref name="left"/> and <paramref name="right"/>; with <paramref name="needed"/>
    /// (output column indices), its consumer reads only those columns (see <see cref="Execute"/>).</summary>
    public HashJoinOperator(JoinNode node, PhysicalOperator left, PhysicalOperator right, IReadOnlySet<int>? needed = null) : base(node, left, right)
    {
        (_node, _needed) = (node, needed);
        var (leftKeys, _, _) = JoinCondition.Split(node.Condition, node.Left.Schema.Fields.Count);
        _keys = leftKeys.Count;
        _buildsLeft = BuildsLeft(node, leftKeys.Count);
    }

    public override string Name => _keys == 0 ? _node.Kind == JoinKind.Cross || _node.Condition is null ? "CrossProduct" : "NestedLoopJoin" : "HashJoin";

    public override string Detail => List(new[]
    {
        _node.Kind == JoinKind.Cross ? null : _node.Kind.ToString().ToLowerInvariant() + (_node.Condition is null ? "" : $" on {_node.Condition}"),
        _keys > 0 ? (_buildsLeft ? "builds left and marks its rows, builds right past memory_limit" : "builds right, grace partitions past memory_limit")
            : "streams pieces of the left side against the right",
        _node.Publishes.Count == 0 ? null : $"publishes [{List(_node.Publishes.Select(p => $"f{p.Id}"))}]",
        _node.Applies.Count == 0 ? null : $"applies [{List(_node.Applies.Select(a => $"f{a.Id} to {_node.Left.Schema.Fields[a.Column].Name}"))}]",
        _needed is null ? null : $"builds {_needed.Count} of {_node.Schema.Fields.Count} columns",
    }.OfType<string>());

    /// <summary>The runtime filters of the joins whose left input's pipeline is being built on this thread.</summary>
    [ThreadStatic] private static FilterScope? t_filters;

    private sealed record FilterScope(int Id, RuntimeFilter.Slot Slot, FilterScope? Outer);

    private static RuntimeFilter.Slot? FindFilter(int id)
    {
        for (var s = t_filters; s is not null; s = s.Outer) if (s.Id == id) return s.Slot;
        return null;
    }

    /// <summary>The runtime filters this join publishes (<see cref="JoinNode.Publishes"/>) are in scope while its left
    /// input's pipeline is built, so the joins there that apply them (<see cref="JoinNode.Applies"/>) find this run's
    /// filters.</summary>
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx)
    {
        var publish = _node.Publishes.Select(_ => new RuntimeFilter.Slot()).ToArray();
        var apply = _node.Applies.Select(a => (a.Column, Slot: FindFilter(a.Id))).Where(a => a.Slot is not null).Select(a => (a.Column, a.Slot!)).ToArray();
        var scope = t_filters;
        for (int f = 0; f < publish.Length; f++) t_filters = new FilterScope(_node.Publishes[f].Id, publish[f], t_filters);
        IEnumerable<RecordBatch> left;
        try { left = Children[0].Open(ctx); }
        finally { t_filters = scope; }
        return Execute(_node, left, Children[1].Open(ctx), ctx, _needed, publish, apply);
    }

    /// <summary>Whether a semi or anti join builds its left side: when the left input is the smaller (EXISTS over a big
    /// table probes the table, not the other way round).</summary>
    private static bool BuildsLeft(JoinNode node, int keys) =>
        node.Kind is JoinKind.Semi or JoinKind.Anti && keys > 0
        && node.Left.EstimatedRows is { } l && node.Right.EstimatedRows is { } r && l < r;

    /// <summary>Joins <paramref name="left"/> with <paramref name="right"/>. With <paramref name="needed"/> (output
    /// column indices), the consumer reads only those columns: the others are not built but stand as unread NULL
    /// placeholders of the right length and type (a join key nobody reads above the join costs nothing to emit).</summary>
    /// <remarks>Runtime filters (<see cref="RuntimeFilter"/>): once its table is built, the join fills each of
    /// <paramref name="publish"/> (aligned with <see cref="JoinNode.Publishes"/>) from its key; before probing, it drops
    /// the left rows that <paramref name="apply"/>'s filters, published by joins above, rule out.</remarks>
    public static IEnumerable<RecordBatch> Execute(JoinNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx,
        IReadOnlySet<int>? needed = null, RuntimeFilter.Slot[]? publish = null, (int Column, RuntimeFilter.Slot Slot)[]? apply = null)
    {
        var (leftKeys, rightKeys, residual) = JoinCondition.Split(node.Condition, node.Left.Schema.Fields.Count);
        // A semi or anti join whose left input is the smaller builds the left side and marks the rows the right side finds.
        if (BuildsLeft(node, leftKeys.Count))
            return SemiBuildingLeft(node, left, right, ctx, leftKeys, rightKeys, residual);
        return BuildingRight(node, left, right, ctx, needed, leftKeys, rightKeys, residual, publish ?? [],
            (apply ?? []).Select(a => new Applied(a.Column, a.Slot)).ToArray());
    }

    /// <summary>A runtime filter applied to this join's left rows, with the rows it saw and kept: one that keeps nearly
    /// everything stops being applied.</summary>
    private sealed class Applied(int column, RuntimeFilter.Slot slot)
    {
        private long _seen, _kept;
        private volatile bool _off;

        /// <summary>Of <paramref name="rows"/> (null: all) of the batch, those the filter keeps; null when it is not
        /// published (yet) or switched off.</summary>
        public int[]? Select(RecordBatch batch, int[]? rows)
        {
            if (_off || slot.Filter is not { } filter) return null;
            var kept = filter.Select(batch.Columns[column], rows);
            long seen = Interlocked.Add(ref _seen, rows?.Length ?? batch.Length);
            long k = Interlocked.Add(ref _kept, kept.Length);
            if (seen >= 200_000 && k > seen * 0.9) _off = true;
            return kept;
        }
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
        var dictionaries = QueryContext.Dictionaries();
        long held = 0;
        using var leftRows = left.GetEnumerator();
        try
        {
            while (leftRows.MoveNext())
            {
                var b = leftRows.Current;
                if (b.Length == 0) continue;
                long bytes = QueryContext.SizeOf(b, dictionaries) + (JoinTable.BytesPerRow + 8) * b.Length;
                build.Add(b);
                if (!ctx.TryReserve(bytes))
                {
                    // The left side is bigger than the estimates said: build the right side instead, which spills as a
                    // grace hash join when it is too big as well.
                    ctx.Release(held);
                    held = 0;
                    foreach (var o in BuildingRight(node, Spill.SpillPartitions.Drain(build, leftRows), right, ctx, null, leftKeys, rightKeys, residual, [], []))
                        yield return o;
                    yield break;
                }
                held += bytes;
            }
            if (build.Count == 0) yield break;
            // The rows come out in their own batches; the table (and a residual's pairs) read them as one.
            var whole = Concatenate(node.Left.Schema, build, residual is null ? leftKeys.SelectMany(ExpressionRewriter.Columns).ToHashSet() : null);
            var table = new JoinTable(leftKeys.Select(k => ExpressionEvaluator.Evaluate(k, whole)).ToArray(), whole.Length);
            var hit = new bool[whole.Length]; // by build row
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
                var buildRows = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(builds);
                var probeRows = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(probes);
                var columns = new ArrowArray[whole.Columns.Count + rb.Columns.Count];
                for (int c = 0; c < whole.Columns.Count; c++) columns[c] = Gather.Rows(whole.Columns[c], buildRows);
                for (int c = 0; c < rb.Columns.Count; c++) columns[whole.Columns.Count + c] = Gather.Rows(rb.Columns[c], probeRows);
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
        finally { ctx.Release(held); }
    }

    /// <summary>The build batches as one batch (the table numbers its rows the same way), so pairs name a build row by
    /// one int and output columns gather from one array. With <paramref name="used"/>, the other columns are not copied
    /// but stand as NULL placeholders.</summary>
    private static RecordBatch Concatenate(Schema schema, List<RecordBatch> build, IReadOnlySet<int>? used)
    {
        if (build.Count == 1) return build[0];
        int n = build.Sum(b => b.Length);
        var picks = new Gather.Pick[n];
        for (int b = 0, k = 0; b < build.Count; b++)
            for (int r = 0; r < build[b].Length; r++) picks[k++] = new Gather.Pick(b, r);
        var columns = schema.Fields.Select((f, c) => used is null || used.Contains(c)
            ? Gather.Rows(f.DataType, build.Select(b => b.Columns[c]).ToList(), picks)
            : ArrayBuilder.Nulls(f.DataType, n)).ToArray();
        return new RecordBatch(schema, columns, n);
    }

    /// <summary>How deep a partition still over the limit is split again.</summary>
    public const int MaxSpillLevel = 3;

    /// <summary>Builds the right side and probes it with the left. A build side over the memory limit turns the join
    /// into a grace hash join: both sides are written to <see cref="Spill.SpillPartitions"/> by the hash of their
    /// keys (rows with equal keys share a partition; rows with a NULL key, which match nothing, go to the first), and each
    /// pair of partitions is then joined alone, split again when still too big. Outer, semi, anti and mark joins stay
    /// right per partition, since no row has a partner in another. Runtime filters are not published by a join that
    /// spills (they only ever narrow what is scanned).</summary>
    private static IEnumerable<RecordBatch> BuildingRight(JoinNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx,
        IReadOnlySet<int>? needed, List<BoundExpr> leftKeys, List<BoundExpr> rightKeys, BoundExpr? residual, RuntimeFilter.Slot[] publish, Applied[] apply,
        int level = 0)
    {
        var build = new List<RecordBatch>();
        var dictionaries = QueryContext.Dictionaries();
        long held = 0;
        using var rightRows = right.GetEnumerator();
        bool spill = false;
        try
        {
            while (rightRows.MoveNext())
            {
                var b = rightRows.Current;
                if (b.Length == 0) continue;
                long bytes = QueryContext.SizeOf(b, dictionaries) + (JoinTable.BytesPerRow + 8) * b.Length;
                if (!ctx.TryReserve(bytes))
                {
                    if (leftKeys.Count == 0 || level >= MaxSpillLevel) ctx.Reserve(bytes, "the hash join's build side"); // fails
                    build.Add(b);
                    spill = true;
                    break;
                }
                held += bytes;
                build.Add(b);
            }
            if (!spill)
            {
                foreach (var o in Probing(node, left, ctx, needed, leftKeys, rightKeys, residual, publish, apply, build)) yield return o;
                yield break;
            }
            // Grace: the build rows held and the rest, then the probe side, into partitions by key hash.
            var rightParts = Partition(ctx, $"join-build-{level}", node.Right.Schema, rightKeys, Spill.SpillPartitions.Drain(build, rightRows), level);
            ctx.Release(held);
            held = 0;
            var leftParts = Partition(ctx, $"join-probe-{level}", node.Left.Schema, leftKeys, left, level);
            for (int p = 0; p < Spill.SpillPartitions.Count; p++)
            {
                IEnumerable<RecordBatch> Side(string? file) => file is null ? [] : Spill.SpillFile.Read(file);
                foreach (var o in BuildingRight(node, Side(leftParts[p]), Side(rightParts[p]), ctx, needed, leftKeys, rightKeys, residual, [], [], level + 1))
                    yield return o;
            }
        }
        finally { ctx.Release(held); }
    }

    /// <summary>Writes <paramref name="batches"/> to spill partitions by the hash of their keys; the files' paths (null
    /// where no row went).</summary>
    private static string?[] Partition(QueryContext ctx, string kind, Schema schema, List<BoundExpr> keys, IEnumerable<RecordBatch> batches, int level)
    {
        using var partitions = new Spill.SpillPartitions(ctx, kind, schema);
        foreach (var b in batches)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            if (b.Length == 0) continue;
            var values = keys.Select(k => ExpressionEvaluator.Evaluate(k, b)).ToArray();
            partitions.Write(b, null, r => PartitionOf(values, r, level));
        }
        return partitions.Finish();
    }

    /// <summary>The partition of a row: the hash of its key values as the join compares them (integers and integral
    /// floating point alike, text by content), mixed with the level; a row with a NULL key goes to the first.</summary>
    private static int PartitionOf(ArrowArray[] keys, int row, int level)
    {
        var h = new HashCode();
        foreach (var k in keys)
        {
            switch (k.GetValue(row))
            {
                case null: return 0;
                case double d when double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 9e18: h.Add((long)d); break;
                case float f when float.IsFinite(f) && f == MathF.Floor(f) && MathF.Abs(f) < 9e18f: h.Add((long)f); break;
                case sbyte or byte or short or ushort or int or uint or long: h.Add(Convert.ToInt64(k.GetValue(row), System.Globalization.CultureInfo.InvariantCulture)); break;
                case byte[] bytes: h.AddBytes(bytes); break;
                case var v: h.Add(v); break;
            }
        }
        return Spill.SpillPartitions.Of(h.ToHashCode(), level);
    }

    /// <summary>Builds the table from <paramref name="build"/> (its memory counted by the caller) and probes it.</summary>
    private static IEnumerable<RecordBatch> Probing(JoinNode node, IEnumerable<RecordBatch> left, QueryContext ctx,
        IReadOnlySet<int>? needed, List<BoundExpr> leftKeys, List<BoundExpr> rightKeys, BoundExpr? residual, RuntimeFilter.Slot[] publish, Applied[] apply,
        List<RecordBatch> build)
    {
        int leftWidth = node.Left.Schema.Fields.Count;
        // The build side as one batch, of the columns something reads: the keys, a residual condition, the consumer.
        HashSet<int>? used = null;
        if (needed is not null)
        {
            used = rightKeys.SelectMany(ExpressionRewriter.Columns).ToHashSet();
            if (residual is not null) used.UnionWith(ExpressionRewriter.Columns(residual).Where(c => c >= leftWidth).Select(c => c - leftWidth));
            used.UnionWith(needed.Where(c => c >= leftWidth).Select(c => c - leftWidth));
        }
        var whole = build.Count == 0
            ? new RecordBatch(node.Right.Schema, node.Right.Schema.Fields.Select(f => ArrayBuilder.Nulls(f.DataType, 0)).ToArray(), 0)
            : Concatenate(node.Right.Schema, build, used);
        build.Clear();
        int buildRows = whole.Length;
        var buildKeys = rightKeys.Select(k => ExpressionEvaluator.Evaluate(k, whole)).ToArray();
        var table = new JoinTable(buildKeys, buildRows);
        for (int f = 0; f < publish.Length; f++) publish[f].Filter = new RuntimeFilter(buildKeys[node.Publishes[f].Key]);
        // RIGHT and FULL joins: which build rows found a partner; marks only ever go from false to true, so probes may
        // run at once.
        var rightMatched = new bool[buildRows];
        var rightText = EncodedBuildColumns(node, whole, needed);
        var placeholders = new Placeholders(node.Left.Schema.Fields.Concat(node.Right.Schema.Fields).Select(f => f.DataType).ToArray(), needed);

        // Probe batches are independent unless right rows must be tracked (RIGHT and FULL joins): probe several at once.
        bool trackRight = node.Kind is JoinKind.Right or JoinKind.Full;
        RecordBatch? Probe(RecordBatch lb)
        {
            // The rows the filters of the joins above keep (null: all); the others come out of no join above.
            int[]? selected = null;
            foreach (var a in apply) selected = a.Select(lb, selected) ?? selected;
            if (selected is { Length: 0 }) return null;
            var keys = leftKeys.Select(k => ExpressionEvaluator.Evaluate(k, lb)).ToArray();
            var probe = keys.Length == 0 ? null : table.Probe(keys, lb.Length, selected);
            int count = selected?.Length ?? lb.Length;
            var firsts = probe?.Firsts;
            bool semi = node.Kind == JoinKind.Semi;
            // Semi and anti joins without a residual only ask whether a row has a match.
            if (node.Kind is JoinKind.Semi or JoinKind.Anti && residual is null && firsts is not null)
            {
                var kept = new int[count];
                int k = 0;
                for (int i = 0; i < count; i++)
                {
                    int r = selected is null ? i : selected[i];
                    kept[k] = r;
                    k += (firsts[r] >= 0) == semi ? 1 : 0;
                }
                return k == lb.Length ? lb : k > 0 ? Gather.Rows(lb, kept.AsSpan(0, k)) : null;
            }
            using var pairs = new JoinPairs(lb.Length);
            if (firsts is not null)
            {
                // Integer keys: the first matches come as an array, and a unique build side has no chains to walk.
                bool unique = table.Unique;
                for (int i = 0; i < count; i++)
                {
                    int r = selected is null ? i : selected[i];
                    int m = firsts[r];
                    if (m < 0) continue;
                    pairs.Add(r, m);
                    if (!unique) for (m = table.NextOf(m); m >= 0; m = table.NextOf(m)) pairs.Add(r, m);
                }
            }
            else
                for (int i = 0; i < count; i++)
                {
                    int r = selected is null ? i : selected[i];
                    if (probe is null)
                    {
                        for (int m = 0; m < buildRows; m++) pairs.Add(r, m);
                        continue;
                    }
                    for (int m = probe.First(r); m >= 0; m = probe.Next(m, r)) pairs.Add(r, m);
                }
            // Candidate pairs are materialized only when a residual condition must be checked on them; the pairs
            // that pass it are kept.
            if (residual is not null) pairs.Keep(ExpressionEvaluator.Select(residual, Combine(node, lb, pairs.Left, pairs.Right, whole, rightText, null)));
            // Which left rows found a partner matters only to outer, semi and anti joins.
            bool needHits = node.Kind is JoinKind.Left or JoinKind.Full or JoinKind.Semi or JoinKind.Anti;
            var leftHit = needHits ? new bool[lb.Length] : [];
            if (needHits || trackRight)
                for (int k = 0; k < pairs.Count; k++)
                {
                    if (needHits) leftHit[pairs.Left[k]] = true;
                    if (trackRight) rightMatched[pairs.Right[k]] = true;
                }
            switch (node.Kind)
            {
                case JoinKind.Semi or JoinKind.Anti:
                    var rows = new int[count];
                    int kept = 0;
                    for (int i = 0; i < count; i++)
                    {
                        int r = selected is null ? i : selected[i];
                        rows[kept] = r;
                        kept += leftHit[r] == semi ? 1 : 0;
                    }
                    return kept == lb.Length ? lb : kept > 0 ? Gather.Rows(lb, rows.AsSpan(0, kept)) : null;
                default:
                    if (node.Kind is JoinKind.Left or JoinKind.Full)
                        for (int i = 0; i < count; i++)
                        {
                            int r = selected is null ? i : selected[i];
                            if (!leftHit[r]) pairs.Add(r, -1);
                        }
                    return pairs.Count > 0 ? Combine(node, lb, pairs.Left, pairs.Right, whole, rightText, placeholders) : null;
            }
        }
        // Without keys every left row pairs with every build row (cross and nested-loop joins): left batches are cut
        // into pieces of at most PairsPerPiece pairs, so output streams in bounded batches, a LIMIT above stops the join
        // early, and cancellation is checked between pieces.
        var probing = left.Where(b => b.Length > 0);
        if (leftKeys.Count == 0 && buildRows > 0)
        {
            int rows = Math.Max(1, PairsPerPiece / buildRows);
            probing = probing.SelectMany(b => Pieces(b, rows));
        }
        // With keys a probe row pairs with at most the longest chain's rows: when a whole batch could make more than
        // FanOutPairs pairs (a key repeated thousands of times on the build side), it is cut into pieces that cannot,
        // so the pairs and the output of one piece stay bounded however skewed the keys.
        else if (leftKeys.Count > 0 && !(node.Kind is JoinKind.Semi or JoinKind.Anti && residual is null) && table.LongestChain > 1)
        {
            int rows = Math.Max(1, FanOutPairs / table.LongestChain);
            probing = probing.SelectMany(b => b.Length > rows ? Pieces(b, rows) : [b]);
        }
        var probed = Parallel.OrderedMap(probing, Probe, ctx.Threads, ctx.Cancel);
        foreach (var output in probed)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            if (output is not null) yield return output;
        }
        if (node.Kind is JoinKind.Right or JoinKind.Full)
        {
            var unmatched = Enumerable.Range(0, buildRows).Where(m => !rightMatched[m]).ToArray();
            if (unmatched.Length > 0)
            {
                var columns = node.Left.Schema.Fields.Select(f => ArrayBuilder.Nulls(f.DataType, unmatched.Length))
                    .Concat(whole.Columns.Select(c => Gather.Rows(c, unmatched))).ToArray();
                yield return new RecordBatch(node.Schema, columns, unmatched.Length);
            }
        }
    }

    /// <summary>The most pairs one probe of a join without keys makes at once.</summary>
    internal const int PairsPerPiece = 1 << 13;

    /// <summary>The most pairs a keyed join's probe piece may make (see <see cref="Probing"/>).</summary>
    internal const int FanOutPairs = 1 << 20;

    private static IEnumerable<RecordBatch> Pieces(RecordBatch b, int rows)
    {
        if (b.Length <= rows) { yield return b; yield break; }
        for (int at = 0; at < b.Length; at += rows) yield return b.Slice(at, Math.Min(rows, b.Length - at));
    }

    /// <summary>Plain text columns of the build side, for output as dictionary-encoded indices into them; null for other
    /// columns and for columns nobody reads above the join (<paramref name="needed"/>).</summary>
    private static ArrowArray?[] EncodedBuildColumns(JoinNode node, RecordBatch whole, IReadOnlySet<int>? needed)
    {
        int leftWidth = node.Left.Schema.Fields.Count;
        return node.Right.Schema.Fields.Select((f, c) =>
        {
            if (f.DataType.StorageType is not VariableBinaryType { IsLarge: false } || node.Kind is JoinKind.Semi or JoinKind.Anti) return null;
            if (needed is not null && !needed.Contains(leftWidth + c)) return null;
            return Vectors.Plain(whole.Columns[c]);
        }).ToArray();
    }

    /// <summary>Output rows: left rows gathered; build-side text as indices into its build column (no string is copied
    /// per row: later operators group, compare and filter by index, and results decode it), other build columns
    /// gathered (a build row of −1 gives NULLs).</summary>
    private static RecordBatch Combine(JoinNode node, RecordBatch lb, ReadOnlySpan<int> leftRows, ReadOnlySpan<int> rightRows,
        RecordBatch whole, ArrowArray?[] rightText, Placeholders? placeholders)
    {
        // Each left row matched once, in order (a lookup join on a key): the left columns pass through as they are.
        bool identity = leftRows.Length == lb.Length;
        for (int i = 0; identity && i < leftRows.Length; i++) identity = leftRows[i] == i;
        int lw = lb.Columns.Count, n = leftRows.Length;
        var columns = new ArrowArray[lw + node.Right.Schema.Fields.Count];
        for (int c = 0; c < lw; c++)
            columns[c] = identity ? lb.Columns[c] : placeholders?.For(c, n) ?? Gather.Rows(lb.Columns[c], leftRows);
        for (int c = 0; c < node.Right.Schema.Fields.Count; c++)
            columns[lw + c] = placeholders?.For(lw + c, n) ?? (rightText[c] is { } text ? Encode(text, rightRows)
                : Gather.RowsOrNull(whole.Columns[c], rightRows));
        var schema = node.Kind is JoinKind.Semi or JoinKind.Anti
            ? new Schema(node.Left.Schema.Fields.Concat(node.Right.Schema.Fields).Select((f, i) => f.WithName($"c{i}")).ToList())
            : node.Schema;
        return new RecordBatch(schema, columns, leftRows.Length);
    }

    private static ArrowArray Encode(ArrowArray text, ReadOnlySpan<int> rows)
    {
        var indices = new int[rows.Length];
        byte[]? valid = null;
        int nulls = 0;
        bool textNulls = text.NullCount > 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if (r < 0 || (textNulls && text.IsNull(r)))
            {
                valid ??= NewValid(rows.Length);
                Columnar.Memory.BitUtil.SetBit(valid, i, false);
                nulls++;
                continue;
            }
            indices[i] = r;
        }
        return Vectors.Encoded(text, indices, valid is null ? Columnar.Memory.ArrowBuffer.Empty : Columnar.Memory.ArrowBuffer.Copy(valid), nulls);
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
