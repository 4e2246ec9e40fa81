using System.Runtime.ExceptionServices;
using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Kernels;
using QueryLake.Planning.Distributed;
using QueryLake.Planning.Logical;
using QueryLake.Sessions;

namespace QueryLake.Execution.Distributed;

/// <summary>
/// Runs a distributed query's stages (<see cref="StagePlan"/>) through a task runner — a cluster's workers, or this
/// process in tests — then the coordinator's plan over the rows the gathering stages returned. A stage starts once
/// the stages it reads have finished, and the stage whose keys filter its rows (a join filter); independent stages run
/// at once. Its tasks are one per fragment (or row range of a large fragment, <see cref="Units"/>) for a scan stage
/// and one per non-empty partition for an exchange stage. The first failure cancels every other task. The exchange
/// files live under <c>_exchange/&lt;query&gt;</c> in the lake and are deleted when the query ends (VACUUM removes those
/// of a coordinator that died).
/// </summary>
internal static class StageScheduler
{
    /// <summary>The lake folder of exchange files.</summary>
    public const string ExchangeFolder = "_exchange";

    /// <summary>Runs <paramref name="query"/> with <paramref name="partitions"/> partitions per exchange; returns its
    /// rows and a report of where each task ran.</summary>
    public static Task<(Schema Schema, List<RecordBatch> Batches, List<string> Report)> Run(QueryLakeSession session,
        QueryLakeSession.DistributedQuery query, int partitions, Func<StageWork, CancellationToken, Task<StageOutput>> run, CancellationToken cancel) =>
        Execute(session, query, partitions, run, null, cancel, async (results, report) =>
        {
            var gathered = query.Split.Stages.Where(s => s.Gathers).ToDictionary(s => s.Id, s => results[s.Id].Select(o => o.Output.Batches!).ToList());
            var final = await Task.Run(() => session.FinishDistributed(query, gathered, cancel), cancel);
            report.Add(query.IsCut ? "coordinator: merged the gathered rows" : "coordinator: the whole query (it reads no dataset that can be split)");
            return (final.Schema, final.Batches, report);
        });

    /// <summary>Whether <paramref name="query"/>'s rows come straight from one stage, with nothing left for the
    /// coordinator to do, in no order (a sorted merge orders them): they can then be dealt into shards by the workers
    /// (<see cref="RunDealt{T}"/>).</summary>
    public static bool CanDeal(QueryLakeSession.DistributedQuery query) => query.Split.Coordinator is ScanNode { Source: StageSource { Merge: null } };

    /// <summary>Runs <paramref name="query"/> (<see cref="CanDeal"/>) with the rows of its last stage dealt round-robin
    /// into <paramref name="shards"/> partitions on the lake, then <paramref name="then"/> with each shard's files, each
    /// task's content hash sums of the rows it dealt (<see cref="Lineage.RowSetHasher"/>) and the report, before the exchange
    /// files are deleted: COPY … SHARDS writes each shard from them.</summary>
    public static Task<T> RunDealt<T>(QueryLakeSession session, QueryLakeSession.DistributedQuery query, int partitions, int shards,
        Func<StageWork, CancellationToken, Task<StageOutput>> run, Func<string[][], IReadOnlyList<Lineage.RowSetHasher.Part>, List<string>, Task<T>> then, CancellationToken cancel)
    {
        if (query.Split.Coordinator is not ScanNode { Source: StageSource root })
            throw new InvalidOperationException("the query's rows do not come straight from a stage");
        return Execute(session, query, partitions, run, (root.Stage, shards), cancel, (results, report) =>
        {
            var sums = results[root.Stage].Select(o => o.Output.RowSet ?? throw new InvalidOperationException("a dealing task returned no row sums")).ToList();
            return then(Enumerable.Range(0, shards).Select(k => results[root.Stage].SelectMany(o => o.Output.Files![k]).ToArray()).ToArray(), sums, report);
        });
    }

    /// <summary>A scan stage's tasks, in the fragments' order: a fragment each, or, past <paramref name="taskRows"/> rows,
    /// runs of its consecutive batches of about that many rows (a row range; a batch is never split).</summary>
    internal static List<(long Fragment, (int First, int End)? Batches)> Units(IReadOnlyList<Storage.FragmentInfo> fragments, long taskRows)
    {
        var units = new List<(long, (int, int)?)>();
        foreach (var f in fragments)
        {
            if (f.PhysicalRows <= taskRows || f.BatchRows.Count < 2) { units.Add((f.Id, null)); continue; }
            int first = 0;
            long rows = 0;
            for (int b = 0; b < f.BatchRows.Count; b++)
            {
                rows += f.BatchRows[b];
                if (rows < taskRows && b < f.BatchRows.Count - 1) continue;
                units.Add((f.Id, (first, b + 1)));
                (first, rows) = (b + 1, 0);
            }
        }
        return units;
    }

    private static async Task<T> Execute<T>(QueryLakeSession session, QueryLakeSession.DistributedQuery query, int partitions,
        Func<StageWork, CancellationToken, Task<StageOutput>> run, (int Stage, int Shards)? deal, CancellationToken cancel,
        Func<(StageWork Work, StageOutput Output)[][], List<string>, Task<T>> finish)
    {
        var stages = query.Split.Stages;
        var report = new List<string>();
        if (stages.Count == 0) return await finish([], report);
        partitions = Math.Max(1, partitions);
        string exchange = $"{ExchangeFolder}/{Guid.NewGuid():N}";
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var done = new Task<(StageWork Work, StageOutput Output)[]>[stages.Count];
        // Every stage's task exists before any looks at another's (a stage may wait for a later one's join filter).
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var stage in stages) done[stage.Id] = RunStage(stage);
        created.SetResult();

        async Task<(StageWork, StageOutput)[]> RunStage(Stage stage)
        {
            await created.Task;
            var inputs = await Task.WhenAll(stage.Inputs.Concat(stage.Broadcast).Select(i => done[i]));
            // The join filter of the other side's keys: its tasks' filters merged, once they have all run.
            BlockedBloom? filter = null;
            if (stage.FilteredBy is { } by)
            {
                var builders = await done[by];
                filter = BlockedBloom.ForValues(stages[by].FilterValues);
                foreach (var (_, output) in builders)
                    filter.Or(output.Filter ?? throw new InvalidOperationException($"a task of stage {by} returned no join filter"));
            }
            var works = new List<StageWork>();
            int? dealt = deal is var (at, n) && at == stage.Id ? n : null;
            // The stages read whole (broadcast): every file, for every task.
            var whole = stage.Broadcast.ToDictionary(b => b, b => inputs[stage.Inputs.Count + stage.Broadcast.ToList().IndexOf(b)]
                .SelectMany(o => o.Output.Files!.SelectMany(f => f)).ToArray());
            if (stage.Dataset is { } d)
            {
                var units = Units(d.Snapshot.Fragments, query.Settings.TaskRows);
                // A version with no fragments still gets a task: a global aggregate has a row.
                if (units.Count == 0) works.Add(new StageWork(stage.Id, 0, [], -1, partitions, whole, exchange, query.Settings, Deal: dealt, Filter: filter));
                works.AddRange(units.Select((u, t) => new StageWork(stage.Id, t, [u.Fragment], -1, partitions, whole, exchange, query.Settings, Deal: dealt, Filter: filter, Batches: u.Batches)));
            }
            else
                for (int p = 0; p < partitions; p++)
                {
                    var files = stage.Inputs.Select((input, k) => (input, inputs[k].SelectMany(o => o.Output.Files![p]).ToArray()))
                        .ToDictionary(x => x.input, x => x.Item2);
                    // A partition no input wrote to has no rows to give (a grouped aggregate, a join, DISTINCT; a
                    // broadcast side is never one the join preserves).
                    if (files.Values.All(f => f.Length == 0)) continue;
                    foreach (var (b, all) in whole) files[b] = all;
                    works.Add(new StageWork(stage.Id, p, [], p, partitions, files, exchange, query.Settings, Deal: dealt, Filter: filter));
                }
            try
            {
                var outputs = await Task.WhenAll(works.Select(w => run(w, failed.Token)));
                return works.Zip(outputs).ToArray();
            }
            catch
            {
                failed.Cancel();
                throw;
            }
        }

        try
        {
            try { await Task.WhenAll(done); }
            catch (Exception) when (done.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } first)
            {
                ExceptionDispatchInfo.Capture(first).Throw();
            }
            var results = done.Select(t => t.Result).ToArray();
            foreach (var stage in stages)
            {
                var outs = results[stage.Id];
                string moved = outs.Any(o => o.Output.Files is not null) ? $", {outs.Sum(o => o.Output.Bytes):N0} bytes exchanged" : "";
                report.Add($"stage {stage.Id} on the workers: {stage.Describe()}: {outs.Length} tasks, {outs.Sum(o => o.Output.Rows):N0} rows{moved}");
                report.AddRange(outs.Select(o => $"  {o.Work.Describe()} on {o.Output.Where}: {o.Output.Rows:N0} rows, {o.Output.Milliseconds:F1} ms"
                    + (o.Output.Attempts > 1 ? $", attempt {o.Output.Attempts}" : "")));
            }
            return await finish(results, report);
        }
        finally
        {
            if (stages.Any(s => !s.Gathers) || deal is not null)
                try { session.Lake.Storage.DeleteFolder(session.Lake.Storage.PathOf(exchange)); }
                catch (QueryLakeException) { /* VACUUM removes it */ }
        }
    }
}
