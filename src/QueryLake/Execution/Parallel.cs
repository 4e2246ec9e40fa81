namespace QueryLake.Execution;

/// <summary>
/// Runs a per-batch function on up to <c>degree</c> batches at once while keeping their order: the one
/// mechanism that spreads scans, filters and projections across cores. Errors surface in order, as if run
/// sequentially; at most 2 × degree batches are in flight.
/// </summary>
internal static class Parallel
{
    public static IEnumerable<TOut> OrderedMap<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, int degree, CancellationToken cancel)
    {
        if (degree <= 1)
        {
            foreach (var item in source) yield return map(item);
            yield break;
        }
        var inFlight = new Queue<Task<TOut>>();
        foreach (var item in source)
        {
            cancel.ThrowIfCancellationRequested();
            var captured = item;
            inFlight.Enqueue(Task.Run(() => map(captured), cancel));
            if (inFlight.Count >= 2 * degree) yield return inFlight.Dequeue().GetAwaiter().GetResult();
        }
        while (inFlight.Count > 0) yield return inFlight.Dequeue().GetAwaiter().GetResult();
    }
}
