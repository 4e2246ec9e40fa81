namespace QueryLake.Execution;

/// <summary>
/// Working memory a per-row computation holds while it runs (a decoded image: width × height × 4 bytes, whatever the
/// size of the encoded file), charged to the running query's memory limit before it is allocated and given back when
/// the row is done. A decode that does not fit fails the query with QL-OUT-OF-MEMORY instead of allocating it. Charges
/// are kept per thread, so rows computed in parallel each hold their own; outside a query nothing is charged.
/// </summary>
internal static class RowMemory
{
    [ThreadStatic] private static long _held;
    [ThreadStatic] private static QueryContext? _context;

    /// <summary>Charges <paramref name="bytes"/> that <paramref name="holder"/> is about to allocate.</summary>
    public static void Charge(long bytes, string holder)
    {
        var context = QueryContext.Current;
        if (context is null || bytes <= 0) return;
        if (_context is not null && _context != context) Release();
        _context = context;
        _held += bytes;
        context.Reserve(bytes, holder);
    }

    /// <summary>Gives back what this thread's row charged (called when a row, or a run of rows, is done).</summary>
    public static void Release() => ReleaseTo(0);

    /// <summary>What this thread holds now: a mark to give back to with <see cref="ReleaseTo"/> (work nested in a row,
    /// such as one image of a run decoded on the thread that charged the run).</summary>
    public static long Held => _held;

    /// <summary>Gives back what this thread charged since <paramref name="mark"/> (a <see cref="Held"/> value).</summary>
    public static void ReleaseTo(long mark)
    {
        if (_context is { } context && _held > mark) context.Release(_held - mark);
        _held = Math.Min(_held, mark);
        if (_held == 0) _context = null;
    }
}
