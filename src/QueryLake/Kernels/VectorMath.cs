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
