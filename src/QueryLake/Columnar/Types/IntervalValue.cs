using System.Collections;
using System.Globalization;
using System.Text;

namespace QueryLake.Columnar.Types;

/// <summary>One INTERVAL value: months, days and microseconds, each signed and kept apart. It reads as the struct it
/// is stored as (<c>months</c>, <c>days</c>, <c>micros</c>) and prints as DuckDB does (<c>1 year 2 months 3 days
/// 04:05:06</c>).</summary>
public sealed record IntervalValue(int Months, int Days, long Micros) : IReadOnlyDictionary<string, object?>
{
    private const long MicrosPerSecond = 1_000_000, MicrosPerMinute = 60 * MicrosPerSecond, MicrosPerHour = 60 * MicrosPerMinute;

    /// <summary>The interval negated.</summary>
    public IntervalValue Negate() => new(checked(-Months), checked(-Days), checked(-Micros));

    /// <summary>Parses interval text: <c>'3 days'</c>, <c>'1 year 2 months'</c>, <c>'-2 hours 30 minutes'</c>,
    /// <c>'01:30:00'</c>, or a bare number with <paramref name="unit"/> (<c>INTERVAL '90' DAY</c>). Null when the text
    /// is not an interval; <paramref name="problem"/> says why.</summary>
    public static IntervalValue? TryParse(string text, string? unit, out string? problem)
    {
        problem = null;
        long months = 0, days = 0, micros = 0;
        var parts = text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (unit is not null)
        {
            if (parts.Length != 1 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                problem = $"'{text}' is not a number of {unit.ToLowerInvariant()}s";
                return null;
            }
            return Add(ref months, ref days, ref micros, amount, unit, ref problem) ? Make(months, days, micros, ref problem) : null;
        }
        if (parts.Length == 0) { problem = "an interval cannot be empty"; return null; }
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Contains(':'))
            {
                if (!TryClock(parts[i], out long clock)) { problem = $"'{parts[i]}' is not a time of day (hh:mm[:ss])"; return null; }
                micros += clock;
                continue;
            }
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || i + 1 >= parts.Length)
            {
                problem = $"'{text}' is not an interval; write it like '3 days', '1 year 2 months' or '04:05:06'";
                return null;
            }
            if (!Add(ref months, ref days, ref micros, amount, parts[++i], ref problem)) return null;
        }
        return Make(months, days, micros, ref problem);
    }

    private static IntervalValue? Make(long months, long days, long micros, ref string? problem)
    {
        if (months is < int.MinValue or > int.MaxValue || days is < int.MinValue or > int.MaxValue) { problem = "the interval is out of range"; return null; }
        return new IntervalValue((int)months, (int)days, micros);
    }

    private static bool TryClock(string s, out long micros)
    {
        micros = 0;
        bool negative = s.StartsWith('-');
        var f = s.TrimStart('-', '+').Split(':');
        if (f.Length is < 2 or > 3 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long h)
            || !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long m)) return false;
        double sec = 0;
        if (f.Length == 3 && !double.TryParse(f[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out sec)) return false;
        micros = h * MicrosPerHour + m * MicrosPerMinute + (long)Math.Round(sec * MicrosPerSecond);
        if (negative) micros = -micros;
        return true;
    }

    private static bool Add(ref long months, ref long days, ref long micros, double amount, string unit, ref string? problem)
    {
        var u = unit.ToLowerInvariant();
        if (u.Length > 3 && u.EndsWith('s')) u = u[..^1];
        switch (u)
        {
            case "millennium" or "millennia": months += Whole(amount * 12000); break;
            case "century" or "centurie": months += Whole(amount * 1200); break;
            case "decade": months += Whole(amount * 120); break;
            case "year" or "yrs" or "yr" or "y": months += Whole(amount * 12); break;
            case "quarter": months += Whole(amount * 3); break;
            case "month" or "mon": months += Whole(amount); break;
            case "week" or "w": days += Whole(amount * 7); break;
            case "day" or "d": days += Whole(amount); break;
            case "hour" or "hrs" or "hr" or "h": micros += Whole(amount * MicrosPerHour); break;
            case "minute" or "min" or "m": micros += Whole(amount * MicrosPerMinute); break;
            case "second" or "sec" or "s": micros += Whole(amount * MicrosPerSecond); break;
            case "millisecond" or "msec" or "ms": micros += Whole(amount * 1000); break;
            case "microsecond" or "usec" or "us": micros += Whole(amount); break;
            default:
                problem = $"unknown interval unit '{unit}'; use YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND";
                return false;
        }
        return true;
    }

    private static long Whole(double v) => (long)Math.Round(v, MidpointRounding.AwayFromZero);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        void Part(long n, string unit)
        {
            if (n == 0) return;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(unit).Append(Math.Abs(n) == 1 ? "" : "s");
        }
        Part(Months / 12, "year");
        Part(Months % 12, "month");
        Part(Days, "day");
        if (Micros != 0)
        {
            if (sb.Length > 0) sb.Append(' ');
            long m = Math.Abs(Micros);
            if (Micros < 0) sb.Append('-');
            sb.Append(CultureInfo.InvariantCulture, $"{m / MicrosPerHour:D2}:{m / MicrosPerMinute % 60:D2}:{m / MicrosPerSecond % 60:D2}");
            if (m % MicrosPerSecond != 0) sb.Append(CultureInfo.InvariantCulture, $".{m % MicrosPerSecond:D6}");
        }
        return sb.Length == 0 ? "00:00:00" : sb.ToString();
    }

    /// <inheritdoc />
    public object? this[string key] => key switch
    {
        "months" => Months,
        "days" => Days,
        "micros" => Micros,
        _ => throw new KeyNotFoundException(key),
    };

    /// <inheritdoc />
    public IEnumerable<string> Keys => ["months", "days", "micros"];

    /// <inheritdoc />
    public IEnumerable<object?> Values => [Months, Days, Micros];

    /// <inheritdoc />
    public int Count => 3;

    /// <inheritdoc />
    public bool ContainsKey(string key) => key is "months" or "days" or "micros";

    /// <inheritdoc />
    public bool TryGetValue(string key, out object? value)
    {
        value = ContainsKey(key) ? this[key] : null;
        return ContainsKey(key);
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Keys.Select(k => new KeyValuePair<string, object?>(k, this[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
