namespace QueryLake.Execution.Physical;

/// <summary>What one operator did in a run, for EXPLAIN ANALYZE: the rows it produced, the time spent producing them
/// (its inputs' time included), and the most memory charged to it at once: what it reserved against
/// <c>memory_limit</c> while it was working (<see cref="QueryContext.Reserve"/> and the like).</summary>
internal sealed class OperatorStatistics
{
    private long _rows, _ticks, _held, _peak;

    /// <summary>Rows produced.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Time spent producing them, inputs included.</summary>
    public TimeSpan Time => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <summary>The most bytes it held at once.</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    public void AddRows(long rows) => Interlocked.Add(ref _rows, rows);

    public void AddTime(TimeSpan time) => Interlocked.Add(ref _ticks, time.Ticks);

    /// <summary>Charges (positive) or credits (negative) memory to the operator.</summary>
    public void Charge(long bytes)
    {
        long held = Interlocked.Add(ref _held, bytes);
        for (long peak = Interlocked.Read(ref _peak); held > peak; peak = Interlocked.Read(ref _peak))
            if (Interlocked.CompareExchange(ref _peak, held, peak) == peak) break;
    }
}
