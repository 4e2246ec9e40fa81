using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;

namespace QueryLake.Kernels;

/// <summary>A comparison operator.</summary>
internal enum ComparisonOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary>
/// Comparisons of numeric columns (with each other or with a constant) straight into a validity-style bitmap, 64 rows
/// per step with the widest vectors the CPU has (512, 256 or 128 bits, chosen at run time; the row-by-row loop is the
/// reference and serves the tail and CPUs without vectors). Floats follow <see cref="Comparer.Doubles"/>: NaN equals
/// NaN and sorts above every number; a vector holding a NaN is compared row by row, since vector compares treat NaN
/// as unordered.
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

    /// <summary>The bitmap of <c>x op y</c> for two primitive arrays of one numeric storage type (either may be a
    /// one-slot constant), or null when the arrays are not such a pair. Nulls are the caller's business.</summary>
    public static byte[]? Primitive(ArrowArray x, ArrowArray y, ComparisonOp op, bool yConstant) => (x, y) switch
    {
        (PrimitiveArray<long> a, PrimitiveArray<long> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<double> a, PrimitiveArray<double> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<int> a, PrimitiveArray<int> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<float> a, PrimitiveArray<float> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<short> a, PrimitiveArray<short> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<sbyte> a, PrimitiveArray<sbyte> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<ulong> a, PrimitiveArray<ulong> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<uint> a, PrimitiveArray<uint> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<ushort> a, PrimitiveArray<ushort> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<byte> a, PrimitiveArray<byte> b) => Of(a.Values, b.Values, op, yConstant),
        (PrimitiveArray<Int128> a, PrimitiveArray<Int128> b) => Of(a.Values, b.Values, op, yConstant),
        _ => null,
    };

    private static byte[] Of<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ys, ComparisonOp op, bool yConstant)
        where T : unmanaged, INumber<T> => yConstant ? Bits(xs, ys[0], op) : Bits(xs, ys, op);

    /// <summary>Bit i set when <c>xs[i] op y</c>.</summary>
    public static byte[] Bits<T>(ReadOnlySpan<T> xs, T y, ComparisonOp op) where T : unmanaged, INumber<T>
    {
        var bits = new byte[BitUtil.BytesFor(xs.Length)];
        int i = 0;
        if (!T.IsNaN(y))
        {
            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            {
                var vy = Vector512.Create(y);
                for (; i + 64 <= xs.Length; i += 64)
                {
                    ulong word = 0;
                    for (int k = 0; k < 64; k += Vector512<T>.Count)
                    {
                        var vx = Vector512.Create(xs.Slice(i + k, Vector512<T>.Count));
                        ulong m = Vector512.EqualsAll(vx, vx) ? Mask(vx, vy, op) : Scalar(xs.Slice(i + k, Vector512<T>.Count), y, op);
                        word |= m << k;
                    }
                    BinaryPrimitives.WriteUInt64LittleEndian(bits.AsSpan(i >> 3), word);
                }
            }
            else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                var vy = Vector256.Create(y);
                for (; i + 64 <= xs.Length; i += 64)
                {
                    ulong word = 0;
                    for (int k = 0; k < 64; k += Vector256<T>.Count)
                    {
                        var vx = Vector256.Create(xs.Slice(i + k, Vector256<T>.Count));
                        ulong m = Vector256.EqualsAll(vx, vx) ? Mask(vx, vy, op) : Scalar(xs.Slice(i + k, Vector256<T>.Count), y, op);
                        word |= m << k;
                    }
                    BinaryPrimitives.WriteUInt64LittleEndian(bits.AsSpan(i >> 3), word);
                }
            }
            else if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
            {
                var vy = Vector128.Create(y);
                for (; i + 64 <= xs.Length; i += 64)
                {
                    ulong word = 0;
                    for (int k = 0; k < 64; k += Vector128<T>.Count)
                    {
                        var vx = Vector128.Create(xs.Slice(i + k, Vector128<T>.Count));
                        ulong m = Vector128.EqualsAll(vx, vx) ? Mask(vx, vy, op) : Scalar(xs.Slice(i + k, Vector128<T>.Count), y, op);
                        word |= m << k;
                    }
                    BinaryPrimitives.WriteUInt64LittleEndian(bits.AsSpan(i >> 3), word);
                }
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
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i + 64 <= xs.Length; i += 64)
            {
                ulong word = 0;
                for (int k = 0; k < 64; k += Vector512<T>.Count)
                {
                    Vector512<T> vx = Vector512.Create(xs.Slice(i + k, Vector512<T>.Count)), vy = Vector512.Create(ys.Slice(i + k, Vector512<T>.Count));
                    ulong m = Vector512.EqualsAll(vx, vx) && Vector512.EqualsAll(vy, vy) ? Mask(vx, vy, op)
                        : Scalar(xs.Slice(i + k, Vector512<T>.Count), ys.Slice(i + k, Vector512<T>.Count), op);
                    word |= m << k;
                }
                BinaryPrimitives.WriteUInt64LittleEndian(bits.AsSpan(i >> 3), word);
            }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (; i + 64 <= xs.Length; i += 64)
            {
                ulong word = 0;
                for (int k = 0; k < 64; k += Vector256<T>.Count)
                {
                    Vector256<T> vx = Vector256.Create(xs.Slice(i + k, Vector256<T>.Count)), vy = Vector256.Create(ys.Slice(i + k, Vector256<T>.Count));
                    ulong m = Vector256.EqualsAll(vx, vx) && Vector256.EqualsAll(vy, vy) ? Mask(vx, vy, op)
                        : Scalar(xs.Slice(i + k, Vector256<T>.Count), ys.Slice(i + k, Vector256<T>.Count), op);
                    word |= m << k;
                }
                BinaryPrimitives.WriteUInt64LittleEndian(bits.AsSpan(i >> 3), word);
            }
        else if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
            for (; i + 64 <= xs.Length; i += 64)
            {
                ulong word = 0;
                for (int k = 0; k < 64; k += Vector128<T>.Count)
                {
                    Vector128<T> vx = Vector128.Create(xs.Slice(i + k, Vector128<T>.Count)), vy = Vector128.Create(ys.Slice(i + k, Vector128<T>.Count));
                    ulong m = Vector128.EqualsAll(vx, vx) && Vector128.EqualsAll(vy, vy) ? Mask(vx, vy, op)
                        : Scalar(xs.Slice(i + k, Vector128<T>.Count), ys.Slice(i + k, Vector128<T>.Count), op);
                    word |= m << k;
                }
                BinaryPrimitives.WriteUInt64LittleEndian(bits.AsSpan(i >> 3), word);
            }
        for (; i < xs.Length; i++)
            if (Test(op, Three(xs[i], ys[i]))) bits[i >> 3] |= (byte)(1 << (i & 7));
        return bits;
    }

    /// <summary>The reference: bit j of the result set when <c>xs[j] op y</c>, for up to 64 values.</summary>
    internal static ulong Scalar<T>(ReadOnlySpan<T> xs, T y, ComparisonOp op) where T : unmanaged, INumber<T>
    {
        ulong b = 0;
        for (int j = 0; j < xs.Length; j++)
            if (Test(op, Three(xs[j], y))) b |= 1UL << j;
        return b;
    }

    private static ulong Scalar<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> ys, ComparisonOp op) where T : unmanaged, INumber<T>
    {
        ulong b = 0;
        for (int j = 0; j < xs.Length; j++)
            if (Test(op, Three(xs[j], ys[j]))) b |= 1UL << j;
        return b;
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
        ComparisonOp.NotEqual => ~Vector512.Equals(x, y).ExtractMostSignificantBits() & LaneBits(Vector512<T>.Count),
        ComparisonOp.Less => Vector512.LessThan(x, y).ExtractMostSignificantBits(),
        ComparisonOp.LessOrEqual => Vector512.LessThanOrEqual(x, y).ExtractMostSignificantBits(),
        ComparisonOp.Greater => Vector512.GreaterThan(x, y).ExtractMostSignificantBits(),
        _ => Vector512.GreaterThanOrEqual(x, y).ExtractMostSignificantBits(),
    };

    private static ulong Mask<T>(Vector256<T> x, Vector256<T> y, ComparisonOp op) where T : unmanaged, INumber<T> => op switch
    {
        ComparisonOp.Equal => Vector256.Equals(x, y).ExtractMostSignificantBits(),
        ComparisonOp.NotEqual => ~(ulong)Vector256.Equals(x, y).ExtractMostSignificantBits() & LaneBits(Vector256<T>.Count),
        ComparisonOp.Less => Vector256.LessThan(x, y).ExtractMostSignificantBits(),
        ComparisonOp.LessOrEqual => Vector256.LessThanOrEqual(x, y).ExtractMostSignificantBits(),
        ComparisonOp.Greater => Vector256.GreaterThan(x, y).ExtractMostSignificantBits(),
        _ => Vector256.GreaterThanOrEqual(x, y).ExtractMostSignificantBits(),
    };

    private static ulong Mask<T>(Vector128<T> x, Vector128<T> y, ComparisonOp op) where T : unmanaged, INumber<T> => op switch
    {
        ComparisonOp.Equal => Vector128.Equals(x, y).ExtractMostSignificantBits(),
        ComparisonOp.NotEqual => ~(ulong)Vector128.Equals(x, y).ExtractMostSignificantBits() & LaneBits(Vector128<T>.Count),
        ComparisonOp.Less => Vector128.LessThan(x, y).ExtractMostSignificantBits(),
        ComparisonOp.LessOrEqual => Vector128.LessThanOrEqual(x, y).ExtractMostSignificantBits(),
        ComparisonOp.Greater => Vector128.GreaterThan(x, y).ExtractMostSignificantBits(),
        _ => Vector128.GreaterThanOrEqual(x, y).ExtractMostSignificantBits(),
    };

    private static ulong LaneBits(int lanes) => lanes == 64 ? ulong.MaxValue : (1UL << lanes) - 1;
}
