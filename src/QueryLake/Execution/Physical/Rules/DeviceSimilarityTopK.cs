using QueryLake.Execution.Operators.TopK;
using QueryLake.Kernels.Similarity;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical.Rules;

/// <summary>A similarity search, TopK(Project(Scan)) ordered by a distance to a constant vector
/// (<see cref="SimilarityKey"/>), runs on the GPU (<see cref="DeviceTopKOperator"/>) when <c>SET device</c> asks for
/// it, or under <c>'auto'</c> when a CUDA device is present and the work pays off: the column is already on the device,
/// or rows × dimensions reach <see cref="AutoThreshold"/>. Off, or on the CPU: the plan <see cref="LateTopKProjection"/>
/// builds, with the same result.</summary>
internal sealed class DeviceSimilarityTopK : IPhysicalRule
{
    public const string RuleName = "device_similarity_topk";

    /// <summary>Rows × dimensions from which <c>'auto'</c> uses the GPU for a column not yet on it: 16 M floats (64 MiB
    /// to upload). Not yet measured on a device (issue 22: bench/gpu); the CPU scores about 2 G floats/s per core.</summary>
    public const long AutoThreshold = 1L << 24;

    /// <summary>The largest k + offset the device search takes.</summary>
    public const int MaxK = 4096;

    public string Name => RuleName;

    public PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner)
    {
        if (planner.Device == DevicePolicy.Cpu) return null;
        if (node is not TopKNode { Input: ProjectNode { Input: ScanNode { Limit: null } scan } project } topK) return null;
        if (topK.K + topK.Offset is <= 0 or > MaxK) return null;
        if (planner.Device == DevicePolicy.Auto && SimilarityDevices.Gpu is not { IsGpu: true }) return null;
        if (SimilarityKey.Match(topK, project, scan) is not { } key) return null;
        ISimilarityKernel kernel;
        if (planner.Device == DevicePolicy.Gpu) kernel = SimilarityDevices.Require();
        else
        {
            if (SimilarityDevices.Gpu is not { IsGpu: true } gpu) return null;
            kernel = gpu;
            bool cached = key.Snapshot is { } s && SimilarityDevices.Cache.Contains(kernel, s.CacheIdentity, s.CacheVersion, key.ColumnName);
            if (!cached && (scan.Source.EstimatedRows ?? 0) * key.Dims < AutoThreshold) return null;
        }
        var fallback = planner.Enabled(new LateTopKProjection().Name)
            ? new LateTopKProjection().TryPlan(topK, planner)!
            : new TopKOperator(topK, planner.Build(project));
        return new DeviceTopKOperator(topK, project, scan, key, kernel, fallback);
    }
}
