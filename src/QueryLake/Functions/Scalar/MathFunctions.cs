using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Scalar;

/// <summary>Numeric functions.</summary>
internal static class MathFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new ScalarFunction("abs", "abs(x)", "Absolute value (a DECIMAL stays DECIMAL).", "SELECT abs(-3) → 3", t => DecimalArithmetic.Rounding("abs", t) ?? (TypeRules.Numeric(t[0], t[0]) is { } c
            ? new Resolution(c, RowMapped.Kernel(c, a => a[0] is long l ? (l == long.MinValue ? throw new Errors.QueryLakeException("QL-OVERFLOW", "integer overflow in abs") : (object)Math.Abs(l)) : Math.Abs((double)a[0]!)), [c]) : null)));
        r.Add(Double1("sqrt", "Square root.", "SELECT sqrt(16) → 4.0", Math.Sqrt));
        r.Add(Double1("ln", "Natural logarithm.", "SELECT ln(1) → 0.0", Math.Log));
        r.Add(Double1("log10", "Base-10 logarithm.", "SELECT log10(100) → 2.0", Math.Log10));
        r.Add(Double1("exp", "e raised to x.", "SELECT exp(0) → 1.0", Math.Exp));
        r.Add(new ScalarFunction("floor", "floor(x)", "Largest integer not greater than x.", "SELECT floor(2.7) → 2.0", t => DecimalArithmetic.Rounding("floor", t) ?? Same(t, Math.Floor)));
        r.Add(new ScalarFunction("ceil", "ceil(x)", "Smallest integer not less than x.", "SELECT ceil(2.1) → 3.0", t => DecimalArithmetic.Rounding("ceil", t) ?? Same(t, Math.Ceiling)));
        r.Add(new ScalarFunction("sign", "sign(x)", "-1, 0 or 1 by the sign of x.", "SELECT sign(-5) → -1",
            t => TypeRules.Numeric(t[0], t[0]) is { } c ? new Resolution(DataType.Int64, RowMapped.Kernel(DataType.Int64, a => (long)Math.Sign(Convert.ToDouble(a[0]))), [c]) : null));
        r.Add(new ScalarFunction("power", "power(x, y)", "x raised to y.", "SELECT power(2, 10) → 1024.0",
            t => t.Count == 2 && TypeRules.Numeric(t[0], t[1]) is not null
                ? new Resolution(DataType.Float64, RowMapped.Kernel(DataType.Float64, a => Math.Pow((double)a[0]!, (double)a[1]!)), [DataType.Float64, DataType.Float64]) : null));
        r.Add(new ScalarFunction("round", "round(x [, digits])", "Rounds half away from zero to digits decimals (default 0); negative digits round to tens, hundreds, … (integers stay integers, a DECIMAL(p, s) becomes DECIMAL(p, digits), as in DuckDB).", "SELECT round(1255, -2) → 1300",
            t => DecimalArithmetic.Rounding("round", t) ?? (t.Count is 1 or 2 && TypeRules.Numeric(t[0], t[0]) is { } c
                ? c.Id == TypeId.Int64
                    ? t.Count == 1 ? new Resolution(c, (a, n) => a[0], [c])
                        : new Resolution(c, RowMapped.Kernel(c, a => RoundInteger((long)a[0]!, (long)a[1]!)), [c, DataType.Int64])
                    : new Resolution(DataType.Float64, RowMapped.Kernel(DataType.Float64, a => Round((double)a[0]!, a.Length > 1 ? (long)a[1]! : 0)),
                        t.Count == 1 ? [DataType.Float64] : [DataType.Float64, DataType.Int64])
                : null)));
    }

    private static ScalarFunction Double1(string name, string desc, string example, Func<double, double> f) =>
        new(name, $"{name}(x)", desc, example, t => t.Count == 1 && TypeRules.Numeric(t[0], t[0]) is not null
            ? new Resolution(DataType.Float64, RowMapped.Kernel(DataType.Float64, a => f((double)a[0]!)), [DataType.Float64]) : null);

    private static Resolution? Same(IReadOnlyList<DataType> t, Func<double, double> f) =>
        t.Count == 1 && TypeRules.Numeric(t[0], t[0]) is { } c
            ? c.Id == TypeId.Int64 ? new Resolution(c, (a, n) => a[0], [c]) : new Resolution(DataType.Float64, RowMapped.Kernel(DataType.Float64, a => f((double)a[0]!)), [DataType.Float64])
            : null;

    private static double Round(double x, long digits)
    {
        if (digits >= 0) return Math.Round(x, (int)Math.Min(digits, 15), MidpointRounding.AwayFromZero);
        if (digits < -308) return 0;
        double scale = Math.Pow(10, -digits);
        return Math.Round(x / scale, MidpointRounding.AwayFromZero) * scale;
    }

    private static long RoundInteger(long x, long digits)
    {
        if (digits >= 0) return x;
        if (digits < -18) return 0;
        long scale = 1;
        for (long i = 0; i < -digits; i++) scale *= 10;
        long q = Math.DivRem(x, scale, out long rem);
        if (Math.Abs(rem) * 2 >= scale) q += Math.Sign(x);
        try { return checked(q * scale); }
        catch (OverflowException) { throw new Errors.QueryLakeException("QL-OVERFLOW", $"round({x}, {digits}) does not fit in int64"); }
    }
}
