using System.Numerics;
using System.Runtime.Intrinsics;
using QueryLake.Columnar.Memory;

namespace QueryLake.Kernels;

/// <summary>A comparison operator.</summary>
internal enum ComparisonOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary>
/// Comparisons of int64 and float64 columns (with each other or with a constant) straight into a validity-style bitmap,
/// eight rows per vector compare. Doubles follow <see cref="Comparer.Doubles"/>: NaN equals NaN and sorts above every
/// number; a block holding a NaN is compared row by row, since vector compares treat NaN as unordered.
/// </summary>
internal static class CompareKernel
{
    /// <summary>The operator with its operands swapped: <c>c &lt; x</c> is <c>x &gt; c</c>.</summary>
    public static ComparisonOp Swap(ComparisonOp op) => op switch
    {
        ComparisonOp.Less => ComparisonOp.Greater,
        ComparisonOp.LessOrEqual => ComparisonOp.GreaterOrEqual,
        ComparisonOp.Greater => ComparisonOp.Less,
        ComparisonOp.GreaterOrEqual => ComparisonOp.LessOrEqual,
        _ => op,
    };

    /// <summary>Whether a three-way comparison result satisfies the operator.</summary>
    public static bool Test(ComparisonOp op, int c) => op switch
    {
        ComparisonOp.Equal => c == 0,
        ComparisonOp.NotEqual => c != 0,
        ComparisonOp.Less => c < 0,
        ComparisonOp.LessOrEqual => c <= 0,
        ComparisonOp.Greater => c > 0,
        _ => c >= 0,
    };

    /// <summary>Bit i set when <c>xs[i] op y</c>.</summary>
    public static byte[] Bits<T>(ReadOnlySpan<T> xs, T y, ComparisonOp op) where T : unmanaged, INumber<T>
    {
        var bits = new byte[BitUtil.BytesFor(xs.Length)];
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.Count == 8 && !T.IsNaN(y))
        {
            var vy = Vector512.Create(y);
            for (; i + 8 <= xs.Length; i += 8)
            {
                var vx = Vector512.Create(xs.Slice(i, 8));
                if (Vector512.EqualsAll(vx, vx)) bits[i >> 3] = (byte)Mask(vx, vy, op);
                else bits[i >> 3] = Scalar(xs.Slice(i, 8), y, op);
            }
        }
        for (; i < xs.Length; i++)
            if (Test(op, Three(xs[i], y))) bits[i >> 3] |= (byte)(1 << (i & 7));
        return bits;
    }

    /// <summary>Bit i set when <c>xs[i] op ys[i]</c>.</summary>
    public static byte[] Bits<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ys, ComparisonOp op) where T : unmanaged, INumber<T>
    {
        if (xs.Length != ys.Length) throw new ArgumentException($"operands have {xs.Length} and {ys.Length} rows");
        var bits = new byte[BitUtil.BytesFor(xs.Length)];
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.Count == 8)
            for (; i + 8 <= xs.Length; i += 8)
            {
                Vector512<T> vx = Vector512.Create(xs.Slice(i, 8)), vy = Vector512.Create(ys.Slice(i, 8));
                if (Vector512.EqualsAll(vx, vx) && Vector512.EqualsAll(vy, vy)) bits[i >> 3] = (byte)Mask(vx, vy, op);
                else
                    for (int j = i; j < i + 8; j++)
                        if (Test(op, Three(xs[j], ys[j]))) bits[j >> 3] |= (byte)(1 << (j & 7));
            }
        for (; i < xs.Length; i++)
            if (Test(op, Three(xs[i], ys[i]))) bits[i >> 3] |= (byte)(1 << (i & 7));
        return bits;
    }

    private static byte Scalar<T>(ReadOnlySpan<T> xs, T y, ComparisonOp op) where T : unmanaged, INumber<T>
    {
        int b = 0;
        for (int j = 0; j < xs.Length; j++)
            if (Test(op, Three(xs[j], y))) b |= 1 << j;
        return (byte)b;
    }

    private static int Three<T>(T x, T y) where T : unmanaged, INumber<T>
    {
        bool nx = T.IsNaN(x), ny = T.IsNaN(y);
        if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1;
        return x < y ? -1 : x > y ? 1 : 0;
    }

    private static ulong Mask<T>(Vector512<T> x, Vector512<T> y, ComparisonOp op) where T : unmanaged, INumber<T> => op switch
    {
        ComparisonOp.Equal => Vector512.Equals(x, y).ExtractMostSignificantBits(),
        ComparisonOp.NotEqual => ~Vector512.Equals(x, y).ExtractMostSignificantBits() & 0xFF,
        ComparisonOp.Less => Vector512.LessThan(x, y).ExtractMostSignificantBits(),
        ComparisonOp.LessOrEqual => Vector512.LessThanOrEqual(x, y).ExtractMostSignificantBits(),
        ComparisonOp.Greater => Vector512.GreaterThan(x, y).ExtractMostSignificantBits(),
        _ => Vector512.GreaterThanOrEqual(x, y).ExtractMostSignificantBits(),
    };
}
