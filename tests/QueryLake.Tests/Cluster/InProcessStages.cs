using System.Globalization;
using QueryLake.Columnar;
using QueryLake.Execution.Distributed;
using QueryLake.Sessions;

namespace QueryLake.Tests.Cluster;

/// <summary>
/// Runs a query's stages in this process through the engine's scheduler, as a cluster's workers would: each task bound
/// anew from the SQL at the pinned versions (<c>RunStage</c>), exchange files on the lake. With
/// <paramref name="retry"/>, some tasks run twice, the first attempt's output thrown away as a failed silo's would be:
/// its exchange files stay on the lake, named by that attempt, and must not be read. <paramref name="settings"/>: the
/// thresholds of the cut (by default the session's).
/// </summary>
internal static class InProcessStages
{
    public static (Schema Schema, List<RecordBatch> Batches, List<string> Report, QueryLakeSession.DistributedQuery Plan) Run(
        QueryLakeSession session, string sql, int partitions = 3, Random? retry = null, DistributedSettings? settings = null)
    {
        var plan = session.PlanDistributed(sql, default, settings);
        var gate = new object();
        var (schema, batches, report) = StageScheduler.Run(session, plan, partitions, (work, token) => Task.Run(() =>
        {
            bool again;
            lock (gate) again = retry is not null && retry.Next(3) == 0;
            if (again) session.RunStage(sql, plan.Pins, work, token);
            return session.RunStage(sql, plan.Pins, again ? work with { Attempt = 1 } : work, token) with { Attempts = again ? 2 : 1 };
        }, token), default).GetAwaiter().GetResult();
        return (schema, batches, report, plan);
    }

    /// <summary>The rows as text, doubles to 12 digits (partial sums may add in another order).</summary>
    public static List<string> Show(IEnumerable<RecordBatch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => string.Join("|", b.Columns.Select(c => c.GetValue(r) switch
        {
            null => "NULL",
            double v => v.ToString("G12", CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        })))).ToList();

    /// <summary>The stages as a line: each stage's kind and where its rows go (and the stage whose join filter they
    /// pass).</summary>
    public static string Shape(QueryLakeSession.DistributedQuery plan) =>
        plan.IsCut ? string.Join("; ", plan.Split.Stages.Select(s => $"{s.Kind} → {(s.Gathers ? "coordinator" : s.Broadcasts ? "broadcast" : "exchange")}"
            + (s.FilteredBy is { } by ? $" (filtered by {by})" : ""))) : "whole";
}
