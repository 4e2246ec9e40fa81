namespace QueryLake.Execution;

/// <summary>
/// Runs a per-batch function on up to <c>degree</c> batches at once while keeping their order: the one
/// mechanism that spreads scans, filters and projections across cores. Errors surface in order, as if run
/// sequentially; at most 2 × degree batches are in flight.
/// </summary>
internal static class Parallel
{
    [ThreadStatic] private static int t_degree;

    /// <summary>How many cores the query running on this thread may use (its <c>threads</c> setting), for kernels that
    /// split one batch's work further (similarity scans, nearest neighbours); all cores outside a query.</summary>
    public static int Degree => t_degree > 0 ? t_degree : Environment.ProcessorCount;

    /// <summary>Runs <paramref name="work"/> with <see cref="Degree"/> set to <paramref name="degree"/> on this thread.</summary>
    public static T WithDegree<T>(int degree, Func<T> work)
    {
        int saved = t_degree;
        t_degree = Math.Max(1, degree);
        try { return work(); }
        finally { t_degree = saved; }
    }

    public static IEnumerable<TOut> OrderedMap<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, int degree, CancellationToken cancel)
    {
        TOut Run(TIn item) => WithDegree(degree, () => map(item));
        if (degree <= 1)
        {
            foreach (var item in source) yield return Run(item);
            yield break;
        }
        var inFlight = new Queue<Task<TOut>>();
        foreach (var item in source)
        {
            cancel.ThrowIfCancellationRequested();
            var captured = item;
            // Through the pool's global queue in order: started from a pool thread, a plain Task.Run goes to that
            // thread's local queue, which its workers drain first, so a timer's callback (a cancellation token's
            // timeout) waited behind the whole query.
            inFlight.Enqueue(Task.Factory.StartNew(() => Run(captured), cancel, TaskCreationOptions.PreferFairness, TaskScheduler.Default));
            if (inFlight.Count >= 2 * degree) yield return inFlight.Dequeue().GetAwaiter().GetResult();
        }
        while (inFlight.Count > 0) yield return inFlight.Dequeue().GetAwaiter().GetResult();
    }
}
