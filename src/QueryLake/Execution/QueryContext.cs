using System.Diagnostics;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution;

/// <summary>State shared by the operators of one query: cancellation and, for EXPLAIN ANALYZE, rows and time per operator.</summary>
internal sealed class QueryContext(CancellationToken cancel, bool collectStatistics = false, int threads = 0)
{
    public CancellationToken Cancel { get; } = cancel;

    /// <summary>How many batches per-batch operators work on at once (default: one per core).</summary>
    public int Threads { get; } = threads > 0 ? threads : Environment.ProcessorCount;
    public bool CollectStatistics { get; } = collectStatistics;
    public Dictionary<LogicalPlan, (long Rows, TimeSpan Time)> Statistics { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Wraps an operator's output to count its rows and the time spent producing them.</summary>
    public IEnumerable<Columnar.RecordBatch> Measure(LogicalPlan node, IEnumerable<Columnar.RecordBatch> batches)
    {
        if (!CollectStatistics) { foreach (var b in batches) yield return b; yield break; }
        var sw = new Stopwatch();
        using var e = batches.GetEnumerator();
        while (true)
        {
            sw.Start();
            bool more = e.MoveNext();
            sw.Stop();
            if (!more) break;
            var (rows, time) = Statistics.GetValueOrDefault(node);
            Statistics[node] = (rows + e.Current.Length, time);
            yield return e.Current;
        }
        var (r, _) = Statistics.GetValueOrDefault(node);
        Statistics[node] = (r, sw.Elapsed);
    }
}
