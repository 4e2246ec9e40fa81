namespace QueryLake.Kernels.Similarity;

/// <summary>
/// The similarity kernels a query may run on: the CPU reference, always; a GPU one when a backend package
/// (QueryLake.Gpu) registered itself as an extension and found a device. The GPU is opened once per process, on first
/// use, and its columns are kept in <see cref="Cache"/>.
/// </summary>
internal static class SimilarityDevices
{
    private static readonly object Gate = new();
    private static Func<ISimilarityKernel?>? _open;
    private static Lazy<ISimilarityKernel?>? _gpu;
    private static readonly AsyncLocal<ISimilarityKernel?> Override = new();

    /// <summary>Installs the GPU backend's opener (an extension's registrar calls this); it runs on first use.</summary>
    public static void Register(Func<ISimilarityKernel?> open)
    {
        lock (Gate)
        {
            _open = open;
            _gpu = new Lazy<ISimilarityKernel?>(() =>
            {
                try { return open(); }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A driver that fails to start leaves the CPU path; why is kept for SHOW and EXPLAIN.
                    Unavailable = e.Message;
                    return null;
                }
            });
        }
    }

    /// <summary>Why the GPU could not be opened, when it was tried and failed.</summary>
    public static string? Unavailable { get; private set; }

    /// <summary>Whether a GPU backend is installed (found as an extension), device or not.</summary>
    public static bool Installed
    {
        get
        {
            Functions.FunctionRegistry.EnsureExtensions();
            return _open is not null;
        }
    }

    /// <summary>The GPU kernel, or null when no backend is installed or it found no device.</summary>
    public static ISimilarityKernel? Gpu
    {
        get
        {
            if (Override.Value is { } forced) return forced;
            Functions.FunctionRegistry.EnsureExtensions();
            return _gpu?.Value;
        }
    }

    /// <summary>The GPU kernel, for <c>device = 'gpu'</c>: QL-DEVICE-UNAVAILABLE, saying why, when there is none.</summary>
    public static ISimilarityKernel Require() => Gpu ?? throw new Errors.QueryLakeException("QL-DEVICE-UNAVAILABLE", "device = 'gpu', but there is no GPU: "
        + (Unavailable ?? (Installed ? "no CUDA device was found" : "the QueryLake.Gpu package is not beside the application"))
        + "; SET device = 'auto' or 'cpu' to run on the CPU");

    /// <summary>Makes <paramref name="kernel"/> the GPU for this flow of execution until the result is disposed (tests
    /// run the GPU plans on ILGPU's CPU accelerator this way).</summary>
    public static IDisposable Use(ISimilarityKernel kernel)
    {
        var saved = Override.Value;
        Override.Value = kernel;
        return new Restore(() => Override.Value = saved);
    }

    /// <summary>The device columns kept between queries, under <c>gpu_memory_limit</c>.</summary>
    public static SimilarityColumnCache Cache { get; } = new();

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
