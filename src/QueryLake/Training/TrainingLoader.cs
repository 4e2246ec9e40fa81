using System.Threading.Channels;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;

namespace QueryLake.Training;

/// <summary>
/// Streams a query's rows as training batches: shuffled per epoch (a full seeded permutation, or a bounded shuffle
/// buffer), split across workers (shard i of n: across all workers, each sample appears exactly once per epoch), and
/// prepared ahead on a background thread with at most <see cref="LoaderOptions.Prefetch"/> batches waiting. Samples
/// are numbered by their position in the query's output; the full shuffle orders them by a SplitMix64 draw of
/// (seed, epoch, position), so appended samples mix in among the old ones and the order is the same on any machine.
/// </summary>
public sealed class TrainingLoader : IEnumerable<RecordBatch>
{
    private readonly Func<CancellationToken, IEnumerable<RecordBatch>> _rows;
    private readonly LoaderOptions _options;
    private readonly Func<CancellationToken, RowAccess?>? _access;

    internal TrainingLoader(Func<CancellationToken, IEnumerable<RecordBatch>> rows, LoaderOptions options, Func<CancellationToken, RowAccess?>? access = null)
    {
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be positive");
        if (options.ShardCount <= 0 || options.ShardIndex < 0 || options.ShardIndex >= options.ShardCount)
            throw new ArgumentOutOfRangeException(nameof(options), $"shard {options.ShardIndex} of {options.ShardCount} does not exist");
        if (options.Shuffle == ShuffleMode.Buffer && options.BufferSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "BufferSize must be positive");
        if (options.Prefetch <= 0) throw new ArgumentOutOfRangeException(nameof(options), "Prefetch must be positive");
        _rows = rows;
        _options = options;
        _access = access;
    }

    /// <summary>The settings.</summary>
    public LoaderOptions Options => _options;

    private long EpochSeed => unchecked(_options.Seed * 1_000_003 + _options.Epoch);

    /// <summary>The batches of this worker's shard of the epoch, in order.</summary>
    private IEnumerable<RecordBatch> Produce(CancellationToken cancel)
    {
        var o = _options;
        switch (o.Shuffle)
        {
            case ShuffleMode.Full when _access?.Invoke(cancel) is { } access:
            {
                foreach (var b in LateShuffled(access, cancel)) yield return b;
                break;
            }
            case ShuffleMode.Full:
            {
                var all = _rows(cancel).Where(b => b.Length > 0).ToList();
                if (all.Count == 0) yield break;
                var rows = Kernels.Gather.Positions(all);
                var order = Kernels.SeededDraw.Permutation(EpochSeed, rows.Length);
                var mine = new List<Gather.Pick>();
                for (long k = o.ShardIndex; k < order.Length; k += o.ShardCount)
                {
                    mine.Add(rows[order[k]]);
                    if (mine.Count == o.BatchSize) { yield return Take(all, mine); mine.Clear(); }
                }
                if (mine.Count > 0) yield return Take(all, mine);
                break;
            }
            default:
            {
                // Streaming: this shard's rows (position % n == i), optionally through a seeded shuffle buffer.
                var rng = new Random(unchecked((int)(EpochSeed ^ (EpochSeed >> 32))));
                var buffer = new List<(RecordBatch Batch, int Row)>();
                var pending = new List<(RecordBatch Batch, int Row)>();
                long position = 0;
                foreach (var b in _rows(cancel))
                {
                    for (int r = 0; r < b.Length; r++, position++)
                    {
                        if (position % o.ShardCount != o.ShardIndex) continue;
                        if (o.Shuffle == ShuffleMode.None) pending.Add((b, r));
                        else
                        {
                            buffer.Add((b, r));
                            if (buffer.Count >= o.BufferSize)
                            {
                                int pick = rng.Next(buffer.Count);
                                pending.Add(buffer[pick]);
                                buffer[pick] = buffer[^1];
                                buffer.RemoveAt(buffer.Count - 1);
                            }
                        }
                        if (pending.Count == o.BatchSize) { yield return Take(pending); pending.Clear(); }
                    }
                }
                while (buffer.Count > 0)
                {
                    int pick = rng.Next(buffer.Count);
                    pending.Add(buffer[pick]);
                    buffer[pick] = buffer[^1];
                    buffer.RemoveAt(buffer.Count - 1);
                    if (pending.Count == o.BatchSize) { yield return Take(pending); pending.Clear(); }
                }
                if (pending.Count > 0) yield return Take(pending);
                break;
            }
        }
    }

    /// <summary>The full shuffle over row ids: the same permutation as the materializing path, with each batch's rows
    /// fetched by id, several batches at a time in parallel (so reads from disk overlap), in order.</summary>
    private IEnumerable<RecordBatch> LateShuffled(RowAccess access, CancellationToken cancel)
    {
        var o = _options;
        var ids = access.Ids(cancel);
        var order = Kernels.SeededDraw.Permutation(EpochSeed, ids.Length);
        var batches = new List<long[]>();
        var mine = new List<long>();
        for (long k = o.ShardIndex; k < ids.Length; k += o.ShardCount)
        {
            mine.Add(ids[order[k]]);
            if (mine.Count == o.BatchSize) { batches.Add(mine.ToArray()); mine.Clear(); }
        }
        if (mine.Count > 0) batches.Add(mine.ToArray());
        int parallel = Math.Max(1, Math.Min(Environment.ProcessorCount, o.Prefetch * 2));
        for (int g = 0; g < batches.Count; g += parallel)
        {
            cancel.ThrowIfCancellationRequested();
            var fetched = new RecordBatch[Math.Min(parallel, batches.Count - g)];
            Parallel.For(0, fetched.Length, new ParallelOptions { CancellationToken = cancel }, j => fetched[j] = access.Fetch(batches[g + j]));
            foreach (var b in fetched) yield return b;
        }
    }

    private static RecordBatch Take(List<RecordBatch> all, List<Gather.Pick> picks)
    {
        var schema = all[0].Schema;
        var columns = new ArrowArray[schema.Fields.Count];
        for (int c = 0; c < columns.Length; c++) columns[c] = Gather.Rows(schema.Fields[c].DataType, all.Select(b => b.Columns[c]).ToList(), picks.ToArray());
        return new RecordBatch(schema, columns, picks.Count);
    }

    private static RecordBatch Take(List<(RecordBatch Batch, int Row)> rows)
    {
        var sources = new List<RecordBatch>();
        var index = new Dictionary<RecordBatch, int>(ReferenceEqualityComparer.Instance);
        var picks = new List<Gather.Pick>(rows.Count);
        foreach (var (batch, row) in rows)
        {
            if (!index.TryGetValue(batch, out int i)) { index[batch] = i = sources.Count; sources.Add(batch); }
            picks.Add(new Gather.Pick(i, row));
        }
        return Take(sources, picks);
    }

    /// <summary>The batches, prepared ahead on a background thread.</summary>
    public IEnumerator<RecordBatch> GetEnumerator()
    {
        var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(_options.Prefetch) { SingleReader = true, SingleWriter = true });
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var b in Produce(stop.Token)) await channel.Writer.WriteAsync(b, stop.Token).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        });
        try
        {
            while (true)
            {
                if (!channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) break;
                while (channel.Reader.TryRead(out var b)) yield return b;
            }
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary><see cref="ReadAllAsync"/> as Apache.Arrow record batches sharing the engine's buffers (no copy; see
    /// <see cref="Sessions.QueryResult.ToArrowBatches"/> for their lifetime).</summary>
    public IAsyncEnumerable<Apache.Arrow.RecordBatch> ReadAllArrowAsync(CancellationToken cancellationToken = default) =>
        ReadAllArrowAsync(0, cancellationToken);

    /// <summary><see cref="ReadAllArrowAsync(CancellationToken)"/> with each batch cut into slices of at most
    /// <paramref name="maxBatchBytes"/> bytes of Arrow buffers (see <see cref="Sessions.QueryResult.ToArrowBatchesAsync(long, CancellationToken)"/>).</summary>
    public async IAsyncEnumerable<Apache.Arrow.RecordBatch> ReadAllArrowAsync(long maxBatchBytes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Apache.Arrow.Schema? schema = null;
        await foreach (var b in ReadAllAsync(cancellationToken).ConfigureAwait(false))
            foreach (var slice in Columnar.RowBytes.Slices(b, maxBatchBytes))
                yield return Columnar.Interop.ApacheArrowConvert.ToApache(slice, schema ??= Columnar.Interop.ApacheArrowConvert.ToApache(b.Schema));
    }

    /// <summary>The batches, awaited without blocking a thread.</summary>
    public async IAsyncEnumerable<RecordBatch> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(_options.Prefetch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var b in Produce(stop.Token)) await channel.Writer.WriteAsync(b, stop.Token).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        }, CancellationToken.None);
        try
        {
            await foreach (var b in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return b;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await producer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }
}
