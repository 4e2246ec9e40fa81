using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Functions.Scalar;

/// <summary>
/// <c>+</c>, <c>-</c> and <c>*</c> on dates, timestamps and intervals, as DuckDB defines them: date ± interval and
/// timestamp ± interval give a timestamp (months first, clamped to the month's last day as Jan 31 + 1 month = Feb 28;
/// then days; then microseconds); date ± integer gives a date (days); date − date gives the days between (BIGINT);
/// timestamp − timestamp gives an interval of days and microseconds; intervals add, subtract, negate and scale by
/// integers field by field.
/// </summary>
internal static class DateArithmetic
{
    private const long MicrosPerDay = 86_400_000_000;
    private static readonly int Epoch = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>The resolution of <paramref name="op"/> over these argument types, or null when it is not date arithmetic.</summary>
    public static Resolution? Resolve(string op, IReadOnlyList<DataType> t)
    {
        if (t.Count != 2) return null;
        DataType a = t[0], b = t[1];
        bool Date(DataType x) => x.Id == TypeId.Date32;
        bool Stamp(DataType x) => x is TimestampType;
        bool Interval(DataType x) => x is IntervalType;
        bool Integer(DataType x) => x.IsInteger;
        var ts = DataType.Timestamp();
        return op switch
        {
            "+" when (Date(a) || Stamp(a)) && Interval(b) => new(Stamp(a) ? a : ts, (x, n) => Shift(x[0], x[1], n, 1, Stamp(a) ? a : ts), [a, b]),
            "+" when Interval(a) && (Date(b) || Stamp(b)) => new(Stamp(b) ? b : ts, (x, n) => Shift(x[1], x[0], n, 1, Stamp(b) ? b : ts), [a, b]),
            "-" when (Date(a) || Stamp(a)) && Interval(b) => new(Stamp(a) ? a : ts, (x, n) => Shift(x[0], x[1], n, -1, Stamp(a) ? a : ts), [a, b]),
            "+" when Date(a) && Integer(b) => new(DataType.Date32, (x, n) => AddDays(x[0], x[1], n, 1), [DataType.Date32, DataType.Int64]),
            "+" when Integer(a) && Date(b) => new(DataType.Date32, (x, n) => AddDays(x[1], x[0], n, 1), [DataType.Int64, DataType.Date32]),
            "-" when Date(a) && Integer(b) => new(DataType.Date32, (x, n) => AddDays(x[0], x[1], n, -1), [DataType.Date32, DataType.Int64]),
            "-" when Date(a) && Date(b) => new(DataType.Int64, DaysBetween, [DataType.Date32, DataType.Date32]),
            "-" when Stamp(a) && Stamp(b) || Stamp(a) && Date(b) || Date(a) && Stamp(b) => new(IntervalType.Instance, StampDifference, [ts, ts]),
            "+" or "-" when Interval(a) && Interval(b) => new(IntervalType.Instance, (x, n) => Intervals(x, n, (p, q) =>
                op == "+" ? new IntervalValue(checked(p.Months + q.Months), checked(p.Days + q.Days), checked(p.Micros + q.Micros))
                          : new IntervalValue(checked(p.Months - q.Months), checked(p.Days - q.Days), checked(p.Micros - q.Micros))), [a, b]),
            "*" when Interval(a) && Integer(b) => new(IntervalType.Instance, (x, n) => Scale(x[0], x[1], n), [a, DataType.Int64]),
            "*" when Integer(a) && Interval(b) => new(IntervalType.Instance, (x, n) => Scale(x[1], x[0], n), [DataType.Int64, b]),
            _ => null,
        };
    }

    /// <summary>-interval.</summary>
    public static Resolution? Negate(DataType t) =>
        t is IntervalType ? new Resolution(t, (x, n) => Intervals([x[0], x[0]], n, (p, _) => p.Negate()), [t]) : null;

    private static int Row(ArrowArray a, int i) => a.Length == 1 ? 0 : i;

    /// <summary>Microseconds since the epoch of a date or timestamp value.</summary>
    private static long Micros(ArrowArray a, int r) => a.Type.Id == TypeId.Date32 ? ((PrimitiveArray<int>)a)[r] * MicrosPerDay : ((PrimitiveArray<long>)a)[r];

    private static IntervalValue Interval(ArrowArray a, int r) => (IntervalValue)a.GetValue(r)!;

    private static ArrowArray Shift(ArrowArray at, ArrowArray by, int n, int sign, DataType result)
    {
        var b = new PrimitiveBuilder<long>(result);
        for (int i = 0; i < n; i++)
        {
            int r = Row(at, i), s = Row(by, i);
            if (at.IsNull(r) || by.IsNull(s)) { b.AppendNull(); continue; }
            var iv = Interval(by, s);
            if (sign < 0) iv = iv.Negate();
            b.Append(Add(Micros(at, r), iv));
        }
        return b.Build();
    }

    /// <summary>A point in time (microseconds since the epoch) plus an interval: months, then days, then microseconds.</summary>
    public static long Add(long micros, IntervalValue iv)
    {
        try
        {
            long day = Math.DivRem(micros, MicrosPerDay, out long time);
            if (time < 0) { time += MicrosPerDay; day--; }
            var date = DateOnly.FromDayNumber(checked((int)(Epoch + day)));
            if (iv.Months != 0) date = date.AddMonths(iv.Months);
            if (iv.Days != 0) date = date.AddDays(iv.Days);
            return checked(((long)date.DayNumber - Epoch) * MicrosPerDay + time + iv.Micros);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new QueryLakeException("QL-OVERFLOW", $"date out of range: adding {iv} gives a date before year 1 or after year 9999");
        }
    }

    private static ArrowArray AddDays(ArrowArray dates, ArrowArray days, int n, int sign)
    {
        var b = new PrimitiveBuilder<int>(DataType.Date32);
        for (int i = 0; i < n; i++)
        {
            int r = Row(dates, i), s = Row(days, i);
            if (dates.IsNull(r) || days.IsNull(s)) { b.AppendNull(); continue; }
            long d = ((PrimitiveArray<int>)dates)[r] + sign * ((PrimitiveArray<long>)days)[s];
            if (d + Epoch is < 0 or > 3_652_058) throw new QueryLakeException("QL-OVERFLOW", "date out of range: the result is before year 1 or after year 9999");
            b.Append((int)d);
        }
        return b.Build();
    }

    private static ArrowArray DaysBetween(IReadOnlyList<ArrowArray> x, int n)
    {
        var b = new PrimitiveBuilder<long>(DataType.Int64);
        for (int i = 0; i < n; i++)
        {
            int r = Row(x[0], i), s = Row(x[1], i);
            if (x[0].IsNull(r) || x[1].IsNull(s)) b.AppendNull();
            else b.Append((long)((PrimitiveArray<int>)x[0])[r] - ((PrimitiveArray<int>)x[1])[s]);
        }
        return b.Build();
    }

    private static ArrowArray StampDifference(IReadOnlyList<ArrowArray> x, int n) => Build(n, i =>
    {
        int r = Row(x[0], i), s = Row(x[1], i);
        if (x[0].IsNull(r) || x[1].IsNull(s)) return null;
        long d = checked(Micros(x[0], r) - Micros(x[1], s));
        return new IntervalValue(0, (int)(d / MicrosPerDay), d % MicrosPerDay);
    });

    private static ArrowArray Intervals(IReadOnlyList<ArrowArray> x, int n, Func<IntervalValue, IntervalValue, IntervalValue> f) => Build(n, i =>
    {
        int r = Row(x[0], i), s = Row(x[1], i);
        if (x[0].IsNull(r) || x[1].IsNull(s)) return null;
        try { return f(Interval(x[0], r), Interval(x[1], s)); }
        catch (OverflowException) { throw new QueryLakeException("QL-OVERFLOW", "interval out of range"); }
    });

    private static ArrowArray Scale(ArrowArray interval, ArrowArray factor, int n) => Build(n, i =>
    {
        int r = Row(interval, i), s = Row(factor, i);
        if (interval.IsNull(r) || factor.IsNull(s)) return null;
        var iv = Interval(interval, r);
        long k = ((PrimitiveArray<long>)factor)[s];
        try { return new IntervalValue(checked((int)(iv.Months * k)), checked((int)(iv.Days * k)), checked(iv.Micros * k)); }
        catch (OverflowException) { throw new QueryLakeException("QL-OVERFLOW", "interval out of range"); }
    });

    private static ArrowArray Build(int n, Func<int, IntervalValue?> value)
    {
        var b = ArrayBuilder.Create(IntervalType.Instance);
        for (int i = 0; i < n; i++) b.Append(value(i));
        return b.Build();
    }
}
