using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Execution.Physical;
using QueryLake.Kernels.Similarity;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>
/// A similarity top-k (<see cref="SimilarityKey"/>) on a GPU kernel. The vector column is loaded on the device once per
/// dataset version (<see cref="SimilarityDevices.Cache"/>, under <c>gpu_memory_limit</c>); a query then only reads the
/// columns of its filter, if any, to choose the candidate rows. The device returns the k nearest and every row within
/// the rounding margin past the k-th (<see cref="SimilarityKey.Margin"/>); those few rows are read back from the source
/// and ranked by the SQL function on the host (<see cref="TopKOperator.ExecuteProjected"/>), so the result is the CPU
/// plan's, row for row, ties, NULLs and NaN included.
/// </summary>
/// <remarks>Where the device cannot decide the answer (fewer candidates than k, so NULL or NaN rows belong in it; a
/// column whose host copy would pass <c>memory_limit</c>; a vector column of another layout), the CPU plan runs instead.</remarks>
internal sealed class DeviceTopKOperator : PhysicalOperator
{
    private readonly TopKNode _topK;
    private readonly ProjectNode _project;
    private readonly ScanNode _scan;
    private readonly SimilarityKey _key;
    private readonly ISimilarityKernel _kernel;
    private readonly PhysicalOperator _fallback;

    /// <summary>The search of <paramref name="key"/> on <paramref name="kernel"/>; <paramref name="fallback"/> is the CPU
    /// plan of the same top-k.</summary>
    public DeviceTopKOperator(TopKNode topK, ProjectNode project, ScanNode scan, SimilarityKey key, ISimilarityKernel kernel, PhysicalOperator fallback)
        : base(topK, new Scan.ScanOperator(scan)) =>
        (_topK, _project, _scan, _key, _kernel, _fallback) = (topK, project, scan, key, kernel, fallback);

    public override string Name => "SimilarityTopK";

    public override string Detail => _topK.Label()["TopK: ".Length..]
        + $" device={_kernel.Device}: {_key.Function}({_key.ColumnName}, probe) nearest {_topK.K + _topK.Offset} and the rounding margin on the device,"
        + $" ranked on the host late projection=[{Project.ProjectOperator.Columns(_project)}]"
        + (_run is not var (cached, candidates, fellBack) ? ""
            : fellBack ? "; ran: the CPU plan decided (fewer candidates than k, or the host copy would pass memory_limit)"
            : $"; ran: column {(cached ? "already on the device" : "uploaded")}, {candidates} candidates ranked on the host");

    /// <summary>What the run did (EXPLAIN ANALYZE prints it): whether the column was already on the device, how many
    /// candidate rows came back, and whether the CPU plan decided instead.</summary>
    private (bool Cached, int Candidates, bool FellBack)? _run;

    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx)
    {
        var candidates = Candidates(ctx, out bool cached);
        _run = (cached, candidates?.Length ?? 0, candidates is null);
        if (candidates is null) return _fallback.Open(ctx);
        return TopKOperator.ExecuteProjected(_topK, _project, map => Read(candidates, map, ctx), ctx);
    }

    /// <summary>The candidate rows, as positions in the scan's order, ascending; null when the CPU plan must decide.</summary>
    private int[]? Candidates(QueryContext ctx, out bool cached)
    {
        long keep = _topK.K + _topK.Offset;
        var snapshot = _key.Snapshot;
        long budget = ctx.GpuMemoryLimit ?? (long)(_kernel.DeviceMemory * 0.8);
        for (int attempt = 0; ; attempt++)
        {
            cached = attempt == 0 && snapshot is not null && SimilarityDevices.Cache.Contains(_kernel, snapshot.CacheIdentity, snapshot.CacheVersion, _key.ColumnName);
            if (Select(ctx, readColumn: !cached) is not var (count, selection, staged)) return null;
            using var reservation = staged;
            SimilarityColumnCache.Lease lease;
            try
            {
                lease = snapshot is not null
                    ? SimilarityDevices.Cache.Get(_kernel, snapshot.CacheIdentity, snapshot.CacheVersion, _key.ColumnName, budget,
                        () => staged is null ? throw new EvictedMeanwhile() : _kernel.Load(staged.Vectors, count, _key.Dims, staged.Valid))
                    : SimilarityDevices.Cache.Get(_kernel, Guid.NewGuid().ToString(), "", _key.ColumnName, 0,
                        () => _kernel.Load(staged!.Vectors, count, _key.Dims, staged.Valid));
            }
            catch (EvictedMeanwhile) { continue; }
            using (lease)
            {
                reservation?.Dispose();
                if (lease.Column.Count != count) return null;
                var search = new SimilaritySearch((int)keep, _key.Metric)
                {
                    Selection = selection,
                    Widen = _key.Margin(lease.Column.MaxSquare),
                    NaNFirst = _key.NaNFirst,
                };
                var nearest = _kernel.TopK(lease.Column, _key.Probe, 1, search, ctx.Cancel)[0];
                // Fewer candidates than k: NULL vectors (and NaN distances, unless first) belong in the answer.
                if (nearest.Rows.Length < keep) return null;
                var rows = nearest.Rows.ToArray();
                Array.Sort(rows);
                return rows;
            }
        }
    }

    private sealed class EvictedMeanwhile : Exception;

    /// <summary>The vectors read from the source for loading, charged to <c>memory_limit</c> until disposed.</summary>
    private sealed class Staged(float[] vectors, bool[]? valid, QueryContext ctx, long bytes) : IDisposable
    {
        public float[] Vectors { get; } = vectors;
        public bool[]? Valid { get; } = valid;
        private long _bytes = bytes;

        public void Dispose()
        {
            ctx.Release(Interlocked.Exchange(ref _bytes, 0));
        }
    }

    /// <summary>One pass over the source: the rows the scan's filter keeps (null without a filter), the row count, and
    /// with <paramref name="readColumn"/> the vectors themselves. Null when the CPU plan must run instead.</summary>
    private (int Count, int[]? Selection, Staged? Staged)? Select(QueryContext ctx, bool readColumn)
    {
        var filter = _scan.Filter;
        var filterColumns = filter is null ? [] : ExpressionRewriter.Columns(filter).Distinct().Order().ToList();
        var read = filterColumns.ToList();
        int vectorAt = -1;
        if (readColumn)
        {
            vectorAt = read.IndexOf(_key.Column);
            if (vectorAt < 0) { read.Add(_key.Column); vectorAt = read.Count - 1; }
        }
        if (read.Count == 0) return (checked((int)(_key.Snapshot?.RowCount ?? -1)), null, null);
        var local = filter is null ? null : ExpressionRewriter.RemapColumns(filter, filterColumns.IndexOf);
        var selection = filter is null ? null : new List<int>();
        int dims = _key.Dims;
        long capacity = readColumn ? Math.Max(1024, _scan.Source.EstimatedRows ?? 0) : 0;
        float[] vectors = [];
        bool[]? valid = null;
        long reserved = 0;
        long count = 0;
        bool Grow(long rows)
        {
            if (rows * dims > Array.MaxLength) return false;
            long bytes = rows * dims * 4 + rows;
            if (!ctx.TryReserve(bytes - reserved)) return false;
            reserved = bytes;
            Array.Resize(ref vectors, (int)(rows * dims));
            if (valid is not null) Array.Resize(ref valid, (int)rows);
            return true;
        }
        try
        {
            if (readColumn && !Grow(capacity)) { ctx.Release(reserved); return null; }
            foreach (var batch in _scan.Source.Scan(read.Select(i => _scan.Columns[i]).ToList(), null, ctx.Cancel))
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (local is not null)
                    foreach (int r in ExpressionEvaluator.Select(local, batch)) selection!.Add((int)(count + r));
                if (readColumn)
                {
                    if (batch.Columns[vectorAt] is not FixedSizeListArray { Values: PrimitiveArray<float> floats } column || column.ListSize != dims)
                    {
                        ctx.Release(reserved);
                        return null;
                    }
                    if (count + batch.Length > capacity)
                    {
                        capacity = Math.Max(capacity * 2, count + batch.Length);
                        if (!Grow(capacity)) { ctx.Release(reserved); return null; }
                    }
                    floats.Values.Slice(column.Data.Offset * dims, batch.Length * dims).CopyTo(vectors.AsSpan((int)(count * dims)));
                    if (column.NullCount > 0)
                    {
                        if (valid is null)
                        {
                            valid = new bool[capacity];
                            Array.Fill(valid, true, 0, (int)count);
                        }
                    }
                    if (valid is not null)
                        for (int r = 0; r < batch.Length; r++) valid[count + r] = !column.IsNull(r);
                }
                count += batch.Length;
                if (count > int.MaxValue) { ctx.Release(reserved); return null; }
            }
        }
        catch
        {
            ctx.Release(reserved);
            throw;
        }
        var staged = readColumn ? new Staged(vectors, valid, ctx, reserved) : null;
        return ((int)count, selection?.ToArray(), staged);
    }

    /// <summary>The candidate rows, read back from the source in its order: each batch that holds some is handed to
    /// <paramref name="map"/> with them.</summary>
    private IEnumerable<(RecordBatch, ArrowArray?)> Read(int[] candidates, Func<RecordBatch, int[]?, (RecordBatch, ArrowArray?)> map, QueryContext ctx)
    {
        long start = 0;
        int next = 0;
        foreach (var batch in _scan.Source.Scan(_scan.Columns, null, ctx.Cancel))
        {
            if (next == candidates.Length) yield break;
            int first = next;
            while (next < candidates.Length && candidates[next] < start + batch.Length) next++;
            if (next > first)
            {
                var rows = new int[next - first];
                for (int i = 0; i < rows.Length; i++) rows[i] = (int)(candidates[first + i] - start);
                ctx.Count(Children[0], rows.Length);
                yield return map(batch, rows);
            }
            start += batch.Length;
        }
    }
}
