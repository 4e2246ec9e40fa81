using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;

namespace QueryLake.Functions.Scalar;

/// <summary>
/// Exact + - * % and negation on DECIMAL, with DuckDB's result types: a + b and a − b are DECIMAL(max(p₁−s₁, p₂−s₂) +
/// max(s₁, s₂) + 1, max(s₁, s₂)); a × b is DECIMAL(p₁ + p₂, s₁ + s₂); a % b keeps the larger scale; each at most 38
/// digits, and a result that does not fit is an error. An integer operand counts as the DECIMAL of its digits. A
/// DECIMAL with a float, and division, compute in double (as in DuckDB).
/// </summary>
internal static class DecimalArithmetic
{
    /// <summary>The resolution of <paramref name="op"/> when a DECIMAL meets a DECIMAL or an integer; null otherwise.</summary>
    public static Resolution? Resolve(string op, IReadOnlyList<DataType> t)
    {
        if (op == "negate")
            return t.Count == 1 && TypeRules.Logical(t[0]) is DecimalType d ? new Resolution(d, (a, n) => Negate((PrimitiveArray<Int128>)a[0], d), [d]) : null;
        if (t.Count != 2 || TypeRules.Logical(t[0]) is not DecimalType && TypeRules.Logical(t[1]) is not DecimalType) return null;
        var x = t[0] is NullType ? TypeRules.AsDecimal(t[1]) : TypeRules.AsDecimal(t[0]);
        var y = t[1] is NullType ? TypeRules.AsDecimal(t[0]) : TypeRules.AsDecimal(t[1]);
        if (x is null || y is null) return null;
        int scale = Math.Max(x.Scale, y.Scale), whole = Math.Max(x.Precision - x.Scale, y.Precision - y.Scale);
        DecimalType result;
        switch (op)
        {
            case "+" or "-": result = new DecimalType(Math.Min(38, whole + scale + 1), scale); break;
            case "*":
                if (x.Scale + y.Scale > 38) return null;
                result = new DecimalType(Math.Min(38, Math.Max(x.Precision + y.Precision, x.Scale + y.Scale)), x.Scale + y.Scale);
                break;
            case "%": result = new DecimalType(Math.Min(38, whole + scale), scale); break;
            default: return null;
        }
        // Integers stay int64 (read as scale 0); DECIMALs stay as they are.
        DataType Arg(DataType given, DecimalType asDecimal) => TypeRules.Logical(given) is DecimalType ? asDecimal : DataType.Int64;
        return new Resolution(result, (a, n) => Binary(op, a[0], x.Scale, a[1], y.Scale, result, n), [Arg(t[0], x), Arg(t[1], y)]);
    }

    /// <summary>abs, floor, ceil and round on a DECIMAL, as DuckDB types them: abs keeps DECIMAL(p, s); floor, ceil and
    /// round(x) give DECIMAL(p, 0); round(x, n) keeps DECIMAL(p, s) with the value rounded half away from zero to n
    /// digits (n ≤ 0: to units, tens, …), and the binder narrows it to DECIMAL(p, n) when n is a constant
    /// (<see cref="RoundedType"/>). Null when the first argument is not a DECIMAL.</summary>
    public static Resolution? Rounding(string name, IReadOnlyList<DataType> t)
    {
        if (t.Count == 0 || TypeRules.Logical(t[0]) is not DecimalType d) return null;
        var whole = new DecimalType(d.Precision, 0);
        switch (name)
        {
            case "abs" when t.Count == 1: return new Resolution(d, (a, n) => Map(a[0], n, d, v => Int128.Abs(v)), [d]);
            case "floor" when t.Count == 1: return new Resolution(whole, (a, n) => Map(a[0], n, whole, v => Floor(v, d.Scale)), [d]);
            case "ceil" when t.Count == 1: return new Resolution(whole, (a, n) => Map(a[0], n, whole, v => -Floor(-v, d.Scale)), [d]);
            case "round" when t.Count == 1: return new Resolution(whole, (a, n) => Map(a[0], n, whole, v => DecimalMath.Rescale(v, d.Scale, 0)), [d]);
            case "round" when t.Count == 2 && TypeRules.Logical(t[1]) is PrimitiveType { Id: TypeId.Int64 or TypeId.Int32 or TypeId.Int16 or TypeId.Int8 }:
                return new Resolution(d, (a, n) => RoundTo(a[0], a[1], n, d), [d, DataType.Int64]);
            default: return null;
        }
    }

    /// <summary>The type round(x, <paramref name="digits"/>) of a DECIMAL(p, s) has in DuckDB when the digits are a
    /// constant: DECIMAL(p, digits) for 0 ≤ digits &lt; s, DECIMAL(p, 0) below, DECIMAL(p, s) from s up.</summary>
    public static DecimalType RoundedType(DecimalType d, long digits) => digits >= d.Scale ? d : new DecimalType(d.Precision, (int)Math.Max(0, digits));

    private static Int128 Floor(Int128 v, int scale)
    {
        var (q, r) = Int128.DivRem(v, DecimalMath.Power(scale));
        return r < 0 ? q - 1 : q;
    }

    private static ArrowArray Map(ArrowArray a, int n, DecimalType result, Func<Int128, Int128> f)
    {
        var x = Reader(a);
        var values = new Int128[n];
        var valid = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        for (int i = 0; i < n; i++)
        {
            if (a.IsNull(a.Length == 1 ? 0 : i)) { nulls++; continue; }
            var r = f(x(i));
            if (!DecimalMath.Fits(r, result.Precision)) throw DecimalMath.OutOfRange(DecimalMath.Format(r, result.Scale), result);
            values[i] = r;
            BitUtil.SetBit(valid, i, true);
        }
        return Vectors.Make(result, values, nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid), nulls);
    }

    /// <summary>Each value rounded half away from zero to its row's digits, kept at the type's scale.</summary>
    private static ArrowArray RoundTo(ArrowArray a, ArrowArray digits, int n, DecimalType d)
    {
        var x = Reader(a);
        var k = (PrimitiveArray<long>)digits;
        var values = new Int128[n];
        var valid = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        for (int i = 0; i < n; i++)
        {
            int di = digits.Length == 1 ? 0 : i;
            if (a.IsNull(a.Length == 1 ? 0 : i) || digits.IsNull(di)) { nulls++; continue; }
            long keep = k[di];
            var v = x(i);
            if (keep < d.Scale)
            {
                // Drop (scale − keep) digits, rounding, then scale back up; past 38 digits everything rounds to 0.
                long drop = d.Scale - keep;
                v = drop > 38 ? 0 : DecimalMath.Rescale(v, (int)drop, 0) is var q && drop <= 38 ? q * DecimalMath.Power((int)drop) : 0;
                if (!DecimalMath.Fits(v, d.Precision)) throw DecimalMath.OutOfRange(DecimalMath.Format(v, d.Scale), d);
            }
            values[i] = v;
            BitUtil.SetBit(valid, i, true);
        }
        return Vectors.Make(d, values, nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid), nulls);
    }

    private static Func<int, Int128> Reader(ArrowArray a) => a switch
    {
        PrimitiveArray<Int128> d => a.Length == 1 ? _ => d[0] : i => d[i],
        PrimitiveArray<long> l => a.Length == 1 ? _ => l[0] : i => l[i],
        _ => throw new InvalidOperationException($"DECIMAL arithmetic on {a.Type}"),
    };

    private static ArrowArray Binary(string op, ArrowArray a, int sa, ArrowArray b, int sb, DecimalType result, int n)
    {
        var x = Reader(a);
        var y = Reader(b);
        bool aNull(int i) => a.IsNull(a.Length == 1 ? 0 : i);
        bool bNull(int i) => b.IsNull(b.Length == 1 ? 0 : i);
        var values = new Int128[n];
        var valid = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        int common = Math.Max(sa, sb);
        Int128 pa = DecimalMath.Power(common - sa), pb = DecimalMath.Power(common - sb);
        for (int i = 0; i < n; i++)
        {
            if (aNull(i) || bNull(i)) { nulls++; continue; }
            Int128 u = x(i), v = y(i), r;
            try
            {
                switch (op)
                {
                    case "+": r = checked(u * pa + v * pb); break;
                    case "-": r = checked(u * pa - v * pb); break;
                    case "*": r = checked(u * v); break;
                    default:
                        var d = checked(v * pb);
                        if (d == 0) { nulls++; continue; } // modulo by zero is NULL, as for integers
                        r = checked(u * pa) % d;
                        break;
                }
            }
            catch (OverflowException) { throw Overflow(op, u, sa, v, sb, result); }
            if (!DecimalMath.Fits(r, result.Precision)) throw Overflow(op, u, sa, v, sb, result);
            values[i] = r;
            BitUtil.SetBit(valid, i, true);
        }
        return Vectors.Make(result, values, nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid), nulls);
    }

    private static QueryLakeException Overflow(string op, Int128 u, int sa, Int128 v, int sb, DecimalType result) =>
        new("QL-OVERFLOW", $"DECIMAL overflow: {DecimalMath.Format(u, sa)} {op} {DecimalMath.Format(v, sb)} does not fit in DECIMAL({result.Precision}, {result.Scale})");

    private static ArrowArray Negate(PrimitiveArray<Int128> a, DecimalType type)
    {
        var values = new Int128[a.Length];
        var src = a.Values;
        for (int i = 0; i < values.Length; i++) values[i] = -src[i];
        var (validity, nulls) = Vectors.AndValidity(a.Length, a);
        return Vectors.Make(type, values, validity, nulls);
    }
}
