namespace QueryLake.Columnar.Types;

/// <summary>The unit of a timestamp's 64-bit count.</summary>
public enum TimeUnit
{
    /// <summary>Seconds.</summary>
    Second,
    /// <summary>Milliseconds.</summary>
    Millisecond,
    /// <summary>Microseconds (QueryLake's own unit).</summary>
    Microsecond,
    /// <summary>Nanoseconds.</summary>
    Nanosecond,
}
