using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using QueryLake.Kernels.Similarity;

namespace QueryLake.Gpu.Kernels;

/// <summary>
/// The similarity kernel on an ILGPU accelerator: the distances of every (probe, row) pair computed on the device, one
/// thread per pair, with the formulas of the SQL functions; then each probe's k nearest chosen by the same
/// <see cref="TopKSelection"/> the CPU path uses, so ties and NaN go the same way. On CUDA this runs on the GPU; on
/// ILGPU's CPU accelerator the same kernel runs in tests, against the SIMD reference.
/// </summary>
internal sealed class GpuSimilarityKernel : ISimilarityKernel, IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _distances;

    private GpuSimilarityKernel(Context context, Accelerator accelerator)
    {
        (_context, _accelerator) = (context, accelerator);
        _distances = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(Distances);
    }

    /// <summary>The kernel on the first CUDA device, or null when there is none (the CPU path then serves).</summary>
    public static GpuSimilarityKernel? TryCuda()
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            return null;
        }
        return new GpuSimilarityKernel(context, devices[0].CreateAccelerator(context));
    }

    /// <summary>The kernel on ILGPU's CPU accelerator (tests: the same kernels, no GPU needed).</summary>
    public static GpuSimilarityKernel OnCpuAccelerator()
    {
        var context = Context.Create(b => b.CPU().EnableAlgorithms());
        return new GpuSimilarityKernel(context, context.GetPreferredDevice(preferCPU: true).CreateAccelerator(context));
    }

    public string Device => _accelerator.AcceleratorType == AcceleratorType.CPU ? "gpu (ILGPU CPU accelerator)" : $"gpu ({_accelerator.Name})";

    public NearestRows[] TopK(float[] vectors, int count, int dims, bool[]? valid, int[]? selection, float[] probes, int probeCount, int k, DistanceMetric metric)
    {
        CpuSimilarityKernel.Check(vectors, count, dims, valid, selection, probes, probeCount, k);
        var result = new NearestRows[probeCount];
        if (count == 0 || probeCount == 0)
        {
            for (int p = 0; p < probeCount; p++) result[p] = new NearestRows([], []);
            return result;
        }
        using var deviceVectors = _accelerator.Allocate1D(vectors.AsSpan(0, count * dims).ToArray());
        using var deviceProbes = _accelerator.Allocate1D(probes.AsSpan(0, probeCount * dims).ToArray());
        using var output = _accelerator.Allocate1D<float>((long)count * probeCount);
        _distances(new Index2D(count, probeCount), deviceVectors.View, deviceProbes.View, output.View, dims, count, (int)metric);
        _accelerator.Synchronize();
        var distances = output.GetAsArray1D();
        for (int p = 0; p < probeCount; p++)
        {
            var top = new TopKSelection(k);
            int n = selection?.Length ?? count;
            for (int j = 0; j < n; j++)
            {
                int row = selection?[j] ?? j;
                if (valid is null || valid[row]) top.Offer(distances[(long)p * count + row], row);
            }
            result[p] = top.Result();
        }
        return result;
    }

    /// <summary>One (row, probe) pair: the distance as <see cref="CpuSimilarityKernel.Distance"/> computes it.</summary>
    private static void Distances(Index2D index, ArrayView<float> vectors, ArrayView<float> probes, ArrayView<float> output, int dims, int count, int metric)
    {
        int row = index.X, probe = index.Y;
        float dot = 0, xx = 0, yy = 0, l2 = 0;
        for (int d = 0; d < dims; d++)
        {
            float x = vectors[(long)row * dims + d], y = probes[(long)probe * dims + d];
            dot += x * y;
            xx += x * x;
            yy += y * y;
            float diff = x - y;
            l2 += diff * diff;
        }
        output[(long)probe * count + row] = metric == 0 ? 1 - dot / (XMath.Sqrt(xx) * XMath.Sqrt(yy)) : metric == 1 ? -dot : XMath.Sqrt(l2);
    }

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }
}
