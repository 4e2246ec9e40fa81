using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;

namespace QueryLake.Functions.Scalar;

/// <summary>Arithmetic, comparison, logical and pattern operators. Semantics follow DuckDB: integer overflow
/// is an error, <c>/</c> divides as floating point, division or modulo by zero gives NULL, and AND/OR use
/// three-valued logic.</summary>
internal static class OperatorFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Arithmetic("+", "a + b", "Adds two numbers; adds an interval or a number of days to a date or timestamp.", "SELECT 1 + 2 → 3", checked_: (x, y) => checked(x + y), (x, y) => x + y));
        r.Add(Arithmetic("-", "a - b", "Subtracts b from a: numbers, an interval or days from a date or timestamp, the days between two dates.", "SELECT 5 - 7 → -2", checked_: (x, y) => checked(x - y), (x, y) => x - y));
        r.Add(Arithmetic("*", "a * b", "Multiplies two numbers.", "SELECT 6 * 7 → 42", checked_: (x, y) => checked(x * y), (x, y) => x * y));
        r.Add(new ScalarFunction("/", "a / b", "Divides as floating point, as DuckDB does: 7 / 2 is 3.5, and division by zero follows IEEE 754 (1 / 0 is inf, 0 / 0 is nan).", "SELECT 7 / 2 → 3.5",
            t => TypeRules.Numeric(t[0], t[1]) is null ? Expanding(TensorFunctions.ElementWise("/", t)) : new Resolution(DataType.Float64, Divide, [DataType.Float64, DataType.Float64]), isOperator: true) { AcceptsConstants = true });
        r.Add(new ScalarFunction("//", "a // b", "Integer division truncating toward zero (on floats it divides, as in DuckDB); division by zero gives NULL.", "SELECT 7 // 2 → 3",
            t => TypeRules.Numeric(t[0], t[1]) is { } c ? new Resolution(c, IntDivide, [c, c]) : null, isOperator: true) { AcceptsConstants = true });
        r.Add(new ScalarFunction("%", "a % b", "Remainder with the sign of a; modulo by zero gives NULL.", "SELECT 7 % 3 → 1",
            t => DecimalArithmetic.Resolve("%", t) ?? (TypeRules.Numeric(t[0], t[1]) is { } c ? new Resolution(c, Modulo, [c, c]) : null), isOperator: true) { AcceptsConstants = true });
        r.Add(new ScalarFunction("negate", "-a", "Negates a number.", "SELECT -(3) → -3",
            t => DecimalArithmetic.Resolve("negate", t) ?? (TypeRules.Numeric(t[0], t[0]) is { } c ? new Resolution(c, Negate, [c]) : DateArithmetic.Negate(t[0])), isOperator: true));
        foreach (var (op, test) in new[] { ("=", ComparisonOp.Equal), ("<>", ComparisonOp.NotEqual), ("<", ComparisonOp.Less), ("<=", ComparisonOp.LessOrEqual), (">", ComparisonOp.Greater), (">=", ComparisonOp.GreaterOrEqual) })
            r.Add(new ScalarFunction(op, $"a {op} b", $"Compares two values; NULL if either is NULL.", $"SELECT 1 {op} 2",
                t => TypeRules.Comparable(t[0], t[1]) is { } c ? new Resolution(DataType.Boolean, Compare(test), [c, c]) : null, isOperator: true) { AcceptsConstants = true });
        r.Add(new ScalarFunction("IS DISTINCT FROM", "a IS DISTINCT FROM b", "Like <>, but NULL is a value: NULL IS DISTINCT FROM NULL is false.", "SELECT NULL IS DISTINCT FROM 1 → true",
            t => TypeRules.Comparable(t[0], t[1]) is { } c ? new Resolution(DataType.Boolean, Distinct(true), [c, c]) : null, isOperator: true));
        r.Add(new ScalarFunction("IS NOT DISTINCT FROM", "a IS NOT DISTINCT FROM b", "Like =, but NULL equals NULL.", "SELECT NULL IS NOT DISTINCT FROM NULL → true",
            t => TypeRules.Comparable(t[0], t[1]) is { } c ? new Resolution(DataType.Boolean, Distinct(false), [c, c]) : null, isOperator: true));
        r.Add(new ScalarFunction("AND", "a AND b", "Logical and with three-valued logic: false wins over NULL.", "SELECT true AND NULL → NULL",
            t => Bools(t) ? new Resolution(DataType.Boolean, (a, n) => Logic(a, n, and: true), [DataType.Boolean, DataType.Boolean]) : null, isOperator: true));
        r.Add(new ScalarFunction("OR", "a OR b", "Logical or with three-valued logic: true wins over NULL.", "SELECT false OR NULL → NULL",
            t => Bools(t) ? new Resolution(DataType.Boolean, (a, n) => Logic(a, n, and: false), [DataType.Boolean, DataType.Boolean]) : null, isOperator: true));
        r.Add(new ScalarFunction("NOT", "NOT a", "Logical negation; NOT NULL is NULL.", "SELECT NOT true → false",
            t => Bools(t) ? new Resolution(DataType.Boolean, Not, [DataType.Boolean]) : null, isOperator: true));
        r.Add(new ScalarFunction("IS NULL", "a IS NULL", "True when a is NULL.", "SELECT NULL IS NULL → true",
            t => new Resolution(DataType.Boolean, (a, n) => NullTest(a[0], wantNull: true)), isOperator: true));
        r.Add(new ScalarFunction("IS NOT NULL", "a IS NOT NULL", "True when a is not NULL.", "SELECT 1 IS NOT NULL → true",
            t => new Resolution(DataType.Boolean, (a, n) => NullTest(a[0], wantNull: false)), isOperator: true));
        r.Add(new ScalarFunction("||", "a || b", "Concatenates two strings; NULL if either is NULL.", "SELECT 'night' || 'fall' → 'nightfall'",
            t => new Resolution(DataType.Utf8, StringFunctions.Concat(nullIfAnyNull: true), [DataType.Utf8, DataType.Utf8]), isOperator: true));
        r.Add(new ScalarFunction("LIKE", "a LIKE pattern [ESCAPE c]", "SQL pattern match: % matches any run of characters, _ one character; ESCAPE names a character that makes the next % or _ literal (there is none by default, as in DuckDB).", "SELECT 'hail' LIKE 'h%' → true",
            t => t.Count is 2 or 3 ? new Resolution(DataType.Boolean, Like(false), t.Select(_ => (DataType)DataType.Utf8).ToList()) : null, isOperator: true) { AcceptsConstants = true });
        r.Add(new ScalarFunction("ILIKE", "a ILIKE pattern [ESCAPE c]", "Case-insensitive LIKE.", "SELECT 'HAIL' ILIKE 'h%' → true",
            t => t.Count is 2 or 3 ? new Resolution(DataType.Boolean, Like(true), t.Select(_ => (DataType)DataType.Utf8).ToList()) : null, isOperator: true) { AcceptsConstants = true });
    }

    private static bool Bools(IReadOnlyList<DataType> t) => t.All(x => x.Id is TypeId.Boolean or TypeId.Null);

    private static ScalarFunction Arithmetic(string op, string sig, string desc, string example, Func<long, long, long> checked_, Func<double, double, double> dbl) =>
        new(op, sig, desc + " Integer overflow is an error.", example, t =>
        {
            if (DateArithmetic.Resolve(op, t) is { } dates) return dates;
            if (DecimalArithmetic.Resolve(op, t) is { } exact) return exact;
            var c = TypeRules.Numeric(t[0], t[1]);
            if (c is null) return Expanding(TensorFunctions.ElementWise(op, t));
            ScalarKernel k = c.Id == TypeId.Int64
                ? (a, n) => Binary<long>(a, n, DataType.Int64, (x, y) =>
                    {
                        try { return checked_(x, y); }
                        catch (OverflowException) { throw new QueryLakeException("QL-OVERFLOW", $"integer overflow: {x} {op} {y} does not fit in int64"); }
                    })
                : (a, n) => Binary(a, n, DataType.Float64, dbl);
            return new Resolution(c, k, [c, c]);
        }, isOperator: true) { AcceptsConstants = true };

    /// <summary>A constant (one-row) argument of an operator that accepts constants: the column, the constant's single
    /// row, and whether the constant came first; null when neither or both arguments are constants.</summary>
    private static (ArrowArray Column, ArrowArray Constant, bool ConstantFirst)? Constant(IReadOnlyList<ArrowArray> a, int n) =>
        n == 1 || a.Count != 2 ? null
        : a[1].Length == 1 && a[0].Length == n ? (a[0], a[1], false)
        : a[0].Length == 1 && a[1].Length == n ? (a[1], a[0], true)
        : null;

    /// <summary>Repeats one-row (constant) arguments to n rows, for kernel paths that need every row.</summary>
    private static IReadOnlyList<ArrowArray> Expand(IReadOnlyList<ArrowArray> a, int n) =>
        n == 1 || a.All(x => x.Length == n) ? a : a.Select(x => Vectors.Expand(x, n)).ToList();

    private static Resolution? Expanding(Resolution? r) => r is null ? null : r with { Kernel = (a, n) => r.Kernel(Expand(a, n), n) };

    /// <summary>An element-wise operator over two arrays, or over an array and a constant (read once, never repeated).</summary>
    private static ArrowArray Binary<T>(IReadOnlyList<ArrowArray> a, int n, DataType type, Func<T, T, T> op) where T : unmanaged
    {
        if (Constant(a, n) is not { } k) { var e = Expand(a, n); return Binary((PrimitiveArray<T>)e[0], (PrimitiveArray<T>)e[1], type, op); }
        if (k.Constant.IsNull(0)) return Vectors.Broadcast(type, null, n);
        var column = (PrimitiveArray<T>)k.Column;
        T v = ((PrimitiveArray<T>)k.Constant).Values[0];
        var (validity, nulls) = Vectors.AndValidity(n, column);
        var x = column.Values;
        var memory = Vectors.Allocate<T>(n, clear: nulls > 0, out var r);
        if (k.ConstantFirst) { for (int i = 0; i < n; i++) if (nulls == 0 || column.IsValid(i)) r[i] = op(v, x[i]); }
        else { for (int i = 0; i < n; i++) if (nulls == 0 || column.IsValid(i)) r[i] = op(x[i], v); }
        return Vectors.Make<T>(type, memory, validity, nulls);
    }

    private static PrimitiveArray<T> Binary<T>(PrimitiveArray<T> a, PrimitiveArray<T> b, DataType type, Func<T, T, T> op) where T : unmanaged
    {
        var (validity, nulls) = Vectors.AndValidity(a.Length, a, b);
        var x = a.Values;
        var y = b.Values;
        var memory = Vectors.Allocate<T>(a.Length, clear: nulls > 0, out var r);
        if (nulls == 0) for (int i = 0; i < r.Length; i++) r[i] = op(x[i], y[i]);
        else for (int i = 0; i < r.Length; i++) if (a.IsValid(i) && b.IsValid(i)) r[i] = op(x[i], y[i]);
        return Vectors.Make<T>(type, memory, validity, nulls);
    }

    private static ArrowArray Divide(IReadOnlyList<ArrowArray> a, int n) => Binary<double>(a, n, DataType.Float64, (x, y) => x / y);

    private static ArrowArray DivOrMod(IReadOnlyList<ArrowArray> a, int n, bool modulo, Func<long, long, long> li, Func<double, double, double> di)
    {
        if (Constant(a, n) is { ConstantFirst: false } k)
        {
            // A constant divisor (id % 10): zero or NULL makes every row NULL; otherwise the column's NULLs stay.
            if (k.Constant.IsNull(0)) return Vectors.Broadcast(k.Column.Type, null, n);
            if (k.Column is PrimitiveArray<long> column && k.Constant is PrimitiveArray<long> lk)
                return lk.Values[0] == 0 ? Vectors.Broadcast(DataType.Int64, null, n)
                    : ByConstant(column, lk.Values[0], modulo) ?? Binary(a, n, DataType.Int64, li);
            if (k.Column is PrimitiveArray<double> && k.Constant is PrimitiveArray<double> dk)
                return dk.Values[0] == 0 ? Vectors.Broadcast(DataType.Float64, null, n) : Binary(a, n, DataType.Float64, di);
        }
        a = Expand(a, n);
        var bits = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        if (a[0] is PrimitiveArray<long> x && a[1] is PrimitiveArray<long> y)
        {
            var r = new long[n];
            for (int i = 0; i < n; i++)
            {
                if (x.IsNull(i) || y.IsNull(i) || y[i] == 0) { nulls++; continue; }
                r[i] = li(x[i], y[i]);
                BitUtil.SetBit(bits, i, true);
            }
            return Vectors.Make(DataType.Int64, r, nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits), nulls);
        }
        var xd = (PrimitiveArray<double>)a[0];
        var yd = (PrimitiveArray<double>)a[1];
        var rd = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (xd.IsNull(i) || yd.IsNull(i) || yd[i] == 0) { nulls++; continue; }
            rd[i] = di(xd[i], yd[i]);
            BitUtil.SetBit(bits, i, true);
        }
        return Vectors.Make(DataType.Float64, rd, nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits), nulls);
    }

    /// <summary>int64 // or % by a constant other than 0 and −1, SIMD: when every value and the divisor lie within ±2^53,
    /// the quotient truncated from the float64 division is exact (a non-integer x/y is at least 1/|y| from the next
    /// integer, more than the division's rounding error while |x| &lt; 2^53), so vectors of doubles divide in place of a
    /// 64-bit integer division per row. Null when the values are out of that range (the caller divides row by row).</summary>
    private static ArrowArray? ByConstant(PrimitiveArray<long> column, long divisor, bool modulo)
    {
        const long Exact = 1L << 53;
        var x = column.Values;
        if (divisor == -1 || divisor <= -Exact || divisor >= Exact || x.IsEmpty) return null;
        var memory = Vectors.Allocate<long>(x.Length, clear: false, out var r); // every element is written below
        double d = divisor;
        int i = 0;
        // The range is checked in the same pass: x lies strictly within ±2^53 exactly when x + 2^53 − 1, as an unsigned
        // number, is at most 2^54 − 2. A value outside leaves the column to the row-by-row path.
        const ulong Span = 2 * (ulong)Exact - 2;
        bool outside = false;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var dv = new System.Numerics.Vector<double>(d);
            var lv = new System.Numerics.Vector<long>(divisor);
            var shift = new System.Numerics.Vector<long>(Exact - 1);
            var span = new System.Numerics.Vector<ulong>(Span);
            var bad = System.Numerics.Vector<ulong>.Zero;
            for (; i <= x.Length - System.Numerics.Vector<long>.Count; i += System.Numerics.Vector<long>.Count)
            {
                var xv = new System.Numerics.Vector<long>(x.Slice(i));
                bad |= System.Numerics.Vector.GreaterThan(System.Numerics.Vector.AsVectorUInt64(xv + shift), span);
                var q = System.Numerics.Vector.ConvertToInt64(System.Numerics.Vector.ConvertToDouble(xv) / dv);
                (modulo ? xv - q * lv : q).CopyTo(r[i..]);
            }
            outside = bad != System.Numerics.Vector<ulong>.Zero;
        }
        for (; i < x.Length; i++)
        {
            outside |= (ulong)(x[i] + (Exact - 1)) > Span;
            long q = (long)(x[i] / d);
            r[i] = modulo ? x[i] - q * divisor : q;
        }
        return outside ? null : Vectors.Make<long>(DataType.Int64, memory, CastKernel.Validity(column), column.NullCount);
    }

    private static ArrowArray IntDivide(IReadOnlyList<ArrowArray> a, int n) =>
        DivOrMod(a, n, modulo: false, (x, y) => y == -1
                ? x == long.MinValue ? throw new QueryLakeException("QL-OVERFLOW", $"integer overflow: {x} // -1 does not fit in int64") : -x
                : x / y,
            (x, y) => x / y);

    private static ArrowArray Modulo(IReadOnlyList<ArrowArray> a, int n) => DivOrMod(a, n, modulo: true, (x, y) => y == -1 ? 0 : x % y, (x, y) => x % y);

    private static ArrowArray Negate(IReadOnlyList<ArrowArray> a, int n) => a[0] switch
    {
        PrimitiveArray<long> x => Binary(x, x, DataType.Int64, (v, _) => v == long.MinValue
            ? throw new QueryLakeException("QL-OVERFLOW", $"integer overflow: -({v}) does not fit in int64") : -v),
        PrimitiveArray<double> x => Binary(x, x, DataType.Float64, (v, _) => -v),
        var other => throw new InvalidOperationException($"negate of {other.Type}"),
    };

    private static ScalarKernel Compare(ComparisonOp op) => (a, n) =>
    {
        if (Constant(a, n) is { } k)
        {
            // Against a constant: the constant is read once; the result's NULLs are the column's.
            if (k.Constant.IsNull(0)) return Vectors.Broadcast(DataType.Boolean, null, n);
            var cop = k.ConstantFirst ? CompareKernel.Swap(op) : op;
            var (cv, cn) = Vectors.AndValidity(n, k.Column);
            if (CompareKernel.Primitive(k.Column, k.Constant, cop, yConstant: true) is { } bits)
                return Vectors.MakeBool(bits, n, cv, cn);
            switch (k.Column, k.Constant)
            {
                case (BinaryArray x, BinaryArray c):
                {
                    var v = c.GetBytes(0).ToArray();
                    var cr = new bool[n];
                    for (int i = 0; i < n; i++) cr[i] = (cn == 0 || x.IsValid(i)) && CompareKernel.Test(cop, x.GetBytes(i).SequenceCompareTo(v));
                    return Vectors.MakeBool(cr, cv, cn);
                }
            }
        }
        a = Expand(a, n);
        var (validity, nulls) = Vectors.AndValidity(n, a[0], a[1]);
        if (CompareKernel.Primitive(a[0], a[1], op, yConstant: false) is { } all)
            return Vectors.MakeBool(all, n, validity, nulls);
        var r = new bool[n];
        if (a[0] is BinaryArray bx && a[1] is BinaryArray by)
            for (int i = 0; i < n; i++) r[i] = CompareKernel.Test(op, bx.GetBytes(i).SequenceCompareTo(by.GetBytes(i)));
        else
        {
            var cmp = Comparer.For(a[0], a[1]);
            for (int i = 0; i < n; i++) if (nulls == 0 || (a[0].IsValid(i) && a[1].IsValid(i))) r[i] = CompareKernel.Test(op, cmp(i, i));
        }
        return Vectors.MakeBool(r, validity, nulls);
    };

    private static ScalarKernel Distinct(bool distinct) => (a, n) =>
    {
        var cmp = Comparer.For(a[0], a[1]);
        var r = new bool[n];
        for (int i = 0; i < n; i++)
        {
            bool nx = a[0].IsNull(i), ny = a[1].IsNull(i);
            bool same = nx || ny ? nx == ny : cmp(i, i) == 0;
            r[i] = distinct ? !same : same;
        }
        return Vectors.MakeBool(r, ArrowBuffer.Empty, 0);
    };

    /// <summary>Three-valued AND / OR on 64 rows at a time: with t and f the rows definitely true and definitely false
    /// of each side, AND is true where both are true and false where either is false; OR is true where either is true
    /// and false where both are false; every other row is NULL.</summary>
    private static ArrowArray Logic(IReadOnlyList<ArrowArray> a, int n, bool and)
    {
        var x = (BooleanArray)a[0];
        var y = (BooleanArray)a[1];
        int words = (n + 63) >> 6, nulls = 0;
        var values = new byte[words * 8];
        var valid = new byte[words * 8];
        for (int w = 0; w < words; w++)
        {
            int at = w << 6;
            ulong tail = n - at >= 64 ? ulong.MaxValue : (1UL << (n - at)) - 1;
            var (xt, xf) = Definite(x, at);
            var (yt, yf) = Definite(y, at);
            ulong t = (and ? xt & yt : xt | yt) & tail, f = (and ? xf | yf : xf & yf) & tail;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(values.AsSpan(w * 8), t);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(valid.AsSpan(w * 8), t | f);
            nulls += System.Numerics.BitOperations.PopCount(~(t | f) & tail);
        }
        int bytes = BitUtil.BytesFor(n);
        return (BooleanArray)ArrowArray.FromData(new Columnar.ArrayData(DataType.Boolean, n, 0, nulls,
            [nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid.AsSpan(0, bytes)), ArrowBuffer.Copy(values.AsSpan(0, bytes))]));
    }

    /// <summary>The rows of 64 starting at <paramref name="at"/> that are definitely true and definitely false.</summary>
    private static (ulong True, ulong False) Definite(BooleanArray b, int at)
    {
        ulong v = BitUtil.Word(b.Data.Buffers[1].Span, b.Data.Offset + at);
        ulong k = b.NullCount == 0 ? ulong.MaxValue : BitUtil.Word(b.Data.Validity.Span, b.Data.Offset + at);
        return (v & k, ~v & k);
    }

    /// <summary>NOT, 64 rows at a time; NULLs stay.</summary>
    private static ArrowArray Not(IReadOnlyList<ArrowArray> a, int n)
    {
        var x = (BooleanArray)a[0];
        int words = (n + 63) >> 6;
        var values = new byte[words * 8];
        for (int w = 0; w < words; w++)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(values.AsSpan(w * 8), ~BitUtil.Word(x.Data.Buffers[1].Span, x.Data.Offset + (w << 6)));
        var bits = values.AsSpan(0, BitUtil.BytesFor(n)).ToArray();
        if ((n & 7) != 0) bits[^1] &= (byte)((1 << (n & 7)) - 1); // padding bits stay clear
        return (BooleanArray)ArrowArray.FromData(new Columnar.ArrayData(DataType.Boolean, n, 0, x.NullCount, [CastKernel.Validity(x), ArrowBuffer.Copy(bits)]));
    }

    /// <summary>The pattern when every row has the same non-null one (a literal pattern), else null.</summary>
    /// <summary>'abc%', '%abc', '%abc%' and 'abc' match on the UTF-8 bytes directly.</summary>
    private static ArrowArray SimpleLike(BinaryArray s, LikeMatcher.Pieces pattern, int n)
    {
        var (validity, nulls) = Vectors.AndValidity(n, s);
        var r = new bool[n];
        for (int i = 0; i < n; i++)
        {
            if (nulls > 0 && s.IsNull(i)) continue;
            r[i] = pattern.Matches(s.GetBytes(i));
        }
        return Vectors.MakeBool(r, validity, nulls);
    }

    private static string? ConstantPattern(BinaryArray p)
    {
        if (p.Length == 0 || p.NullCount > 0) return null;
        var first = p.GetBytes(0);
        for (int i = 1; i < p.Length; i++) if (!p.GetBytes(i).SequenceEqual(first)) return null;
        return System.Text.Encoding.UTF8.GetString(first);
    }

    private static ArrowArray NullTest(ArrowArray a, bool wantNull)
    {
        var r = new bool[a.Length];
        for (int i = 0; i < r.Length; i++) r[i] = a.IsNull(i) == wantNull;
        return Vectors.MakeBool(r, ArrowBuffer.Empty, 0);
    }

    private static ScalarKernel Like(bool ignoreCase) => (a, n) =>
    {
        // A constant pattern (the usual case) arrives as one row: NULL makes every row NULL; otherwise the text's NULLs stay.
        if (a.Count == 2 && n != 1 && a[1].Length == 1 && a[0].Length == n)
        {
            if (a[1].IsNull(0)) return Vectors.Broadcast(DataType.Boolean, null, n);
            if (!ignoreCase && LikeMatcher.Split(((BinaryArray)a[1]).GetString(0)!) is { } constant)
                return SimpleLike((BinaryArray)a[0], constant, n);
        }
        a = Expand(a, n);
        var s = (BinaryArray)a[0];
        var p = (BinaryArray)a[1];
        var e = a.Count > 2 ? (BinaryArray)a[2] : null;
        var (validity, nulls) = e is null ? Vectors.AndValidity(n, s, p) : Vectors.AndValidity(n, s, p, e);
        var r = new bool[n];
        if (e is null && !ignoreCase && ConstantPattern(p) is { } pattern && LikeMatcher.Split(pattern) is { } simple)
            return SimpleLike(s, simple, n);
        for (int i = 0; i < n; i++)
        {
            if (s.IsNull(i) || p.IsNull(i) || (e is not null && e.IsNull(i))) continue;
            char? escape = null;
            if (e is not null)
            {
                var esc = e.GetString(i)!;
                if (esc.Length > 1) throw new QueryLakeException("QL-BAD-ARGUMENT", $"the LIKE escape must be one character, not '{esc}'");
                escape = esc.Length == 1 ? esc[0] : null;
            }
            r[i] = LikeMatcher.Matches(s.GetString(i)!, p.GetString(i)!, ignoreCase, escape);
        }
        return Vectors.MakeBool(r, validity, nulls);
    };
}
