using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Arrays;

/// <summary>A fixed-width numeric, date32, timestamp or decimal128 array whose values are <typeparamref name="T"/>.</summary>
public sealed class PrimitiveArray<T> : ArrowArray where T : unmanaged
{
    internal PrimitiveArray(ArrayData data) : base(data) { }

    /// <summary>All values of this (possibly sliced) array, including those under null slots.</summary>
    public ReadOnlySpan<T> Values => Data.Buffers[1].As<T>().Slice(Data.Offset, Data.Length);

    /// <summary>The value at <paramref name="index"/>, ignoring validity.</summary>
    public T this[int index] => Values[index];

    /// <inheritdoc />
    public override object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        var v = Values[index];
        return Type.StorageType switch
        {
            PrimitiveType { Id: TypeId.Date32 } => DateOnly.FromDayNumber(719162 + (int)(object)v),
            TimestampType ts => DateTime.UnixEpoch.AddTicks(ToTicks((long)(object)v, ts.Unit)),
            DecimalType d => DecimalMath.ToObject((Int128)(object)v, d.Scale),
            _ => v,
        };
    }

    private static long ToTicks(long v, TimeUnit unit) => unit switch
    {
        TimeUnit.Second => v * TimeSpan.TicksPerSecond,
        TimeUnit.Millisecond => v * TimeSpan.TicksPerMillisecond,
        TimeUnit.Microsecond => v * 10,
        _ => v / 100,
    };
}
