using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace QueryLake.Kernels;

/// <summary>
/// Float32 vector arithmetic for similarity search: dot products, squared norms and squared Euclidean distances with
/// 512-bit or 256-bit SIMD and two accumulators, compiled fully optimized on first use (a similarity scan is over in
/// milliseconds, before tiered compilation would have promoted slower first-tier code). Sums are accumulated in
/// float32 lanes, as other engines do, so results match theirs to float32 rounding.
/// </summary>
internal static class VectorMath
{
    /// <summary>x·y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Check(x, y);
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 32)
        {
            Vector512<float> a0 = default, a1 = default;
            for (; i <= n - 32; i += 32)
            {
                a0 += Vector512.LoadUnsafe(ref px, (nuint)i) * Vector512.LoadUnsafe(ref py, (nuint)i);
                a1 += Vector512.LoadUnsafe(ref px, (nuint)i + 16) * Vector512.LoadUnsafe(ref py, (nuint)i + 16);
            }
            sum = Vector512.Sum(a0 + a1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            Vector256<float> a0 = default, a1 = default;
            for (; i <= n - 16; i += 16)
            {
                a0 += Vector256.LoadUnsafe(ref px, (nuint)i) * Vector256.LoadUnsafe(ref py, (nuint)i);
                a1 += Vector256.LoadUnsafe(ref px, (nuint)i + 8) * Vector256.LoadUnsafe(ref py, (nuint)i + 8);
            }
            sum = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref px, i) * Unsafe.Add(ref py, i);
        return sum;
    }

    /// <summary>x·y and x·x in one pass (for cosine against a probe whose norm is known).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Dot, float SquaredNorm) DotAndNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Check(x, y);
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float dot = 0, xx = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> d = default, s = default;
            for (; i <= n - 16; i += 16)
            {
                var a = Vector512.LoadUnsafe(ref px, (nuint)i);
                d += a * Vector512.LoadUnsafe(ref py, (nuint)i);
                s += a * a;
            }
            dot = Vector512.Sum(d);
            xx = Vector512.Sum(s);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> d = default, s = default;
            for (; i <= n - 8; i += 8)
            {
                var a = Vector256.LoadUnsafe(ref px, (nuint)i);
                d += a * Vector256.LoadUnsafe(ref py, (nuint)i);
                s += a * a;
            }
            dot = Vector256.Sum(d);
            xx = Vector256.Sum(s);
        }
        for (; i < n; i++)
        {
            float a = Unsafe.Add(ref px, i);
            dot += a * Unsafe.Add(ref py, i);
            xx += a * a;
        }
        return (dot, xx);
    }

    /// <summary>x·y and x·x for many rows x of one float32 vector column at once: row r starts at
    /// <c>first + (rows.IsEmpty ? r : rows[r]) * d</c> in <paramref name="all"/>. Four rows are processed side by side
    /// (eight independent accumulators keep the FMA units busy instead of waiting on one chain), each with exactly the
    /// operations and order of <see cref="DotAndNorm"/>, so the results are bit for bit the same.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotsAndNorms(ReadOnlySpan<float> all, int first, int d, ReadOnlySpan<int> rows, ReadOnlySpan<float> y, Span<float> dots, Span<float> norms)
    {
        int count = dots.Length, r = 0;
        if (y.Length != d) throw new ArgumentException($"vectors have different lengths ({d} and {y.Length})");
        if (Vector512.IsHardwareAccelerated && d >= 16 && d % 16 == 0)
        {
            ref float px = ref MemoryMarshal.GetReference(all), py = ref MemoryMarshal.GetReference(y);
            long last = (long)first + (long)(rows.IsEmpty ? count - 1 : MaxOf(rows[..count])) * d + d;
            if (count > 0 && last > all.Length) throw new ArgumentOutOfRangeException(nameof(rows), "a row lies outside the column");
            for (; r + 4 <= count; r += 4)
            {
                nuint b0 = Base(first, d, rows, r), b1 = Base(first, d, rows, r + 1), b2 = Base(first, d, rows, r + 2), b3 = Base(first, d, rows, r + 3);
                if (rows.IsEmpty && System.Runtime.Intrinsics.X86.Sse.IsSupported)
                {
                    // Contiguous rows: ask for the lines 8 KB ahead. The hardware prefetcher stops at every 4 KB page,
                    // and a memory-mapped column's pages are scattered, so it would restart cold on each one.
                    nuint ahead = b0 + 2048, end = (nuint)all.Length;
                    unsafe
                    {
                        for (nuint k = 0; k < (nuint)(4 * d) && ahead + k < end; k += 16)
                            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref px, ahead + k)));
                    }
                }
                else if (!rows.IsEmpty && r + PickedAhead + 4 <= count && System.Runtime.Intrinsics.X86.Sse.IsSupported)
                {
                    // Picked rows (a filter's survivors) lie apart, each on pages of its own: the hardware prefetcher
                    // cannot guess them, so the next block's four rows are requested now, every line of them.
                    unsafe
                    {
                        for (int q = r + PickedAhead; q < r + PickedAhead + 4; q++)
                        {
                            nuint at = Base(first, d, rows, q);
                            for (nuint k = 0; k < (nuint)d; k += 16)
                                System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref px, at + k)));
                        }
                    }
                }
                Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, s0 = default, s1 = default, s2 = default, s3 = default;
                for (nuint k = 0; k < (nuint)d; k += 16)
                {
                    var q = Vector512.LoadUnsafe(ref py, k);
                    var a0 = Vector512.LoadUnsafe(ref px, b0 + k);
                    var a1 = Vector512.LoadUnsafe(ref px, b1 + k);
                    var a2 = Vector512.LoadUnsafe(ref px, b2 + k);
                    var a3 = Vector512.LoadUnsafe(ref px, b3 + k);
                    d0 += a0 * q; s0 += a0 * a0;
                    d1 += a1 * q; s1 += a1 * a1;
                    d2 += a2 * q; s2 += a2 * a2;
                    d3 += a3 * q; s3 += a3 * a3;
                }
                (dots[r], norms[r]) = (Vector512.Sum(d0), Vector512.Sum(s0));
                (dots[r + 1], norms[r + 1]) = (Vector512.Sum(d1), Vector512.Sum(s1));
                (dots[r + 2], norms[r + 2]) = (Vector512.Sum(d2), Vector512.Sum(s2));
                (dots[r + 3], norms[r + 3]) = (Vector512.Sum(d3), Vector512.Sum(s3));
            }
        }
        for (; r < count; r++)
        {
            int row = rows.IsEmpty ? r : rows[r];
            (dots[r], norms[r]) = DotAndNorm(all.Slice(first + row * d, d), y);
        }
    }

    /// <summary>How many picked rows ahead of the current block are prefetched: the next block (measured on 1M × 128
    /// with every tenth row picked: no prefetch 11.0–11.4 ms, 4 rows ahead 8.4, 8 or 12 ahead 8.5–9.9).</summary>
    private const int PickedAhead = 4;

    private static nuint Base(int first, int d, ReadOnlySpan<int> rows, int r) => (nuint)((long)first + (long)(rows.IsEmpty ? r : rows[r]) * d);

    private static int MaxOf(ReadOnlySpan<int> rows)
    {
        int max = 0;
        foreach (int x in rows)
        {
            if (x < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"row {x} is negative");
            max = Math.Max(max, x);
        }
        return max;
    }

    /// <summary>Σ (x − y)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Check(x, y);
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> s = default;
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref px, (nuint)i) - Vector512.LoadUnsafe(ref py, (nuint)i);
                s += d * d;
            }
            sum = Vector512.Sum(s);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> s = default;
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref px, (nuint)i) - Vector256.LoadUnsafe(ref py, (nuint)i);
                s += d * d;
            }
            sum = Vector256.Sum(s);
        }
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref px, i) - Unsafe.Add(ref py, i);
            sum += d * d;
        }
        return sum;
    }

    /// <summary>Cosine similarity; NaN when either vector is all zeros.</summary>
    public static float Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var (dot, xx) = DotAndNorm(x, y);
        return dot / (MathF.Sqrt(xx) * MathF.Sqrt(Dot(y, y)));
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"vectors of {x.Length} and {y.Length} elements");
    }
}
