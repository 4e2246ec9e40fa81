using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Execution;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Language.Parsing;
using QueryLake.Lineage;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    private ViewStore Views => new(Lake.Path);

    internal bool ViewExists(string name) => Views.Exists(name);

    /// <summary>Runs one query, reading datasets at <paramref name="pins"/> where given, and records into
    /// <paramref name="reads"/> every dataset version it read.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) RunRecorded(string sql, IReadOnlyDictionary<string, long>? pins, List<DatasetRead>? reads, CancellationToken cancel)
    {
        if (SqlParser.ParseScript(sql) is not [QueryStatement q]) throw new QueryLakeException("QL-BAD-ARGUMENT", "a view or split holds one query");
        var binder = new Binder(new SessionCatalog(this, cancel, pins, reads), new Dictionary<string, object?>(), []);
        var plan = LogicalOptimizer.Optimize(binder.BindQuery(q.Query).Plan, DisabledRules);
        return (plan.Schema, Executor.Run(plan, new QueryContext(cancel, threads: Threads, memoryLimit: MemoryLimit)).ToList());
    }

    private static Dictionary<string, long> Pins(IEnumerable<DatasetRead> reads) =>
        reads.GroupBy(r => r.Dataset, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(r => r.Version), StringComparer.Ordinal);

    /// <summary>A view's rows: its query over the versions it is pinned to (or the latest, if it follows them).</summary>
    internal (Schema Schema, List<RecordBatch> Batches) ViewRows(string name, SourceSpan at, CancellationToken cancel, List<DatasetRead>? reads = null)
    {
        var v = Views.Load(name);
        try { return RunRecorded(v.Query, v.FollowLatest ? null : Pins(v.Reads), reads, cancel); }
        catch (SqlException e) { throw new SqlException(e.Code, at.Line, at.Column, $"view '{name}': {e.Message}"); }
    }

    private QueryResult CreateView(CreateViewStatement c, CancellationToken cancel)
    {
        if (Lake.DatasetExists(c.Name)) throw new SqlException("QL-VIEW-EXISTS", c.At.Line, c.At.Column, $"'{c.Name}' is a dataset");
        if (Views.Exists(c.Name)) throw new SqlException("QL-VIEW-EXISTS", c.At.Line, c.At.Column, $"view '{c.Name}' already exists; DROP VIEW it first");
        var reads = new List<DatasetRead>();
        var (schema, batches) = RunRecorded(c.QueryText, null, reads, cancel);
        var v = new ViewDefinition(c.Name, c.QueryText, c.FollowLatest, reads.Distinct().ToList(), DateTimeOffset.UtcNow, ContentHash.Of(schema, batches), batches.Sum(b => (long)b.Length));
        Views.Save(v);
        return Message(c, $"created view {c.Name} ({v.Rows} rows{(c.FollowLatest ? ", following the latest versions" : $", pinned to {string.Join(", ", v.Reads.Select(r => $"{r.Dataset}@{r.Version}"))}")})");
    }

    private QueryResult DropView(DropViewStatement d)
    {
        if (!Views.Exists(d.Name))
        {
            if (d.IfExists) return Message(d, "no such view");
            throw new SqlException("QL-VIEW-NOT-FOUND", d.At.Line, d.At.Column, $"view '{d.Name}' does not exist" + Scope.Suggest(d.Name, Views.List()));
        }
        Views.Drop(d.Name);
        return Message(d, $"dropped view {d.Name}");
    }

    private QueryResult ShowViews(ShowViewsStatement s) =>
        Table(s, [new Field("name", DataType.Utf8), new Field("follows_latest", DataType.Boolean), new Field("reads", DataType.Utf8), new Field("query", DataType.Utf8)],
            Views.List().Select(Views.Load).Select(v => new object?[] { v.Name, v.FollowLatest, string.Join(", ", v.Reads.Select(r => $"{r.Dataset}@{r.Version}")), v.Query }));

    /// <summary>Where a view's or a split's rows come from: its query, the dataset versions it read, its seed, and for
    /// views the content hash then and now (a pinned view re-materializes to the same hash).</summary>
    private QueryResult ShowLineage(ShowLineageStatement s, CancellationToken cancel)
    {
        var fields = new List<Field>
        {
            new("kind", DataType.Utf8), new("name", DataType.Utf8), new("query", DataType.Utf8), new("dataset", DataType.Utf8), new("branch", DataType.Utf8),
            new("version", DataType.Int64), new("seed", DataType.Int64), new("recorded", DataType.Timestamp("UTC")), new("content_hash", DataType.Utf8),
            new("current_hash", DataType.Utf8), new("identical", DataType.Boolean),
        };
        if (Views.Exists(s.Name))
        {
            var v = Views.Load(s.Name);
            var (schema, batches) = ViewRows(s.Name, s.At, cancel);
            var now = ContentHash.Of(schema, batches);
            return Table(s, fields, (v.Reads.Count == 0 ? [null] : v.Reads.Cast<DatasetRead?>()).Select(r => new object?[]
            {
                v.FollowLatest ? "view (follows latest)" : "view", v.Name, v.Query, r?.Dataset, r?.Branch, r?.Version, null, v.Created.UtcDateTime, v.ContentHash, now, v.ContentHash == now,
            }));
        }
        if (Splits.Exists(s.Name))
        {
            var d = Splits.Load(s.Name).Definition;
            var reads = d.Reads ?? [];
            return Table(s, fields, (reads.Count == 0 ? [null] : reads.Cast<DatasetRead?>()).Select(r => new object?[]
            {
                "split", d.Name, d.Query, r?.Dataset, r?.Branch, r?.Version, d.Seed, d.Refreshed.UtcDateTime, null, null, null,
            }));
        }
        throw new SqlException("QL-NOT-FOUND", s.At.Line, s.At.Column, $"no view or split is named '{s.Name}'" + Scope.Suggest(s.Name, Views.List().Concat(Splits.List())));
    }
}
