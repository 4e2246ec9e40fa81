using QueryLake.Columnar;
using QueryLake.Execution;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;
using QueryLake.Execution.Operators.Scan.Sources;

namespace QueryLake.Training;

/// <summary>
/// Late materialization for a full shuffle: when a query reads one dataset through filters and a projection, the
/// loader first collects only the row ids of the matching rows (reading just the filter columns), permutes them, and
/// then fetches each batch's rows by id (memory-mapped, so only the pages of the chosen rows are read) and evaluates
/// the projection over them. Memory holds the ids, not the samples, so a shuffled epoch over data far larger than
/// memory streams. Row ids come in scan order, the order the query itself produces, so the permutation is the same
/// as the materializing path's.
/// </summary>
internal sealed class RowAccess
{
    private readonly ScanNode _scan;
    private readonly DatasetSource _source;
    private readonly IReadOnlyList<BoundExpr> _filters;
    private readonly ProjectNode? _project;

    private RowAccess(ScanNode scan, DatasetSource source, IReadOnlyList<BoundExpr> filters, ProjectNode? project)
    {
        _scan = scan;
        _source = source;
        _filters = filters;
        _project = project;
    }

    /// <summary>The output schema (the query's).</summary>
    public Schema Schema => _project?.Schema ?? _scan.Schema;

    /// <summary>Row access for plans of the form [Project] → Filter* → Scan(dataset); null for any other plan.</summary>
    public static RowAccess? For(LogicalPlan plan)
    {
        var node = plan;
        var project = node as ProjectNode;
        if (project is not null) node = project.Input;
        var filters = new List<BoundExpr>();
        while (node is FilterNode f) { filters.Add(f.Predicate); node = f.Input; }
        if (node is not ScanNode { Source: DatasetSource source, Limit: null } scan) return null;
        if (scan.Filter is not null) filters.Add(scan.Filter);
        return new RowAccess(scan, source, filters, project);
    }

    /// <summary>The ids of the rows the query returns, in its order; reads only the columns the filters use.</summary>
    public long[] Ids(CancellationToken cancel)
    {
        var used = _filters.SelectMany(ExpressionRewriter.Columns).Distinct().Order().ToList();
        var map = new int[_scan.Columns.Count];
        for (int i = 0; i < used.Count; i++) map[used[i]] = i;
        var filters = _filters.Select(f => ExpressionRewriter.RemapColumns(f, i => map[i])).ToList();
        var names = used.Select(i => _scan.Columns[i]).ToList();
        var ids = new List<long>();
        foreach (var b in _source.Snapshot.Scan(names, withRowId: true, fragmentFilter: null))
        {
            cancel.ThrowIfCancellationRequested();
            // Filters apply one after another, each to the rows the previous ones kept (as the plan runs them).
            var current = b;
            foreach (var f in filters)
            {
                var keep = ExpressionEvaluator.Select(f, current);
                if (keep.Length == current.Length) continue;
                current = new RecordBatch(current.Schema, current.Columns.Select(c => Kernels.Gather.Rows(c, keep)).ToList(), keep.Length);
            }
            var rowIds = (Columnar.Arrays.PrimitiveArray<long>)current.Columns[^1];
            for (int r = 0; r < current.Length; r++) ids.Add(rowIds[r]);
        }
        return ids.ToArray();
    }

    /// <summary>The query's output for the given rows, in the order given.</summary>
    public RecordBatch Fetch(IReadOnlyList<long> ids)
    {
        var rows = _source.Snapshot.Take(ids, _scan.Columns);
        if (_project is null) return new RecordBatch(Schema, rows.Columns, rows.Length);
        return new RecordBatch(Schema, _project.Exprs.Select(e => ExpressionEvaluator.Evaluate(e, rows)).ToList(), rows.Length);
    }
}
