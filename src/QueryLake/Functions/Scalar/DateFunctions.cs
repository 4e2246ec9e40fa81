using System.Globalization;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Scalar;

/// <summary>Date and time functions over date32 and timestamps (UTC).</summary>
internal static class DateFunctions
{
    private static bool Temporal(DataType t) => t.Id is TypeId.Date32 or TypeId.Timestamp or TypeId.Null;

    private static DateTime AsDateTime(object v) => v switch
    {
        DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        DateTime t => t,
        _ => throw new InvalidCastException($"{v} is not a date or timestamp"),
    };

    public static long Part(string field, object v) => PartOf(field)(AsDateTime(v));

    /// <summary>The function computing one date part, chosen once per column rather than per row.</summary>
    private static Func<DateTime, long> PartOf(string field) => field.ToLowerInvariant() switch
    {
        "year" or "years" => t => t.Year,
        "quarter" => t => (t.Month - 1) / 3 + 1,
        "month" or "months" => t => t.Month,
        "day" or "days" => t => t.Day,
        "dayofweek" or "dow" => t => (long)t.DayOfWeek,
        "isodow" => t => t.DayOfWeek == DayOfWeek.Sunday ? 7 : (long)t.DayOfWeek,
        "dayofyear" or "doy" => t => t.DayOfYear,
        "week" or "weeks" => t => ISOWeek.GetWeekOfYear(t),
        "hour" or "hours" => t => t.Hour,
        "minute" or "minutes" => t => t.Minute,
        "second" or "seconds" => t => t.Second,
        "epoch" => t => (long)(t - DateTime.UnixEpoch).TotalSeconds,
        var f => throw new Errors.QueryLakeException("QL-BAD-ARGUMENT", $"unknown date part '{f}'; use year, quarter, month, day, dayofweek, dayofyear, week, hour, minute, second or epoch"),
    };

    public static void Register(FunctionRegistry r)
    {
        foreach (var part in new[] { "year", "month", "day", "hour", "minute", "second", "quarter", "dayofweek", "dayofyear", "week" })
            r.Add(new ScalarFunction(part, $"{part}(t)", $"The {part} of a date or timestamp.", $"SELECT {part}(TIMESTAMP '2026-03-01 07:30:00')",
                t => t.Count == 1 && Temporal(t[0]) ? new Resolution(DataType.Int64, PartKernel(part)) : null));
        r.Add(new ScalarFunction("date_part", "date_part(part, t)", "A field of a date or timestamp (EXTRACT(part FROM t) is the same).", "SELECT date_part('month', DATE '2026-03-01') → 3",
            t => t.Count == 2 && Temporal(t[1]) ? new Resolution(DataType.Int64, RowMapped.Kernel(DataType.Int64, a => Part((string)a[0]!, a[1]!)), [DataType.Utf8, t[1]]) : null));
        r.Add(new ScalarFunction("date_trunc", "date_trunc(part, t)", "Truncates a timestamp to the start of its year, quarter, month, week, day, hour, minute or second.",
            "SELECT date_trunc('month', TIMESTAMP '2026-03-17 10:00:00') → 2026-03-01 00:00:00",
            t => t.Count == 2 && Temporal(t[1]) ? new Resolution(DataType.Timestamp(), RowMapped.Kernel(DataType.Timestamp(), a => Trunc((string)a[0]!, AsDateTime(a[1]!))), [DataType.Utf8, t[1]]) : null));
        r.Add(new ScalarFunction("strftime", "strftime(t, format)", "Formats with C strftime codes (%Y %m %d %H %M %S %j %a %b %%).", "SELECT strftime(DATE '2026-03-01', '%d/%m/%Y') → '01/03/2026'",
            t => t.Count == 2 && Temporal(t[0]) ? new Resolution(DataType.Utf8, RowMapped.Kernel(DataType.Utf8, a => Strftime(AsDateTime(a[0]!), (string)a[1]!)), [t[0], DataType.Utf8]) : null));
    }

    /// <summary>A date part over a whole column without boxing: timestamps and dates become DateTime arithmetically.</summary>
    private static ScalarKernel PartKernel(string part) => (args, n) =>
    {
        var input = args[0];
        var memory = Kernels.Vectors.Allocate<long>(n, clear: input.NullCount > 0, out var result); // NULL slots stay 0
        var f = PartOf(part);
        long epoch = DateTime.UnixEpoch.Ticks;
        switch (input)
        {
            case Columnar.Arrays.PrimitiveArray<long> ts when input.Type is TimestampType tt && part is "year" or "month" or "day":
            {
                // Year, month and day straight from the day number (civil-from-days), without building DateTimes.
                // Timestamps usually come clustered by day, so the last day's bounds and answer are kept: a row on the
                // same day costs one comparison instead of a division and the calendar arithmetic.
                long perDay = tt.UnitsPerSecond * 86_400;
                var v = ts.Values;
                bool nulls = input.NullCount > 0;
                int which = part == "year" ? 0 : part == "month" ? 1 : 2;
                long dayStart = 0, answer = 0;
                bool known = false;
                for (int i = 0; i < n; i++)
                {
                    if (nulls && !input.IsValid(i)) continue;
                    long t = v[i];
                    if (!known || (ulong)(t - dayStart) >= (ulong)perDay)
                    {
                        long day = Math.DivRem(t, perDay) is var (q, r) && r < 0 ? q - 1 : q;
                        // (The bounds are kept only away from the ends of the int64 range, where day * perDay could wrap.)
                        (dayStart, answer, known) = (day * perDay, CivilPart(day, which), Math.Abs(day) < long.MaxValue / 4 / perDay);
                    }
                    result[i] = answer;
                }
                break;
            }
            case Columnar.Arrays.PrimitiveArray<long> ts when input.Type is TimestampType tt:
            {
                long mul = Math.Max(1, TimeSpan.TicksPerSecond / tt.UnitsPerSecond), div = Math.Max(1, tt.UnitsPerSecond / TimeSpan.TicksPerSecond);
                var v = ts.Values;
                for (int i = 0; i < n; i++) if (input.IsValid(i)) result[i] = f(new DateTime(epoch + v[i] * mul / div, DateTimeKind.Utc));
                break;
            }
            case Columnar.Arrays.PrimitiveArray<int> d when input.Type.Id == TypeId.Date32:
            {
                var v = d.Values;
                for (int i = 0; i < n; i++) if (input.IsValid(i)) result[i] = f(new DateTime(epoch + v[i] * TimeSpan.TicksPerDay, DateTimeKind.Utc));
                break;
            }
            default:
                return RowMapped.Kernel(DataType.Int64, a => Part(part, a[0]!))(args, n);
        }
        return Kernels.Vectors.Make<long>(DataType.Int64, memory, Kernels.CastKernel.Validity(input), input.NullCount);
    };

    /// <summary>Year (0), month (1) or day (2) of a day number since 1970-01-01 in the proleptic Gregorian calendar
    /// (H. Hinnant's civil-from-days: 400-year eras, March-based years), exact for any day.</summary>
    internal static long CivilPart(long days, int which)
    {
        long z = days + 719_468;
        long era = (z >= 0 ? z : z - 146_096) / 146_097;
        long doe = z - era * 146_097;                                        // [0, 146096]
        long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
        long mp = (5 * doy + 2) / 153;                                       // [0, 11], March = 0
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        return which switch { 0 => yoe + era * 400 + (month <= 2 ? 1 : 0), 1 => month, _ => day };
    }

    private static DateTime Trunc(string part, DateTime t) => part.ToLowerInvariant() switch
    {
        "year" => new DateTime(t.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        "quarter" => new DateTime(t.Year, (t.Month - 1) / 3 * 3 + 1, 1, 0, 0, 0, DateTimeKind.Utc),
        "month" => new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        "week" => t.Date.AddDays(-(((int)t.DayOfWeek + 6) % 7)),
        "day" => t.Date,
        "hour" => new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc),
        "minute" => new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc),
        "second" => new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc),
        var p => throw new Errors.QueryLakeException("QL-BAD-ARGUMENT", $"date_trunc: unknown part '{p}'"),
    };

    private static string Strftime(DateTime t, string format)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { sb.Append(format[i]); continue; }
            char c = format[++i];
            sb.Append(c switch
            {
                'Y' => t.Year.ToString("D4", CultureInfo.InvariantCulture),
                'm' => t.Month.ToString("D2", CultureInfo.InvariantCulture),
                'd' => t.Day.ToString("D2", CultureInfo.InvariantCulture),
                'H' => t.Hour.ToString("D2", CultureInfo.InvariantCulture),
                'M' => t.Minute.ToString("D2", CultureInfo.InvariantCulture),
                'S' => t.Second.ToString("D2", CultureInfo.InvariantCulture),
                'j' => t.DayOfYear.ToString("D3", CultureInfo.InvariantCulture),
                'a' => t.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => t.ToString("dddd", CultureInfo.InvariantCulture),
                'b' => t.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => t.ToString("MMMM", CultureInfo.InvariantCulture),
                'y' => (t.Year % 100).ToString("D2", CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + c,
            });
        }
        return sb.ToString();
    }
}
