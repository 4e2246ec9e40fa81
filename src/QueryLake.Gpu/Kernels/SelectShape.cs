namespace QueryLake.Gpu.Kernels;

/// <summary>The scalars of a selection launch (<see cref="DeviceKernels.Histogram"/>, <see cref="DeviceKernels.Collect"/>).</summary>
internal struct SelectShape
{
    /// <summary>Keys per probe (the column's rows).</summary>
    public int Count;

    /// <summary>The bit where this round's byte starts: 24, 16, 8, 0.</summary>
    public int Shift;

    /// <summary>Groups that share one probe's keys.</summary>
    public int BlocksPerProbe;

    /// <summary>Output slots per probe.</summary>
    public int Capacity;
}
