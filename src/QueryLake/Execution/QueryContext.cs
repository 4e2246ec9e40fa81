using System.Diagnostics;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution;

/// <summary>State shared by the operators of one query: cancellation and, for EXPLAIN ANALYZE, rows and time per operator.</summary>
internal sealed class QueryContext(CancellationToken cancel, bool collectStatistics = false, int threads = 0, long? memoryLimit = null)
{
    public CancellationToken Cancel { get; } = cancel;

    private static readonly AsyncLocal<QueryContext?> Ambient = new();

    /// <summary>The context of the query running on this thread (and in the tasks it started), for work that
    /// expressions start on their own: a correlated subquery's runs take its cancellation and memory limit.</summary>
    public static QueryContext? Current => Ambient.Value;

    /// <summary>Runs <paramref name="work"/> with <see cref="Current"/> set to this context.</summary>
    public T Within<T>(Func<T> work)
    {
        var saved = Ambient.Value;
        Ambient.Value = this;
        try { return work(); }
        finally { Ambient.Value = saved; }
    }

    private long _reserved;

    /// <summary>The most bytes the query's blocking operators (sort, aggregation, join build, window, distinct) may hold.</summary>
    public long? MemoryLimit { get; } = memoryLimit;

    /// <summary>Accounts for memory an operator holds; fails the query with a clear error past the limit,
    /// instead of letting it take the process down. (Spilling to disk is not implemented yet.)</summary>
    public void Reserve(long bytes, string holder)
    {
        long total = Interlocked.Add(ref _reserved, bytes);
        if (MemoryLimit is { } limit && total > limit)
            throw new Errors.QueryLakeException("QL-OUT-OF-MEMORY",
                $"the query needs more than its memory limit of {Format(limit)} ({holder} holds {Format(total)} so far); raise the limit, or filter or aggregate earlier");
    }

    private static string Format(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1 << 20):F1} MiB";

    /// <summary>Bytes held by a batch's buffers (shared buffers counted once per batch).</summary>
    public static long SizeOf(Columnar.RecordBatch b)
    {
        long Size(Columnar.ArrayData d) => d.Buffers.Sum(x => (long)x.Length) + d.Children.Sum(Size) + (d.Dictionary is null ? 0 : Size(d.Dictionary));
        return b.Columns.Sum(c => Size(c.Data));
    }

    /// <summary>How many batches per-batch operators work on at once (default: one per core).</summary>
    public int Threads { get; } = threads > 0 ? threads : Environment.ProcessorCount;
    public bool CollectStatistics { get; } = collectStatistics;
    public Dictionary<LogicalPlan, (long Rows, TimeSpan Time)> Statistics { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Wraps an operator's output to count its rows and the time spent producing them.</summary>
    public IEnumerable<Columnar.RecordBatch> Measure(LogicalPlan node, IEnumerable<Columnar.RecordBatch> batches)
    {
        if (!CollectStatistics) { foreach (var b in batches) yield return b; yield break; }
        var sw = new Stopwatch();
        using var e = batches.GetEnumerator();
        while (true)
        {
            sw.Start();
            bool more = e.MoveNext();
            sw.Stop();
            if (!more) break;
            var (rows, time) = Statistics.GetValueOrDefault(node);
            Statistics[node] = (rows + e.Current.Length, time);
            yield return e.Current;
        }
        var (r, _) = Statistics.GetValueOrDefault(node);
        Statistics[node] = (r, sw.Elapsed);
    }
}
