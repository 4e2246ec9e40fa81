using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Functions;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.HashAggregate;

/// <summary>Groups rows in a hash table keyed by the group values and updates each aggregate's state per batch.
/// Without GROUP BY it yields exactly one row, even over no input (count gives 0, the others NULL).</summary>
internal sealed class HashAggregateOperator(AggregateNode node, PhysicalOperator input, bool lent = false) : PhysicalOperator(node, input)
{
    public override string Name => node.Groups.Count == 0 ? "UngroupedAggregate" : "HashAggregate";

    public override string Detail =>
        (node.Groups.Count == 0 ? "" : $"groups=[{List(node.Groups)}] ") + $"aggregates=[{List(node.Aggregates)}]"
        + (node.Groups.Count == 0 ? "" : ", partitions past memory_limit") + (lent ? ", reads lent batches" : "");

    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx, lent);

    /// <summary>How deep partitions are split again when one is still over the limit (16⁴ partitions in all).</summary>
    public const int MaxSpillLevel = 4;

    /// <summary>Aggregates <paramref name="input"/>. When no accumulator and no group key may keep views of its input
    /// (<see cref="AggregateState.KeepsInputs"/>, nested keys), the keys and arguments computed per batch are scratch
    /// (<see cref="ScratchScope"/>), given back once the batch is aggregated; with <paramref name="lent"/>, the input may
    /// hold batches lent by a scan (<see cref="Scan.ScanOperator.Execute"/>), released then too.</summary>
    /// <remarks>Over the memory limit, a grouped aggregation spills: the groups it holds stay, and are still updated by
    /// their rows, while the rows of groups it does not hold go to one of the <see cref="Spill.SpillPartitions"/> by
    /// the hash of their keys. Once the input ends, the groups held are emitted and each partition is aggregated in
    /// turn the same way (its groups are in no other partition and not among those emitted). Every aggregate works so:
    /// no partial state is ever merged.</remarks>
    public static IEnumerable<RecordBatch> Execute(AggregateNode node, IEnumerable<RecordBatch> input, QueryContext ctx, bool lent = false) =>
        Execute(node, input, ctx, lent, level: 0);

    private static IEnumerable<RecordBatch> Execute(AggregateNode node, IEnumerable<RecordBatch> input, QueryContext ctx, bool lent, int level)
    {
        GroupIndexer? indexer = null;
        var states = node.Aggregates.Select(a => a.Distinct ? new DistinctState(a.Resolution) : a.Resolution.CreateState()).ToArray();
        // Group keys are held by the indexer as .NET values (numbers, strings), except nested ones.
        bool keepsNothing = states.All(s => !s.KeepsInputs) && node.Groups.All(g => g.Type.IsFlat);
        // Group keys and aggregate arguments are computed on several batches at once; the hash table and the
        // accumulators are then updated in order on this thread.
        var encoded = states.Select(s => s.AcceptsDictionaries).ToArray();
        (ArrowArray[] Keys, ArrowArray[][] Args) Evaluate(RecordBatch b) => (
            node.Groups.Select(g => ExpressionEvaluator.Evaluate(g, b)).ToArray(),
            node.Aggregates.Select((a, i) => a.Arguments.Select(x => ExpressionEvaluator.Evaluate(x, b))
                .Select(x => encoded[i] ? x : Kernels.Vectors.Plain(x)).ToArray()).ToArray());
        var evaluated = Parallel.OrderedMap(input, b =>
        {
            if (!keepsNothing) return (Batch: b, Evaluated: Evaluate(b), Scratch: (BufferLease?)null);
            var (e, scratch) = ScratchScope.Run(() => Evaluate(b));
            return (Batch: b, Evaluated: e, Scratch: scratch);
        }, ctx.Threads, ctx.Cancel);
        // One group-id buffer for all batches (accumulators read it synchronously): without GROUP BY it stays zeros.
        var buffer = Array.Empty<int>();
        var counted = new long[states.Length];
        long held = 0;
        Spill.SpillPartitions? partitions = null;
        Spill.SpillPartitions Partitions(Schema schema) => new(ctx, $"agg-{level}", schema);
        // Over the limit, DISTINCT sets switch to two aggregations (DistinctSplit): the rest of the input goes there.
        var split = level < MaxSpillLevel ? DistinctSplit.For(node) : null;
        using var batches = evaluated.GetEnumerator();
        try
        {
            while (batches.MoveNext())
            {
                var (batch, (keyColumns, args), scratch) = batches.Current;
                int length = batch.Length;
                ctx.Cancel.ThrowIfCancellationRequested();
                if (buffer.Length < length) buffer = new int[Math.Max(length, buffer.Length * 2)];
                var ids = buffer.AsSpan(0, length);
                int[]? known = null; // with spilling: the rows of groups held, when not all are
                bool spilledBefore = partitions is not null;
                if (keyColumns.Length > 0)
                {
                    indexer ??= GroupIndexer.For(keyColumns);
                    if (partitions is not null)
                    {
                        indexer.Probe(keyColumns, ids);
                        known = Route(batch, keyColumns, ids, partitions, level);
                    }
                    else
                    {
                        int before = indexer.Count;
                        indexer.Assign(keyColumns, ids);
                        // Each new group holds its key values and one accumulator per aggregate: about 64 bytes apiece.
                        long bytes = 64L * (indexer.Count - before) * (keyColumns.Length + states.Length);
                        if (!ctx.TryReserve(bytes))
                        {
                            if (level >= MaxSpillLevel) ctx.Reserve(bytes, "the hash aggregation"); // fails: nothing left to split
                            // The groups this batch added are made; from the next batch on, new groups' rows spill.
                            ctx.Hold(bytes);
                            partitions = Partitions(batch.Schema);
                        }
                        held += bytes;
                    }
                }
                bool splitting = false;
                for (int a = 0; a < states.Length; a++)
                {
                    if (keyColumns.Length == 0) states[a].UpdateSingle(args[a], length);
                    else if (known is null) states[a].Update(ids, args[a]);
                    else if (known.Length > 0)
                    {
                        var rows = known;
                        var knownIds = new int[rows.Length];
                        for (int j = 0; j < rows.Length; j++) knownIds[j] = ids[rows[j]];
                        states[a].Update(knownIds, args[a].Select(x => Kernels.Gather.Rows(x, rows)).ToArray());
                    }
                    // What the state keeps per value (lists, string_agg, DISTINCT, quantiles) counts against the limit too.
                    // A state that grows past the limit makes the aggregation spill too (its groups held stay, and may
                    // still grow: a group larger than the limit fails), or DISTINCT sets switch to two aggregations.
                    long kept = states[a].HeldBytes;
                    if (kept != counted[a])
                    {
                        long delta = kept - counted[a];
                        if (!ctx.TryReserve(delta))
                        {
                            if (split is not null) splitting = true;
                            else if (spilledBefore || keyColumns.Length == 0 || level >= MaxSpillLevel) ctx.Reserve(delta, $"the aggregate {node.Aggregates[a]}");
                            // This batch's rows are in the groups already: what they added is held, and spilling starts.
                            ctx.Hold(delta);
                            if (!splitting) partitions ??= Partitions(batch.Schema);
                        }
                        held += delta;
                        counted[a] = kept;
                    }
                }
                scratch?.Release();
                if (lent && keepsNothing) batch.Release();
                if (!splitting) continue;
                // Every state has seen this batch: the pairs held, the rows still to come and those spilled before go
                // to the pairs' aggregation, which spills by partitions; what the states hold counts until it is read
                // out. The distinct pairs go to a spill file, and the aggregates run over it alone: stacked, the outer
                // aggregation's groups would take the memory the pairs' partitions need.
                var pairs = DistinctPairs(states.OfType<DistinctState>().First(), indexer, node, split!.PairSchema)
                    .Concat(Released(ctx, held))
                    .Concat(Rest(batches, node, split.PairSchema))
                    .Concat(Spilled(partitions?.Finish() ?? [], node, split.PairSchema, ctx));
                held = 0;
                (states, indexer) = ([], null);
                var distinct = Spill.SpillFile.Write(ctx, "agg-pairs", split.Pairs.Schema, Execute(split.Pairs, pairs, ctx, lent: false, level + 1));
                foreach (var b in Execute(split.Outer, Spill.SpillFile.Read(distinct), ctx, lent: false, level + 1))
                    yield return b;
                yield break;
            }
            // Without GROUP BY there is exactly one group, even over no rows.
            int groupCount = node.Groups.Count == 0 ? 1 : indexer?.Count ?? 0;
            if (groupCount > 0 || partitions is null)
            {
                var columns = new List<ArrowArray>();
                if (indexer?.KeyColumns(node.Groups.Select(g => g.Type).ToList()) is { } typed) columns.AddRange(typed);
                else for (int g = 0; g < node.Groups.Count; g++)
                {
                    var builder = ArrayBuilder.Create(node.Groups[g].Type);
                    for (int id = 0; id < groupCount; id++) builder.Append(indexer!.Key(id, g));
                    columns.Add(builder.Build());
                }
                columns.AddRange(states.Select(s => s.Finish(groupCount)));
                yield return new RecordBatch(node.Schema, columns, groupCount);
            }
            if (partitions is null) yield break;
            // The groups held are out: their memory goes to the partitions, aggregated one after another.
            indexer = null;
            states = [];
            ctx.Release(held);
            held = 0;
            var files = partitions.Finish();
            foreach (var file in files)
            {
                if (file is null) continue;
                foreach (var b in Execute(node, Spill.SpillFile.Read(file), ctx, lent: false, level + 1)) yield return b;
            }
        }
        finally
        {
            ctx.Release(held);
            partitions?.Dispose();
        }
    }

    /// <summary>What the DISTINCT state holds, as (groups' values, x) rows in batches: each distinct pair of a group,
    /// and (groups' values, NULL) for a group that met only NULLs (aggregates that qualify skip it, but the group
    /// stays).</summary>
    private static IEnumerable<RecordBatch> DistinctPairs(DistinctState state, GroupIndexer? indexer, AggregateNode node, Schema schema)
    {
        int groupCount = node.Groups.Count == 0 ? 1 : indexer?.Count ?? 0;
        var (groups, values) = state.Pairs(schema.Fields[^1].DataType);
        var met = new bool[groupCount];
        foreach (var g in groups) met[g] = true;
        var empty = Enumerable.Range(0, groupCount).Where(g => !met[g]).ToArray();
        var keys = node.Groups.Count == 0 ? [] : indexer!.KeyColumns(node.Groups.Select(g => g.Type).ToList())
            ?? node.Groups.Select((g, c) => ArrayBuilder.Build(g.Type, Enumerable.Range(0, groupCount).Select(id => indexer.Key(id, c)))).ToArray();
        const int Chunk = 1 << 16;
        for (int start = 0; start < groups.Length; start += Chunk)
        {
            var rows = Enumerable.Range(start, Math.Min(Chunk, groups.Length - start)).ToArray();
            var ids = rows.Select(r => groups[r]).ToArray();
            yield return new RecordBatch(schema, [.. keys.Select(k => Kernels.Gather.Rows(k, ids)), Kernels.Gather.Rows(values, rows)], rows.Length);
        }
        if (empty.Length > 0)
            yield return new RecordBatch(schema, [.. keys.Select(k => Kernels.Gather.Rows(k, empty)),
                ArrayBuilder.Build(schema.Fields[^1].DataType, empty.Select(_ => (object?)null))], empty.Length);
    }

    /// <summary>Gives back <paramref name="bytes"/> when enumerated (after what came before it was read).</summary>
    private static IEnumerable<RecordBatch> Released(QueryContext ctx, long bytes)
    {
        ctx.Release(bytes);
        yield break;
    }

    /// <summary>The batches still to come, as (groups' values, x) rows (the keys and arguments computed already).</summary>
    private static IEnumerable<RecordBatch> Rest(IEnumerator<(RecordBatch Batch, (ArrowArray[] Keys, ArrowArray[][] Args) Evaluated, BufferLease? Scratch)> batches,
        AggregateNode node, Schema schema)
    {
        int x = node.Aggregates.Select((a, i) => (a, i)).First(p => p.a.Distinct).i;
        while (batches.MoveNext())
        {
            var (batch, (keys, args), _) = batches.Current;
            yield return new RecordBatch(schema, [.. keys, Kernels.Vectors.Plain(args[x][0])], batch.Length);
        }
    }

    /// <summary>The input rows spilled before the switch (to partitions, by group), as (groups' values, x) rows.</summary>
    private static IEnumerable<RecordBatch> Spilled(string?[] files, AggregateNode node, Schema schema, QueryContext ctx)
    {
        var x = node.Aggregates.First(a => a.Distinct).Arguments[0];
        foreach (var file in files)
        {
            if (file is null) continue;
            foreach (var b in Spill.SpillFile.Read(file))
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                yield return new RecordBatch(schema, [.. node.Groups.Select(g => ExpressionEvaluator.Evaluate(g, b)), Kernels.Vectors.Plain(ExpressionEvaluator.Evaluate(x, b))], b.Length);
            }
        }
    }

    /// <summary>Sends the rows whose group is not held (id −1) to their partition by the hash of their keys; returns the
    /// rows that stay, or null when all do.</summary>
    private static int[]? Route(RecordBatch batch, ArrowArray[] keys, ReadOnlySpan<int> ids, Spill.SpillPartitions partitions, int level)
    {
        int unknown = 0;
        foreach (int id in ids) if (id < 0) unknown++;
        if (unknown == 0) return null;
        var known = new int[ids.Length - unknown];
        var spilled = new int[unknown];
        for (int i = 0, k = 0, u = 0; i < ids.Length; i++)
            if (ids[i] >= 0) known[k++] = i;
            else spilled[u++] = i;
        partitions.Write(batch, spilled, r => Spill.SpillPartitions.Of(RowKey.Of(keys, r).GetHashCode(), level));
        return known;
    }

    /// <summary>An aggregate over the distinct non-NULL values of each group.</summary>
    /// <summary>agg(DISTINCT x): each value gets a dense id from a typed indexer (no per-row allocation for int64 and
    /// text), (group, value id) pairs are kept once, and the inner aggregate then sees each group's distinct values.</summary>
    private sealed class DistinctState(AggregateResolution resolution) : AggregateState
    {
        private GroupIndexer? _values;
        private readonly HashSet<long> _pairs = new(PairHash.Instance);
        private readonly List<(int Group, int Value)> _distinct = [];
        private int[] _ids = [];
        private Columnar.Types.DataType? _type;

        /// <summary>Distinct values are numbered by a group indexer, which reads encoded keys by index.</summary>
        public override bool AcceptsDictionaries => true;

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            if (inputs.Count == 0) return;
            var input = inputs[0];
            Constants(inputs);
            var ids = ValueIds(input, groups.Length);
            bool nulls = input.NullCount > 0;
            for (int i = 0; i < groups.Length; i++)
            {
                if (nulls && input.IsNull(i)) continue;
                if (_pairs.Add(((long)groups[i] << 32) | (uint)ids[i])) _distinct.Add((groups[i], ids[i]));
            }
        }

        /// <summary>Without GROUP BY, one flag per distinct value id says whether it was counted (no pair hashing).</summary>
        public override void UpdateSingle(IReadOnlyList<ArrowArray> inputs, int length)
        {
            if (inputs.Count == 0) return;
            var input = inputs[0];
            Constants(inputs);
            var ids = ValueIds(input, length);
            int known = _values!.Count;
            if (_seen.Length < known) Array.Resize(ref _seen, Math.Max(known, _seen.Length * 2));
            bool nulls = input.NullCount > 0;
            for (int i = 0; i < length; i++)
            {
                if (nulls && input.IsNull(i)) continue;
                if (!_seen[ids[i]]) { _seen[ids[i]] = true; _distinct.Add((0, ids[i])); }
            }
        }

        private bool[] _seen = [];

        /// <summary>The constant arguments after the first (string_agg's separator, the quantile's q), as first met.</summary>
        private (Columnar.Types.DataType Type, object? Value)[]? _constants;

        private void Constants(IReadOnlyList<ArrowArray> inputs)
        {
            if (_constants is null && inputs.Count > 1 && inputs[0].Length > 0)
                _constants = inputs.Skip(1).Select(a => (a.Type, a.IsValid(0) ? a.GetValue(0) : null)).ToArray();
        }

        /// <summary>The dense id of each row's value (from one indexer across all batches).</summary>
        private Span<int> ValueIds(ArrowArray input, int length)
        {
            _type ??= TypeRules.Logical(input.Type);
            if (_ids.Length < length) _ids = new int[Math.Max(length, _ids.Length * 2)];
            var ids = _ids.AsSpan(0, length);
            (_values ??= GroupIndexer.For([input])).Assign([input], ids);
            return ids;
        }

        /// <summary>The distinct pairs held: each one's group, and the values in the same order.</summary>
        public (int[] Groups, ArrowArray Values) Pairs(Columnar.Types.DataType type)
        {
            var groups = _distinct.Select(d => d.Group).ToArray();
            var valueIds = _distinct.Select(d => d.Value).ToArray();
            if (_values is null) return (groups, ArrayBuilder.Build(type, []));
            var values = _values.KeyColumn(type) is { } typed ? Kernels.Gather.Rows(typed, valueIds)
                : ArrayBuilder.Build(type, valueIds.Select(v => _values.Key(v, 0)));
            return (groups, values);
        }

        /// <summary>Each distinct (group, value) pair in the set and the list, and each distinct value's key.</summary>
        public override long HeldBytes => 24L * _pairs.Count + 8L * _distinct.Count + 16L * (_values?.Count ?? 0) + _seen.Length;

        public override ArrowArray Finish(int groupCount)
        {
            var inner = resolution.CreateState();
            var type = resolution.InputTypes?.FirstOrDefault() ?? _type ?? Columnar.Types.DataType.Int64;
            // One update with every (group, distinct value) pair, in the order first met (so each group's values keep
            // their order for order-sensitive aggregates); values typed from the indexer where it holds them.
            if (_distinct.Count > 0)
            {
                var (groups, values) = Pairs(type);
                inner.Update(groups, [values, .. (_constants ?? []).Select(c => ArrayBuilder.Build(c.Type, Enumerable.Repeat(c.Value, groups.Length)))]);
            }
            return inner.Finish(groupCount);
        }
    }
}
