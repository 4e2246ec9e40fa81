namespace QueryLake.Kernels.Similarity;

/// <summary>Where a query's similarity searches run (<c>SET device</c>).</summary>
public enum DevicePolicy
{
    /// <summary>On the GPU when one is present and the work pays off (enough rows × dimensions, or the column is already
    /// on the device); otherwise on the CPU. The default.</summary>
    Auto,

    /// <summary>Always on the CPU (the reference path).</summary>
    Cpu,

    /// <summary>On the GPU wherever a plan has a GPU operator; a query fails with QL-DEVICE-UNAVAILABLE when there is no GPU.</summary>
    Gpu,
}
