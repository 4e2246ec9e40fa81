using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds fixed-width arrays of <typeparamref name="T"/> (numbers, date32 as int, timestamps as long).</summary>
public sealed class PrimitiveBuilder<T> : ArrayBuilder where T : unmanaged
{
    private readonly BufferBuilder _values = new();

    /// <summary>Creates a builder for <paramref name="type"/>, whose storage must hold <typeparamref name="T"/>.</summary>
    public PrimitiveBuilder(DataType type) : base(type) { }

    /// <summary>Appends a value.</summary>
    public void Append(T value)
    {
        _values.Append(value);
        Validity.Append(true);
        Length++;
    }

    /// <summary>Appends many non-null values.</summary>
    public void AppendRange(ReadOnlySpan<T> values)
    {
        _values.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        Validity.AppendValid(values.Length);
        Length += values.Length;
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        _values.Append(default(T));
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        if (value is null) { AppendNull(); return; }
        Append(Convert(value));
    }

    private T Convert(object value)
    {
        try
        {
            switch (Type.StorageType)
            {
                case PrimitiveType { Id: TypeId.Date32 }:
                    int days = value switch
                    {
                        DateOnly d => d.DayNumber - 719162,
                        DateTime dt => DateOnly.FromDateTime(dt).DayNumber - 719162,
                        _ => System.Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
                    };
                    return (T)(object)days;
                case TimestampType ts:
                    long units = value switch
                    {
                        DateTime dt => FromTicks((dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt).Ticks - DateTime.UnixEpoch.Ticks, ts.Unit),
                        DateTimeOffset dto => FromTicks(dto.UtcTicks - DateTime.UnixEpoch.Ticks, ts.Unit),
                        _ => System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
                    };
                    return (T)(object)units;
                case DecimalType dt:
                    Int128 unscaled = value switch
                    {
                        decimal d => DecimalMath.FromDecimal(d, dt),
                        double f => DecimalMath.FromDouble(f, dt),
                        float f => DecimalMath.FromDouble(f, dt),
                        long or int or short or sbyte or byte or ushort or uint => DecimalMath.FromInteger(System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), dt),
                        ulong u => DecimalMath.FromInteger(u, dt),
                        Int128 i => DecimalMath.FromInteger(i, dt),
                        string text => DecimalMath.Parse(text, dt) ?? throw WrongValue(Type, value),
                        System.Data.SqlTypes.SqlDecimal big => DecimalMath.Parse(big.ToString(), dt) ?? throw WrongValue(Type, value),
                        _ => throw WrongValue(Type, value),
                    };
                    return (T)(object)unscaled;
                default:
                    if (value is T t) return t;
                    if (value is bool or string or byte[] or Array) throw WrongValue(Type, value);
                    return (T)System.Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
        {
            throw WrongValue(Type, value);
        }
    }

    private static long FromTicks(long ticks, TimeUnit unit) => unit switch
    {
        TimeUnit.Second => ticks / TimeSpan.TicksPerSecond,
        TimeUnit.Millisecond => ticks / TimeSpan.TicksPerMillisecond,
        TimeUnit.Microsecond => ticks / 10,
        _ => ticks * 100,
    };

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index)
    {
        if (source.IsNull(index)) AppendNull();
        else Append(((PrimitiveArray<T>)source).Values[index]);
    }

    /// <inheritdoc />
    public override void AppendRange(ArrowArray source, int start, int count)
    {
        var src = (PrimitiveArray<T>)source;
        if (src.NullCount == 0)
        {
            AppendRange(src.Values.Slice(start, count));
            return;
        }
        base.AppendRange(source, start, count);
    }

    /// <inheritdoc />
    public override ArrayData BuildData() => BuildFixed(_values);
}
