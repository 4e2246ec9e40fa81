using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Functions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.HashAggregate;

/// <summary>Groups rows in a hash table keyed by the group values and updates each aggregate's state per batch.
/// Without GROUP BY it yields exactly one row, even over no input (count gives 0, the others NULL).</summary>
internal static class HashAggregateOperator
{
    /// <summary>Aggregates <paramref name="input"/>. When no accumulator and no group key may keep views of its input
    /// (<see cref="AggregateState.KeepsInputs"/>, nested keys), the keys and arguments computed per batch are scratch
    /// (<see cref="ScratchScope"/>), given back once the batch is aggregated; with <paramref name="lent"/>, the input may
    /// hold batches lent by a scan (<see cref="Scan.ScanOperator.Execute"/>), released then too.</summary>
    public static IEnumerable<RecordBatch> Execute(AggregateNode node, IEnumerable<RecordBatch> input, QueryContext ctx, bool lent = false)
    {
        GroupIndexer? indexer = null;
        var states = node.Aggregates.Select(a => a.Distinct ? new DistinctState(a.Resolution) : a.Resolution.CreateState()).ToArray();
        // Group keys are held by the indexer as .NET values (numbers, strings), except nested ones.
        bool keepsNothing = states.All(s => !s.KeepsInputs) && node.Groups.All(g => g.Type.IsFlat);
        // Group keys and aggregate arguments are computed on several batches at once; the hash table and the
        // accumulators are then updated in order on this thread.
        (ArrowArray[] Keys, ArrowArray[][] Args) Evaluate(RecordBatch b) => (
            node.Groups.Select(g => ExpressionEvaluator.Evaluate(g, b)).ToArray(),
            node.Aggregates.Select((a, i) => a.Arguments.Select(x => ExpressionEvaluator.Evaluate(x, b))
                .Select(x => states[i].AcceptsDictionaries ? x : Kernels.Vectors.Plain(x)).ToArray()).ToArray());
        var evaluated = Parallel.OrderedMap(input, b =>
        {
            if (!keepsNothing) return (Batch: b, Evaluated: Evaluate(b), Scratch: (BufferLease?)null);
            var (e, scratch) = ScratchScope.Run(() => Evaluate(b));
            return (Batch: b, Evaluated: e, Scratch: scratch);
        }, ctx.Threads, ctx.Cancel);
        // One group-id buffer for all batches (accumulators read it synchronously): without GROUP BY it stays zeros.
        var buffer = Array.Empty<int>();
        var counted = new long[states.Length];
        foreach (var (batch, (keyColumns, args), scratch) in evaluated)
        {
            int length = batch.Length;
            ctx.Cancel.ThrowIfCancellationRequested();
            if (buffer.Length < length) buffer = new int[Math.Max(length, buffer.Length * 2)];
            var ids = buffer.AsSpan(0, length);
            if (keyColumns.Length > 0)
            {
                indexer ??= GroupIndexer.For(keyColumns);
                int before = indexer.Count;
                indexer.Assign(keyColumns, ids);
                // Each new group holds its key values and one accumulator per aggregate: about 64 bytes apiece.
                ctx.Reserve(64L * (indexer.Count - before) * (keyColumns.Length + states.Length), "the hash aggregation");
            }
            for (int a = 0; a < states.Length; a++)
            {
                if (keyColumns.Length == 0) states[a].UpdateSingle(args[a], length);
                else states[a].Update(ids, args[a]);
                // What the state keeps per value (lists, string_agg, DISTINCT, quantiles) counts against the limit too.
                long held = states[a].HeldBytes;
                if (held != counted[a]) { ctx.Reserve(held - counted[a], $"the aggregate {node.Aggregates[a]}"); counted[a] = held; }
            }
            scratch?.Release();
            if (lent && keepsNothing) batch.Release();
        }
        // Without GROUP BY there is exactly one group, even over no rows.
        int groupCount = node.Groups.Count == 0 ? 1 : indexer?.Count ?? 0;
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

        /// <summary>The dense id of each row's value (from one indexer across all batches).</summary>
        private Span<int> ValueIds(ArrowArray input, int length)
        {
            _type ??= TypeRules.Logical(input.Type);
            if (_ids.Length < length) _ids = new int[Math.Max(length, _ids.Length * 2)];
            var ids = _ids.AsSpan(0, length);
            (_values ??= GroupIndexer.For([input])).Assign([input], ids);
            return ids;
        }

        /// <summary>Each distinct (group, value) pair in the set and the list, and each distinct value's key.</summary>
        public override long HeldBytes => 24L * _pairs.Count + 8L * _distinct.Count + 16L * (_values?.Count ?? 0) + _seen.Length;

        public override ArrowArray Finish(int groupCount)
        {
            var inner = resolution.CreateState();
            var type = resolution.InputTypes?.FirstOrDefault() ?? _type ?? Columnar.Types.DataType.Int64;
            if (_distinct.Count > 0)
            {
                // One update with every (group, distinct value) pair, in the order first met (so each group's values
                // keep their order for order-sensitive aggregates); values typed from the indexer where it holds them.
                var groups = _distinct.Select(d => d.Group).ToArray();
                var valueIds = _distinct.Select(d => d.Value).ToArray();
                var values = _values!.KeyColumn(type) is { } typed ? Kernels.Gather.Rows(typed, valueIds)
                    : ArrayBuilder.Build(type, valueIds.Select(v => _values.Key(v, 0)));
                inner.Update(groups, [values]);
            }
            return inner.Finish(groupCount);
        }
    }
}
