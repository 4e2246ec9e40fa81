using System.Diagnostics;
using Orleans.Placement;
using QueryLake.Errors;
using QueryLake.Execution.Distributed;
using QueryLake.Kernels;

namespace QueryLake.Cluster.Grains;

/// <summary>The worker stage on a silo: the query bound at the task's pinned versions, cut as the coordinator cut it,
/// its worker part run over the task's fragments only (<c>QueryLakeSession.RunStage</c>).</summary>
[HashBasedPlacement]
internal sealed class StageWorker(LakeSessions lake, ILocalSiloDetails silo) : Grain, IStageWorker
{
    /// <summary>Runs before each task over the lake at a location (tests: slow a task down, to kill its silo or time it
    /// out; keyed by lake so tests of other lakes run as usual).</summary>
    internal static System.Collections.Concurrent.ConcurrentDictionary<string, Func<StageTask, string, CancellationToken, Task>> BeforeRun { get; } = new(StringComparer.Ordinal);

    public async Task<StageResult> Run(StageTask task, CancellationToken cancel = default)
    {
        string where = silo.SiloAddress.ToString();
        if (BeforeRun.TryGetValue(lake.Location, out var hook)) await hook(task, where, cancel);
        var clock = Stopwatch.StartNew();
        try
        {
            // The engine's work runs on the thread pool, not on the grain's scheduler.
            if (task.Writes && task.CopyShard)
            {
                long rows = await Task.Run(() => lake.Session.RunCopyShard(task.Sql, task.Files ?? [], task.Partition, task.Partitions, task.Exchange, cancel), cancel);
                return new StageResult(null, null, null, where, rows, clock.Elapsed.TotalMilliseconds);
            }
            if (task.Writes && task.Files is { } files)
            {
                var staged = await Task.Run(() => lake.Session.RunImportTask(task.Sql, files, cancel), cancel);
                return new StageResult(null, null, null, where, 0, clock.Elapsed.TotalMilliseconds, staged);
            }
            if (task.Writes)
            {
                var file = await Task.Run(() => lake.Session.RunAddColumnTask(task.Sql, task.Pins[task.Dataset], task.Fragments.Single(), cancel), cancel);
                return new StageResult(null, null, null, where, 0, clock.Elapsed.TotalMilliseconds, file);
            }
            var work = new StageWork(task.Stage, task.Task, task.Fragments, task.Partition, task.Partitions, task.Inputs ?? [], task.Exchange,
                task.Settings?.ToEngine() ?? lake.Session.DistributedSettings, task.Attempt, task.Deal, task.Filter is { } f ? BlockedBloom.FromBytes(f) : null,
                task.FirstBatch >= 0 ? (task.FirstBatch, task.EndBatch) : null);
            var output = await Task.Run(() => lake.Session.RunStage(task.Sql, task.Pins, work, cancel), cancel);
            byte[]? arrow = output.Batches is { } batches ? Arrow.Write(output.Schema!, batches) : null;
            return new StageResult(arrow, null, null, where, output.Rows, clock.Elapsed.TotalMilliseconds, null, output.Files, output.Bytes, output.Filter?.ToBytes(),
                output.RowSet is { } sums ? [sums.Sum, sums.Mixed, (ulong)sums.Rows] : null);
        }
        catch (QueryLakeException e)
        {
            return new StageResult(null, e.Code, e.Message, where, 0, clock.Elapsed.TotalMilliseconds);
        }
    }
}
