using QueryLake.Cluster.Grains;
using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Execution.Distributed;
using QueryLake.Kernels;
using QueryLake.Sessions;

namespace QueryLake.Cluster.Execution;

/// <summary>
/// Runs one query on the cluster from a coordinator: the session plans it, pins the versions it reads and cuts it into
/// stages, which the engine's <see cref="StageScheduler"/> runs with this class's task runner: a scan task goes to the
/// worker keyed by its fragment (placed by its hash, so the silo whose caches hold it), an exchange task to the worker
/// keyed by its partition; a task whose silo fails or does not answer in time runs again under another key (another
/// silo), up to <see cref="Attempts"/> times, and writes its exchange files under a name of its own attempt. A query
/// that cannot be cut runs whole on the coordinator.
/// </summary>
internal static class DistributedQuery
{
    /// <summary>Tries per task before the query fails.</summary>
    public const int Attempts = 4;

    /// <summary>How long a task may take before it is tried elsewhere.</summary>
    public static TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public static async Task<(Schema Schema, List<RecordBatch> Batches, List<string> Stages)> Run(IGrainFactory grains, QueryLakeSession session, string sql,
        DistributedSettings? settings, CancellationToken cancel)
    {
        if (QueryLakeSession.IsExplain(sql, out var query, out bool analyze))
        {
            // EXPLAIN: the stages' plans; EXPLAIN ANALYZE runs the query first and adds where each task ran.
            var planned = await Task.Run(() => session.PlanDistributed(query, cancel, settings), cancel);
            var report = analyze ? (await Run(grains, session, query, settings, cancel)).Stages : null;
            var text = session.ExplainDistributed(planned, report);
            var schema = new Schema([new Field("plan", Columnar.Types.DataType.Utf8)]);
            var column = Columnar.Builders.ArrayBuilder.Build(Columnar.Types.DataType.Utf8, [text]);
            return (schema, [new RecordBatch(schema, [column], 1)], report ?? []);
        }
        if (await Task.Run(() => session.PlanDistributedAddColumn(sql, cancel), cancel) is { } added)
            return await AddColumn(grains, session, added, cancel);
        int tasks = 2 * await Partitions(grains);
        if (await Task.Run(() => session.PlanDistributedImport(sql, tasks, cancel), cancel) is { } import)
            return await Import(grains, session, import, cancel);
        if (await Task.Run(() => session.PlanDistributedCopy(sql, cancel, settings), cancel) is { } copy)
            return await Copy(grains, session, copy, cancel);
        var plan = await Task.Run(() => session.PlanDistributed(sql, cancel, settings), cancel);
        return await StageScheduler.Run(session, plan, await Partitions(grains), Runner(grains, plan), cancel);
    }

    /// <summary>The task runner of a cut query: a scan task goes to the worker keyed by its fragment (the silo whose
    /// caches hold it), an exchange task to the worker keyed by its partition.</summary>
    private static Func<StageWork, CancellationToken, Task<StageOutput>> Runner(IGrainFactory grains, QueryLakeSession.DistributedQuery plan)
    {
        var pins = plan.Pins.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        // A join filter goes to every task of the stage it filters: its bytes are made once.
        var filters = new System.Runtime.CompilerServices.ConditionalWeakTable<BlockedBloom, byte[]>();
        return async (work, token) =>
        {
            var stage = plan.Split.Stages[work.Stage];
            var task = new StageTask(plan.Sql, pins, stage.Dataset?.Name ?? "", work.Fragments, 0, false, work.Stage, work.Task, work.Partition, work.Partitions,
                work.Inputs.ToDictionary(i => i.Key, i => i.Value), work.Exchange, QuerySettings.From(work.Settings), Deal: work.Deal,
                Filter: work.Filter is { } filter ? filters.GetValue(filter, f => f.ToBytes()) : null,
                FirstBatch: work.Batches?.First ?? -1, EndBatch: work.Batches?.End ?? -1);
            // A task goes to the worker keyed by its fragment (by its first batch too, for a row range), so the same
            // rows go to the same silo, and its caches, each time.
            string key = stage.Dataset is { } d ? (work.Fragments.Length == 0 ? $"{d.Name}/none" : $"{d.Name}/{work.Fragments[0]}" + (work.Batches is var (b, _) ? $":{b}" : "")) : $"partition/{work.Partition}";
            var (result, attempts) = await RunTask(grains, task, key, work.Describe(), token);
            var batches = result.Arrow is { } bytes ? Arrow.Read(bytes).Batches : null;
            return new StageOutput(stage.Plan.Schema, batches, result.Files, result.Rows, result.Bytes)
            {
                Where = result.Silo, Milliseconds = result.Milliseconds, Attempts = attempts,
                Filter = result.Filter is { } bloom ? BlockedBloom.FromBytes(bloom) : null,
                RowSet = result.RowSet is [var sum, var mixed, var rows] ? new Lineage.RowSetHasher.Part(sum, mixed, (long)rows) : null,
            };
        };
    }

    /// <summary>COPY … SHARDS on the cluster. When the query's rows come straight from a stage, its tasks deal them
    /// round-robin into the shards' partitions on the lake, one worker per shard writes its file under a pending name
    /// (placed and retried as query tasks are), and the coordinator renames every shard into place at the end, so the
    /// shards appear together, or not at all. Otherwise (a sort, a LIMIT) the coordinator gathers the rows and writes
    /// the shards as embedded.</summary>
    private static async Task<(Schema Schema, List<RecordBatch> Batches, List<string> Stages)> Copy(IGrainFactory grains, QueryLakeSession session,
        QueryLakeSession.DistributedCopy copy, CancellationToken cancel)
    {
        int partitions = await Partitions(grains);
        var runner = Runner(grains, copy.Query);
        if (!copy.Dealt)
        {
            var (schema, batches, report) = await StageScheduler.Run(session, copy.Query, partitions, runner, cancel);
            long written = await Task.Run(() => session.WriteCopyHere(copy, schema, batches, cancel), cancel);
            report.Add($"coordinator: wrote {copy.Shards} shards of {written:N0} rows into {copy.Target}");
            return (CountSchema, [Count(written)], report);
        }
        string pending = $".pending-{Guid.NewGuid():N}";
        try
        {
            return await StageScheduler.RunDealt(session, copy.Query, partitions, copy.Shards, runner, async (files, sums, report) =>
            {
                var results = await Task.WhenAll(files.Select((f, k) => RunTask(grains,
                    new StageTask(copy.Sql, [], "", [], 0, Writes: true, Task: k, Partition: k, Partitions: copy.Shards, Exchange: pending, Files: f, CopyShard: true),
                    $"copy/{k}", $"shard {k}", cancel)));
                var (schema, batches) = await Task.Run(() => session.FinishCopy(copy, pending, results.Sum(r => r.Result.Rows), sums), cancel);
                report.Add($"workers: {copy.Shards} shards of {copy.Target}");
                report.AddRange(results.Select((r, k) => $"  shard {k} on {r.Result.Silo}: {r.Result.Rows:N0} rows, {r.Result.Milliseconds:F1} ms{(r.Attempts > 1 ? $", attempt {r.Attempts}" : "")}"));
                report.Add("coordinator: renamed every shard into place");
                return (schema, batches, report);
            }, cancel);
        }
        catch
        {
            QueryLakeSession.AbandonCopy(copy, pending);
            throw;
        }
    }

    private static readonly Schema CountSchema = new([new Field("Count", Columnar.Types.DataType.Int64)]);

    private static RecordBatch Count(long rows) => new(CountSchema, [Columnar.Builders.ArrayBuilder.Build(Columnar.Types.DataType.Int64, [rows])], 1);

    /// <summary>Partitions per exchange: two per active silo.</summary>
    private static async Task<int> Partitions(IGrainFactory grains)
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return Math.Clamp(2 * hosts.Count, 2, 256);
    }

    /// <summary>ALTER DATASET … ADD COLUMN … AS on the cluster: each fragment's column file written by a worker (retried
    /// elsewhere as queries are), then one commit on the coordinator naming every file; a file of a failed attempt is
    /// named by no version, and VACUUM removes it.</summary>
    private static async Task<(Schema Schema, List<RecordBatch> Batches, List<string> Stages)> AddColumn(IGrainFactory grains, QueryLakeSession session,
        QueryLakeSession.DistributedColumn column, CancellationToken cancel)
    {
        var pins = new Dictionary<string, long>(StringComparer.Ordinal) { [column.Dataset] = column.Version };
        var results = await Task.WhenAll(column.Fragments.Select(f =>
            RunTask(grains, new StageTask(column.Sql, pins, column.Dataset, [f], 0, Writes: true), $"{column.Dataset}/{f}", $"fragments [{f}]", cancel)));
        var files = column.Fragments.Select((f, i) => (f, results[i].Result.File!)).ToDictionary(x => x.f, x => x.Item2);
        var (schema, batches) = await Task.Run(() => session.FinishAddColumn(column, files, cancel), cancel);
        var stages = new List<string> { $"workers: a column file per fragment of {column.Dataset}@{column.Version}, {column.Fragments.Count} tasks" };
        stages.AddRange(results.Select((r, i) => $"  fragments [{column.Fragments[i]}] on {r.Result.Silo}: {r.Result.Milliseconds:F1} ms{(r.Attempts > 1 ? $", attempt {r.Attempts}" : "")}"));
        stages.Add("coordinator: committed the files in one version");
        return (schema, batches, stages);
    }

    /// <summary>IMPORT FILES on the cluster: each chunk of files read and written to data files by a worker (placed and
    /// retried as query tasks are; a failed attempt's files are named by no version, and VACUUM removes them), then one
    /// commit on the coordinator naming every chunk's files. If a task fails for good, nothing is committed, and a
    /// dataset the import created is dropped.</summary>
    private static async Task<(Schema Schema, List<RecordBatch> Batches, List<string> Stages)> Import(IGrainFactory grains, QueryLakeSession session,
        QueryLakeSession.DistributedImport import, CancellationToken cancel)
    {
        try
        {
            var results = await Task.WhenAll(import.Chunks.Select((files, k) =>
                RunTask(grains, new StageTask(import.Sql, [], import.Dataset, [], 0, Writes: true, Task: k, Files: files), $"import/{k}", $"files {k}", cancel)));
            var (schema, batches) = await Task.Run(() => session.FinishImport(import, results.Select(r => r.Result.File!).ToList()), cancel);
            var stages = new List<string> { $"workers: the files of IMPORT FILES into {import.Dataset}, {import.Chunks.Count} tasks of {import.Chunks.Sum(c => c.Length)} files" };
            stages.AddRange(results.Select((r, k) => $"  files {k} ({import.Chunks[k].Length}) on {r.Result.Silo}: {r.Result.Milliseconds:F1} ms{(r.Attempts > 1 ? $", attempt {r.Attempts}" : "")}"));
            stages.Add("coordinator: committed every task's files in one version");
            return (schema, batches, stages);
        }
        catch
        {
            session.AbandonImport(import);
            throw;
        }
    }

    /// <summary>Runs a task on the worker keyed <paramref name="key"/>, and again under new keys when its silo fails.</summary>
    private static async Task<(StageResult Result, int Attempts)> RunTask(IGrainFactory grains, StageTask task, string key, string what, CancellationToken cancel)
    {
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
        throw new QueryLakeException("QL-CLUSTER-FAILED", $"{what} of stage {task.Stage} failed on {Attempts} silos; the last time, {Why(last)}");
    }

    /// <summary>Why a try of a task failed, in words (no .NET type names).</summary>
    private static string Why(Exception? e) => e switch
    {
        TimeoutException => $"it did not answer within {TaskTimeout.TotalSeconds:0.#} s",
        SiloUnavailableException => "its silo went away",
        OrleansMessageRejectionException => "its silo refused the task (it was stopping)",
        IOException io => $"the worker could not read or write a file: {io.Message}",
        null => "nothing was said",
        _ => $"the worker failed: {e.Message}",
    };
}
