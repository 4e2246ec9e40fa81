using System.Globalization;
using QueryLake.Errors;

namespace QueryLake.Columnar.Types;

/// <summary>
/// Exact arithmetic on DECIMAL values held as unscaled 128-bit integers: rescaling (rounding half away from zero, as
/// DuckDB does), range checks against a precision, parsing and formatting without going through binary floating point,
/// and the conversions to and from .NET <see cref="decimal"/> and <see cref="double"/>.
/// </summary>
internal static class DecimalMath
{
    private static readonly Int128[] Powers = Enumerable.Range(0, 39).Select(Pow).ToArray();

    private static Int128 Pow(int n)
    {
        Int128 p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }

    /// <summary>10^n for n in 0…38.</summary>
    public static Int128 Power(int n) => Powers[n];

    /// <summary>Whether an unscaled value has at most <paramref name="precision"/> digits.</summary>
    public static bool Fits(Int128 v, int precision) => v < Powers[precision] && v > -Powers[precision];

    /// <summary>The value at another scale, rounded half away from zero when digits are dropped; overflow is an
    /// error.</summary>
    public static Int128 Rescale(Int128 v, int from, int to)
    {
        if (to == from) return v;
        if (to > from) return checked(v * Powers[to - from]);
        var p = Powers[from - to];
        var q = Int128.DivRem(v, p);
        var half = p / 2;
        if (Int128.Abs(q.Remainder) >= half && half > 0) return q.Quotient + Int128.Sign(v);
        return q.Quotient;
    }

    /// <summary>The value, rescaled to <paramref name="type"/>'s scale and checked against its precision.</summary>
    public static Int128 Fit(Int128 v, int scale, DecimalType type, Func<string> what)
    {
        Int128 r;
        try { r = Rescale(v, scale, type.Scale); }
        catch (OverflowException) { throw OutOfRange(what(), type); }
        return Fits(r, type.Precision) ? r : throw OutOfRange(what(), type);
    }

    public static QueryLakeException OutOfRange(string value, DecimalType type) =>
        new("QL-OUT-OF-RANGE", $"{value} does not fit in DECIMAL({type.Precision}, {type.Scale})");

    /// <summary>A .NET decimal as an unscaled value of <paramref name="type"/>.</summary>
    public static Int128 FromDecimal(decimal d, DecimalType type)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(d, bits);
        Int128 unscaled = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        if (bits[3] < 0) unscaled = -unscaled;
        int scale = (bits[3] >> 16) & 0xFF;
        return Fit(unscaled, scale, type, () => d.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>An integer as an unscaled value of <paramref name="type"/>.</summary>
    public static Int128 FromInteger(Int128 v, DecimalType type) => Fit(v, 0, type, () => v.ToString(CultureInfo.InvariantCulture));

    /// <summary>A double as an unscaled value of <paramref name="type"/>: its exact binary value rounded half away from
    /// zero at the scale (1.015, which is 1.01499…, gives 1.01).</summary>
    public static Int128 FromDouble(double d, DecimalType type)
    {
        if (!double.IsFinite(d)) throw OutOfRange(d.ToString(CultureInfo.InvariantCulture), type);
        long bits = BitConverter.DoubleToInt64Bits(d);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent++; else mantissa |= 1L << 52;
        exponent -= 1075;
        // value = mantissa × 2^exponent; scaled = value × 10^s, rounded half away from zero.
        var m = new System.Numerics.BigInteger(mantissa) * System.Numerics.BigInteger.Pow(10, type.Scale);
        System.Numerics.BigInteger scaled;
        if (exponent >= 0) scaled = m << exponent;
        else
        {
            var divisor = System.Numerics.BigInteger.One << -exponent;
            var q = System.Numerics.BigInteger.DivRem(m, divisor, out var rem);
            scaled = rem * 2 >= divisor ? q + 1 : q;
        }
        if (negative) scaled = -scaled;
        if (System.Numerics.BigInteger.Abs(scaled) >= (System.Numerics.BigInteger)Powers[type.Precision])
            throw OutOfRange(d.ToString("R", CultureInfo.InvariantCulture), type);
        return (Int128)scaled;
    }

    /// <summary>Text (<c>-12.345</c>, <c>1e3</c>, surrounding spaces allowed) as an unscaled value of
    /// <paramref name="type"/>, exactly; null when it is not a number.</summary>
    public static Int128? Parse(string text, DecimalType type)
    {
        var s = text.AsSpan().Trim();
        int exp = 0;
        int e = s.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!int.TryParse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exp) || Math.Abs(exp) > 100) return null;
            s = s[..e];
        }
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-') { negative = s[0] == '-'; s = s[1..]; }
        Int128 digits = 0;
        int scale = 0, count = 0;
        bool point = false, any = false;
        foreach (char c in s)
        {
            if (c == '.' && !point) { point = true; continue; }
            if (c is < '0' or > '9') return null;
            any = true;
            if (count == 0 && c == '0' && !point) continue;
            if (count >= 38) { if (point) continue; throw OutOfRange(text, type); } // digits past 38 after the point are dropped
            digits = digits * 10 + (c - '0');
            count++;
            if (point) scale++;
        }
        if (!any) return null;
        if (negative) digits = -digits;
        scale -= exp;
        if (scale < 0)
        {
            if (-scale > 38) throw OutOfRange(text, type);
            try { digits = checked(digits * Powers[-scale]); } catch (OverflowException) { throw OutOfRange(text, type); }
            scale = 0;
        }
        while (scale > 38) { digits /= 10; scale--; }
        return Fit(digits, scale, type, () => text);
    }

    /// <summary>The exact text of an unscaled value (<c>-0.05</c>, <c>3.75</c>, <c>12</c>).</summary>
    public static string Format(Int128 v, int scale)
    {
        var digits = Int128.Abs(v).ToString(CultureInfo.InvariantCulture);
        if (v == Int128.MinValue) digits = digits.TrimStart('-');
        string sign = v < 0 ? "-" : "";
        if (scale == 0) return sign + digits;
        digits = digits.PadLeft(scale + 1, '0');
        return $"{sign}{digits[..^scale]}.{digits[^scale..]}";
    }

    private static readonly double[] DoublePowers = Enumerable.Range(0, 39).Select(n => Math.Pow(10, n)).ToArray();

    /// <summary>The nearest double: one exact division when the unscaled value and 10^scale are both exact doubles
    /// (under 2^53 and 10^22), else through the correctly rounded decimal-text parser.</summary>
    public static double ToDouble(Int128 v, int scale) =>
        scale <= 22 && Int128.Abs(v) < (Int128)1 << 53 ? (double)(long)v / DoublePowers[scale]
        : double.Parse(Format(v, scale), CultureInfo.InvariantCulture);

    /// <summary>The value in its .NET form: a <see cref="decimal"/>, or for values with more digits than that holds
    /// (over 28) a <see cref="System.Data.SqlTypes.SqlDecimal"/>, which holds 38.</summary>
    public static object ToObject(Int128 v, int scale)
    {
        // 38 digits never reach 2^127; a value that does comes from a damaged file.
        if (v == Int128.MinValue || !Fits(v, DecimalType.MaxPrecision))
            throw new QueryLakeException("QL-CORRUPT", $"a DECIMAL value has more than {DecimalType.MaxPrecision} digits ({Format(v, scale)}): the data is damaged");
        var a = Int128.Abs(v);
        if (a >> 96 == 0) return new decimal((int)(uint)a, (int)(uint)(a >> 32), (int)(uint)(a >> 64), v < 0, (byte)scale);
        return new System.Data.SqlTypes.SqlDecimal(DecimalType.MaxPrecision, (byte)scale, v >= 0,
            (int)(uint)a, (int)(uint)(a >> 32), (int)(uint)(a >> 64), (int)(uint)(a >> 96));
    }
}
