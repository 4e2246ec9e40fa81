namespace QueryLake.Cluster.Grains;

/// <summary>Runs the worker stage of distributed queries over fragments. Keyed by the fragment it serves first, and
/// placed by the hash of that key, so a fragment's tasks go to the silo whose caches hold it while membership holds.</summary>
public interface IStageWorker : IGrainWithStringKey
{
    /// <summary>Runs <paramref name="task"/> over its fragments, until <paramref name="cancel"/>.</summary>
    Task<StageResult> Run(StageTask task, CancellationToken cancel = default);
}
