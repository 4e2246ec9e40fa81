using QueryLake.Cluster.Grains;
using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Cluster.Execution;

/// <summary>
/// Runs one query on the cluster from a coordinator: the session plans and cuts it and pins the versions it reads;
/// each fragment of the cut dataset becomes a task for the worker keyed by that fragment (placed by its hash); a task
/// whose silo fails or does not answer in time runs again under another key (another silo), up to
/// <see cref="Attempts"/> times; the coordinator's stage then runs over the tasks' batches in fragment order. A query
/// that cannot be cut runs whole on the coordinator.
/// </summary>
internal static class DistributedQuery
{
    /// <summary>Tries per task before the query fails.</summary>
    public const int Attempts = 4;

    /// <summary>How long a task may take before it is tried elsewhere.</summary>
    public static TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public static async Task<(Schema Schema, List<RecordBatch> Batches, List<string> Stages)> Run(IGrainFactory grains, QueryLakeSession session, string sql, CancellationToken cancel)
    {
        if (QueryLakeSession.IsExplain(sql, out var query, out bool analyze))
        {
            // EXPLAIN: the stages' plans; EXPLAIN ANALYZE runs the query first and adds where each task ran.
            var planned = await Task.Run(() => session.PlanDistributed(query, cancel), cancel);
            var report = analyze ? (await Run(grains, session, query, cancel)).Stages : null;
            var text = session.ExplainDistributed(planned, report);
            var schema = new Schema([new Field("plan", Columnar.Types.DataType.Utf8)]);
            var column = Columnar.Builders.ArrayBuilder.Build(Columnar.Types.DataType.Utf8, [text]);
            return (schema, [new RecordBatch(schema, [column], 1)], report ?? []);
        }
        if (await Task.Run(() => session.PlanDistributedAddColumn(sql, cancel), cancel) is { } added)
            return await AddColumn(grains, session, added, cancel);
        var plan = await Task.Run(() => session.PlanDistributed(sql, cancel), cancel);
        var stages = new List<string>();
        if (plan.Split is not { } split)
        {
            var whole = await Task.Run(() => session.FinishDistributed(plan, null, cancel), cancel);
            stages.Add("coordinator: the whole query (it cannot be cut: joins, set operations or several datasets)");
            return (whole.Schema, whole.Batches, stages);
        }
        // One task per fragment; a version with no fragments still gets one (a global aggregate has a row).
        var tasks = plan.Fragments.Count == 0 ? [Array.Empty<long>()] : plan.Fragments.Select(f => new[] { f }).ToList();
        var pins = plan.Pins.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var results = await Task.WhenAll(tasks.Select(fragments => RunTask(grains, new StageTask(sql, pins, split.Dataset, fragments, 0), cancel)));
        var batches = results.SelectMany(r => Arrow.Read(r.Result.Arrow!).Batches).ToList();
        stages.Add($"workers: {split.Kind} of {split.Dataset}@{split.Snapshot.Version}, {tasks.Count} tasks");
        stages.AddRange(results.Select((r, i) =>
            $"  fragments [{string.Join(", ", tasks[i])}] on {r.Result.Silo}: {r.Result.Rows} rows, {r.Result.Milliseconds:F1} ms{(r.Attempts > 1 ? $", attempt {r.Attempts}" : "")}"));
        var final = await Task.Run(() => session.FinishDistributed(plan, batches, cancel), cancel);
        stages.Add("coordinator: merged the workers' batches");
        return (final.Schema, final.Batches, stages);
    }

    /// <summary>ALTER DATASET … ADD COLUMN … AS on the cluster: each fragment's column file written by a worker (retried
    /// elsewhere as queries are), then one commit on the coordinator naming every file; a file of a failed attempt is
    /// named by no version, and VACUUM removes it.</summary>
    private static async Task<(Schema Schema, List<RecordBatch> Batches, List<string> Stages)> AddColumn(IGrainFactory grains, QueryLakeSession session,
        QueryLakeSession.DistributedColumn column, CancellationToken cancel)
    {
        var pins = new Dictionary<string, long>(StringComparer.Ordinal) { [column.Dataset] = column.Version };
        var results = await Task.WhenAll(column.Fragments.Select(f => RunTask(grains, new StageTask(column.Sql, pins, column.Dataset, [f], 0, Writes: true), cancel)));
        var files = column.Fragments.Select((f, i) => (f, results[i].Result.File!)).ToDictionary(x => x.f, x => x.Item2);
        var (schema, batches) = await Task.Run(() => session.FinishAddColumn(column, files, cancel), cancel);
        var stages = new List<string> { $"workers: a column file per fragment of {column.Dataset}@{column.Version}, {column.Fragments.Count} tasks" };
        stages.AddRange(results.Select((r, i) => $"  fragments [{column.Fragments[i]}] on {r.Result.Silo}: {r.Result.Milliseconds:F1} ms{(r.Attempts > 1 ? $", attempt {r.Attempts}" : "")}"));
        stages.Add("coordinator: committed the files in one version");
        return (schema, batches, stages);
    }

    private static async Task<(StageResult Result, int Attempts)> RunTask(IGrainFactory grains, StageTask task, CancellationToken cancel)
    {
        string key = task.Fragments.Length == 0 ? $"{task.Dataset}/none" : $"{task.Dataset}/{task.Fragments[0]}";
        Exception? last = null;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            cancel.ThrowIfCancellationRequested();
            // A retry is keyed anew, so hash placement sends it to another silo while the failed one is still listed.
            var worker = grains.GetGrain<IStageWorker>(attempt == 0 ? key : $"{key}#{attempt}");
            try
            {
                var result = await worker.Run(task with { Attempt = attempt }, cancel).WaitAsync(TaskTimeout, cancel);
                if (result.ErrorCode is { } code) throw new QueryLakeException(code, result.ErrorMessage ?? code);
                return (result, attempt + 1);
            }
            catch (Exception e) when ((e is not QueryLakeException and not OperationCanceledException || e is TimeoutException) && !cancel.IsCancellationRequested)
            {
                last = e;
            }
        }
        throw new QueryLakeException("QL-CLUSTER-FAILED",
            $"fragments [{string.Join(", ", task.Fragments)}] of {task.Dataset} failed on {Attempts} silos; the last error: {last?.GetType().Name}: {last?.Message}");
    }
}
