namespace QueryLake.Columnar.Types;

/// <summary>A 64-bit count of <see cref="Unit"/> since 1970-01-01T00:00:00Z, with an optional time zone.
/// QueryLake writes microseconds; other units are read from files as they are.</summary>
public sealed class TimestampType : DataType
{
    /// <summary>Creates the type.</summary>
    public TimestampType(TimeUnit unit, string? timeZone)
    {
        Unit = unit;
        TimeZone = string.IsNullOrEmpty(timeZone) ? null : timeZone;
    }

    /// <inheritdoc />
    public override TypeId Id => TypeId.Timestamp;

    /// <summary>The unit of the stored count.</summary>
    public TimeUnit Unit { get; }

    /// <summary>The time zone, or null for a zone-less (local) timestamp.</summary>
    public string? TimeZone { get; }

    /// <summary>How many units make one microsecond's worth of ticks conversion: units per second.</summary>
    public long UnitsPerSecond => Unit switch
    {
        TimeUnit.Second => 1, TimeUnit.Millisecond => 1_000, TimeUnit.Microsecond => 1_000_000, _ => 1_000_000_000,
    };

    /// <inheritdoc />
    public override bool Equals(DataType? other) =>
        other is TimestampType t && t.Unit == Unit && t.TimeZone == TimeZone;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Unit, TimeZone);

    /// <inheritdoc />
    public override string ToString()
    {
        var u = Unit switch { TimeUnit.Second => "s", TimeUnit.Millisecond => "ms", TimeUnit.Microsecond => "us", _ => "ns" };
        return TimeZone is null ? $"timestamp[{u}]" : $"timestamp[{u}, {TimeZone}]";
    }
}
