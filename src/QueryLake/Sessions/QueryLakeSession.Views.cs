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
    private RecordStore<ViewDefinition> Views => new(Lake.Storage, Path.Combine(Lake.Path, "_views"), "view", v => v.Name);

    private RecordStore<ExportRecord> Exports => new(Lake.Storage, Path.Combine(Lake.Path, "_exports"), "export record", e => ExportRecord.KeyOf(e.Target));

    internal bool ViewExists(string name) => Views.Exists(name);

    /// <summary>Runs one query, reading datasets at <paramref name="pins"/> where given, and records into
    /// <paramref name="reads"/> every dataset version it read.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) RunRecorded(string sql, IReadOnlyDictionary<string, long>? pins, List<DatasetRead>? reads, CancellationToken cancel)
    {
        if (SqlParser.ParseScript(sql) is not [QueryStatement q]) throw new QueryLakeException("QL-BAD-ARGUMENT", "a view or split holds one query");
        var binder = new Binder(new SessionCatalog(this, cancel, pins, reads), new Dictionary<string, object?>(), []);
        var plan = LogicalOptimizer.Optimize(binder.BindQuery(q.Query).Plan, DisabledRules);
        return (plan.Schema, Executor.Results(plan, Context(cancel)).ToList());
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

    /// <summary>Where rows come from. A view: its query, the dataset versions it read, and the content hash of its
    /// rows then and now (a pinned view re-materializes to the same hash). A split: its query, versions and seed. A
    /// derived column (<c>ds.col</c>, or every derived column of <c>ds</c>): its expression, the version it was added
    /// at, and the hash of its stored values next to the hash of recomputing it now. An export (<c>'target'</c>): its
    /// query, versions, seed, and the hash of the rows written next to the hash of re-running the query on the
    /// versions it read.</summary>
    private QueryResult ShowLineage(ShowLineageStatement s, CancellationToken cancel)
    {
        var fields = new List<Field>
        {
            new("kind", DataType.Utf8), new("name", DataType.Utf8), new("query", DataType.Utf8), new("dataset", DataType.Utf8), new("branch", DataType.Utf8),
            new("version", DataType.Int64), new("seed", DataType.Int64), new("recorded", DataType.Timestamp("UTC")), new("content_hash", DataType.Utf8),
            new("current_hash", DataType.Utf8), new("identical", DataType.Boolean),
        };
        static IEnumerable<DatasetRead?> Each(IReadOnlyList<DatasetRead> reads) => reads.Count == 0 ? [null] : reads.Cast<DatasetRead?>();
        if (s.IsExport)
        {
            var target = Path.GetFullPath(s.Name);
            if (!Exports.Exists(ExportRecord.KeyOf(target)))
                throw new SqlException("QL-NOT-FOUND", s.At.Line, s.At.Column, $"nothing was exported to '{target}' from this lake" +
                    Scope.Suggest(target, Exports.List().Select(k => Exports.Load(k).Target)));
            var e = Exports.Load(ExportRecord.KeyOf(target));
            string? now;
            try
            {
                var (schema, batches) = RunRecorded(e.Query, Pins(e.Reads), null, cancel);
                now = ContentHash.Of(schema, batches, like: e.ContentHash);
            }
            catch (QueryLakeException) { now = null; } // e.g. the query took parameters, or a dataset it read was dropped
            return Table(s, fields, Each(e.Reads).Select(r => new object?[]
            {
                $"export ({e.Format}{(e.Shards is { } n ? $", {n} shards" : "")})", e.Target, e.Query, r?.Dataset, r?.Branch, r?.Version, e.ShuffleSeed,
                e.Created.UtcDateTime, e.ContentHash, now, now is null ? null : e.ContentHash == now,
            }));
        }
        if (s.Column is not null || Lake.DatasetExists(s.Name))
            return Table(s, fields, DerivedLineage(s, cancel));
        if (Views.Exists(s.Name))
        {
            var v = Views.Load(s.Name);
            var (schema, batches) = ViewRows(s.Name, s.At, cancel);
            var now = ContentHash.Of(schema, batches, like: v.ContentHash);
            return Table(s, fields, Each(v.Reads).Select(r => new object?[]
            {
                v.FollowLatest ? "view (follows latest)" : "view", v.Name, v.Query, r?.Dataset, r?.Branch, r?.Version, null, v.Created.UtcDateTime, v.ContentHash, now, v.ContentHash == now,
            }));
        }
        if (Splits.Exists(s.Name))
        {
            var d = Splits.Load(s.Name).Definition;
            return Table(s, fields, Each(d.Reads ?? []).Select(r => new object?[]
            {
                "split", d.Name, d.Query, r?.Dataset, r?.Branch, r?.Version, d.Seed, d.Refreshed.UtcDateTime, null, null, null,
            }));
        }
        throw new SqlException("QL-NOT-FOUND", s.At.Line, s.At.Column, $"no view, split or dataset is named '{s.Name}'" +
            Scope.Suggest(s.Name, Views.List().Concat(Splits.List()).Concat(Lake.ListDatasets())));
    }

    /// <summary>Lineage rows for one derived column (<c>ds.col</c>) or for every derived column of a dataset.</summary>
    private IEnumerable<object?[]> DerivedLineage(ShowLineageStatement s, CancellationToken cancel)
    {
        var ds = Open(s.Name, s.At);
        var snapshot = ds.Latest();
        var derived = DerivedColumns(ds, s.Name);
        if (s.Column is not null)
        {
            int index = snapshot.Schema.Fields.ToList().FindIndex(f => string.Equals(f.Name, s.Column, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
                throw new SqlException("QL-COLUMN-NOT-FOUND", s.At.Line, s.At.Column, $"dataset '{s.Name}' has no column '{s.Column}'" +
                    Scope.Suggest(s.Column, snapshot.Schema.Fields.Select(f => f.Name)));
            if (derived.All(d => d.Index != index))
                throw new SqlException("QL-NOT-DERIVED", s.At.Line, s.At.Column, $"column '{s.Name}.{s.Column}' is not derived (ALTER DATASET … ADD COLUMN … AS expr), so it has no lineage");
            derived = derived.Where(d => d.Index == index).ToList();
        }
        var rows = new List<object?[]>();
        foreach (var (index, expr) in derived)
        {
            var field = snapshot.Schema.Fields[index];
            var one = new Schema([new Field(field.Name, field.DataType)]);
            using var stored = new ContentHasher(one);
            using var recomputed = new ContentHasher(one);
            foreach (var b in snapshot.Scan())
            {
                cancel.ThrowIfCancellationRequested();
                stored.Add(new RecordBatch(one, [b.Columns[index]], b.Length));
                recomputed.Add(new RecordBatch(one, [ExpressionEvaluator.Evaluate(expr, b)], b.Length));
            }
            string then = stored.Finish(), now = recomputed.Finish();
            long? read = field.Metadata.TryGetValue(DerivedReadKey, out var v) && long.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
            DateTime? at = field.Metadata.TryGetValue(DerivedAtKey, out var t) && DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var when) ? when.UtcDateTime : null;
            rows.Add(["derived column", $"{s.Name}.{field.Name}", field.Metadata[DerivedKey], s.Name, ds.Branch, read, null, at, then, now, then == now]);
        }
        return rows;
    }

    private QueryResult ShowExports(ShowExportsStatement s) =>
        Table(s, [new Field("target", DataType.Utf8), new Field("format", DataType.Utf8), new Field("shards", DataType.Int64), new Field("seed", DataType.Int64),
                new Field("rows", DataType.Int64), new Field("reads", DataType.Utf8), new Field("exported", DataType.Timestamp("UTC")), new Field("query", DataType.Utf8)],
            Exports.List().Select(Exports.Load).OrderBy(e => e.Created).Select(e => new object?[]
            {
                e.Target, e.Format, e.Shards is { } n ? (long)n : null, e.ShuffleSeed, e.Rows, string.Join(", ", e.Reads.Select(r => $"{r.Dataset}@{r.Version}")),
                e.Created.UtcDateTime, e.Query,
            }));
}
