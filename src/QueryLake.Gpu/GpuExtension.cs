using QueryLake.Functions;
using QueryLake.Functions.Extensions;
using QueryLake.Gpu.Kernels;
using QueryLake.Kernels.Similarity;

[assembly: QueryLakeExtension(typeof(QueryLake.Gpu.GpuExtension))]

namespace QueryLake.Gpu;

/// <summary>
/// Registers the GPU similarity kernel with the engine when QueryLake.Gpu is beside the application. The device is
/// opened on first use: the first CUDA GPU; none when <c>QUERYLAKE_GPU=off</c>; ILGPU's CPU accelerator when
/// <c>QUERYLAKE_GPU=ilgpu-cpu</c> (the GPU kernels on the CPU, to check a plan or a script without a GPU).
/// </summary>
public sealed class GpuExtension : IFunctionExtension
{
    void IFunctionExtension.Register(FunctionRegistry registry) => SimilarityDevices.Register(Open);

    private static ISimilarityKernel? Open() => (Environment.GetEnvironmentVariable("QUERYLAKE_GPU") ?? "").ToLowerInvariant() switch
    {
        "off" or "none" => null,
        "ilgpu-cpu" => GpuSimilarityKernel.OnCpuAccelerator(),
        _ => GpuSimilarityKernel.TryCuda(),
    };
}
