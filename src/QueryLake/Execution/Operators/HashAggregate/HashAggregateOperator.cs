using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Functions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.HashAggregate;

/// <summary>Groups rows in a hash table keyed by the group values and updates each aggregate's state per batch.
/// Without GROUP BY it yields exactly one row, even over no input (count gives 0, the others NULL).</summary>
internal static class HashAggregateOperator
{
    public static IEnumerable<RecordBatch> Execute(AggregateNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        GroupIndexer? indexer = null;
        var states = node.Aggregates.Select(a => a.Distinct ? new DistinctState(a.Resolution) : a.Resolution.CreateState()).ToArray();
        // Group keys and aggregate arguments are computed on several batches at once; the hash table and the
        // accumulators are then updated in order on this thread.
        var evaluated = Parallel.OrderedMap(input, b => (
            Length: b.Length,
            Keys: node.Groups.Select(g => ExpressionEvaluator.Evaluate(g, b)).ToArray(),
            Args: node.Aggregates.Select(a => (IReadOnlyList<ArrowArray>)a.Arguments.Select(x => ExpressionEvaluator.Evaluate(x, b)).ToList()).ToArray()),
            ctx.Threads, ctx.Cancel);
        // One group-id buffer for all batches (accumulators read it synchronously): without GROUP BY it stays zeros.
        var buffer = Array.Empty<int>();
        foreach (var (length, keyColumns, args) in evaluated)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            if (buffer.Length < length) buffer = new int[Math.Max(length, buffer.Length * 2)];
            var ids = buffer.AsSpan(0, length);
            if (keyColumns.Length > 0)
            {
                indexer ??= GroupIndexer.For(keyColumns);
                int before = indexer.Keys.Count;
                indexer.Assign(keyColumns, ids);
                // Each new group holds its key values and one accumulator per aggregate: about 64 bytes apiece.
                ctx.Reserve(64L * (indexer.Keys.Count - before) * (keyColumns.Length + states.Length), "the hash aggregation");
            }
            for (int a = 0; a < states.Length; a++) states[a].Update(ids, args[a]);
        }
        // Without GROUP BY there is exactly one group, even over no rows.
        int groupCount = node.Groups.Count == 0 ? 1 : indexer?.Keys.Count ?? 0;
        var columns = new List<ArrowArray>();
        for (int g = 0; g < node.Groups.Count; g++)
        {
            var builder = ArrayBuilder.Create(node.Groups[g].Type);
            foreach (var k in indexer?.Keys ?? []) builder.Append(k[g]);
            columns.Add(builder.Build());
        }
        columns.AddRange(states.Select(s => s.Finish(groupCount)));
        yield return new RecordBatch(node.Schema, columns, groupCount);
    }

    /// <summary>An aggregate over the distinct non-NULL values of each group.</summary>
    private sealed class DistinctState(AggregateResolution resolution) : AggregateState
    {
        private readonly List<HashSet<RowKey>> _seen = [];
        private Columnar.Types.DataType? _type;
        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var input = inputs.Count == 0 ? null : inputs[0];
            _type ??= input?.Type;
            for (int i = 0; i < groups.Length; i++)
            {
                while (_seen.Count <= groups[i]) _seen.Add([]);
                if (input is not null && input.IsValid(i)) _seen[groups[i]].Add(new RowKey([input.GetValue(i)]));
            }
        }

        public override ArrowArray Finish(int groupCount)
        {
            while (_seen.Count < groupCount) _seen.Add([]);
            var inner = resolution.CreateState();
            var type = resolution.InputTypes?.FirstOrDefault() ?? _type ?? Columnar.Types.DataType.Int64;
            for (int g = 0; g < groupCount; g++)
            {
                if (_seen[g].Count == 0) continue;
                var values = ArrayBuilder.Build(type, _seen[g].Select(k => k.Values[0]));
                var ids = new int[values.Length];
                Array.Fill(ids, g);
                inner.Update(ids, [values]);
            }
            return inner.Finish(groupCount);
        }
    }
}
