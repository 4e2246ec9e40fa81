using QueryLake.Columnar;
using QueryLake.Execution.Spill;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Sort;

/// <summary>
/// Merges sorted runs (in spill files, or a cluster's tasks' batches) into one sorted stream, holding one batch of each run at a time. Ties go to
/// the earlier run, so the merge of stable runs cut from the input in order is stable. More runs than
/// <see cref="MaxFanIn"/> are first merged in groups into longer runs.
/// </summary>
internal static class RunMerge
{
    /// <summary>Most runs merged at once (each holds a batch in memory and an open file).</summary>
    public const int MaxFanIn = 64;

    public static IEnumerable<RecordBatch> Merge(Schema schema, IReadOnlyList<SortKey> keys, List<string> runs, QueryContext ctx)
    {
        while (runs.Count > MaxFanIn)
        {
            var merged = new List<string>();
            for (int i = 0; i < runs.Count; i += MaxFanIn)
            {
                var group = runs.GetRange(i, Math.Min(MaxFanIn, runs.Count - i));
                merged.Add(group.Count == 1 ? group[0] : SpillFile.Write(ctx, "sort-run", schema, MergeRuns(schema, keys, group, ctx)));
            }
            runs = merged;
        }
        return MergeRuns(schema, keys, runs.Select(SpillFile.Read).ToList(), ctx);
    }

    /// <summary>Merges sorted runs held as batch streams (a cluster's tasks, each of which sorted its rows) into one
    /// sorted stream; ties go to the earlier run.</summary>
    public static IEnumerable<RecordBatch> Merge(Schema schema, IReadOnlyList<SortKey> keys, IReadOnlyList<IEnumerable<RecordBatch>> runs, QueryContext ctx) =>
        MergeRuns(schema, keys, runs, ctx);

    private static IEnumerable<RecordBatch> MergeRuns(Schema schema, IReadOnlyList<SortKey> keys, List<string> runs, QueryContext ctx) =>
        MergeRuns(schema, keys, runs.Select(SpillFile.Read).ToList(), ctx);

    private static IEnumerable<RecordBatch> MergeRuns(Schema schema, IReadOnlyList<SortKey> keys, IReadOnlyList<IEnumerable<RecordBatch>> runs, QueryContext ctx)
    {
        var readers = runs.Select(r => r.GetEnumerator()).ToArray();
        try
        {
            var order = new RowOrder(keys);
            var current = new RecordBatch?[readers.Length];
            var row = new int[readers.Length];
            var heap = new PriorityQueue<int, Gather.Pick>(readers.Length, order);
            for (int r = 0; r < readers.Length; r++)
            {
                order.AddSource(Empty(schema));
                if (Advance(r)) heap.Enqueue(r, new Gather.Pick(r, 0));
            }
            // Output rows pick from the batches they came from; a batch joins the output's sources when first picked.
            var sources = new List<RecordBatch>();
            var sourceOf = new Dictionary<RecordBatch, int>(ReferenceEqualityComparer.Instance);
            var picks = new List<Gather.Pick>(SortOperator.OutputBatchRows);
            while (heap.TryDequeue(out int run, out _))
            {
                var batch = current[run]!;
                if (!sourceOf.TryGetValue(batch, out int source))
                {
                    sourceOf[batch] = source = sources.Count;
                    sources.Add(batch);
                }
                picks.Add(new Gather.Pick(source, row[run]));
                if (++row[run] < batch.Length || Advance(run)) heap.Enqueue(run, new Gather.Pick(run, row[run]));
                if (picks.Count == SortOperator.OutputBatchRows)
                {
                    yield return Gathered();
                    ctx.Cancel.ThrowIfCancellationRequested();
                }
            }
            if (picks.Count > 0) yield return Gathered();

            RecordBatch Gathered()
            {
                var span = picks.ToArray();
                var columns = schema.Fields.Select((f, c) => Gather.Rows(f.DataType, sources.Select(b => b.Columns[c]).ToList(), span)).ToArray();
                picks.Clear();
                sources.Clear();
                sourceOf.Clear();
                return new RecordBatch(schema, columns, span.Length);
            }

            // Moves a run to its next batch with rows; false at its end.
            bool Advance(int r)
            {
                while (readers[r].MoveNext())
                {
                    if (readers[r].Current.Length == 0) continue;
                    current[r] = readers[r].Current;
                    row[r] = 0;
                    order.ReplaceSource(r, current[r]!);
                    return true;
                }
                current[r] = null;
                return false;
            }
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    private static RecordBatch Empty(Schema schema) =>
        new(schema, schema.Fields.Select(f => Columnar.Builders.ArrayBuilder.Create(f.DataType).Build()).ToArray(), 0);
}
