using System.Runtime.InteropServices;
using Xunit;

namespace QueryLake.Tests.Gpu;

/// <summary>A test that needs a CUDA device: skipped, with the reason, where the CUDA driver is absent (CI never has one).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var handle) && !NativeLibrary.TryLoad("nvcuda.dll", out handle))
            Skip = "no CUDA driver here (CI has no GPU); ILGPU's CPU accelerator runs the same kernels in the other tests";
        else NativeLibrary.Free(handle);
    }
}
