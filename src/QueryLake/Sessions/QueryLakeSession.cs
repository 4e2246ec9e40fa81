using QueryLake.Kernels.Similarity;
using System.Diagnostics;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Execution;
using QueryLake.Execution.Physical;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Language.Parsing;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;
using QueryLake.Storage;

namespace QueryLake.Sessions;

/// <summary>
/// The one entry point to QueryLake: a connection to a lake that runs statements of the dataset language.
/// Front ends (the CLI, the ADO.NET provider, notebooks) are thin layers over this class.
/// </summary>
public sealed partial class QueryLakeSession : IDisposable
{
    private readonly bool _temporary;

    private QueryLakeSession(Lake lake, bool temporary)
    {
        Lake = lake;
        _temporary = temporary;
    }

    /// <summary>Opens a session on the lake at <paramref name="lakePath"/>, or on a temporary lake (deleted on
    /// <see cref="Dispose"/>) when it is null.</summary>
    public static QueryLakeSession Open(string? lakePath = null) => Open(lakePath, null);

    /// <summary>Opens a session on the lake at <paramref name="lakePath"/> (a folder or <c>s3://bucket/prefix</c>, reached
    /// as <paramref name="options"/> say), or on a temporary lake (deleted on <see cref="Dispose"/>) when it is null.</summary>
    public static QueryLakeSession Open(string? lakePath, LakeOptions? options)
    {
        bool temporary = lakePath is null;
        lakePath ??= Path.Combine(Path.GetTempPath(), "querylake-" + Guid.NewGuid().ToString("N")[..12]);
        return new QueryLakeSession(Lake.Open(lakePath, options), temporary);
    }

    /// <summary>A session on a lake already open (tests open lakes over proxies and fault-injecting stores).</summary>
    internal static QueryLakeSession Open(Lake lake) => new(lake, temporary: false);

    /// <summary>The lake this session works on.</summary>
    public Lake Lake { get; }

    /// <summary>The lake's folder, or null for a lake on object storage (no local path lies in it).</summary>
    internal string? LakeFolder => Lake.IsRemote ? null : Lake.Path;

    /// <summary>Statements running longer than this are cancelled (null: no limit).</summary>
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>The most memory one statement's blocking operators may hold, in bytes (null: no limit; by default
    /// <see cref="DefaultMemoryLimit"/>). A statement that needs more fails with QL-OUT-OF-MEMORY; the session stays
    /// usable.</summary>
    public long? MemoryLimit { get; set; } = DefaultMemoryLimit;

    /// <summary>80% of the memory the process may use (the machine's, or a container's limit), as DuckDB's default
    /// memory_limit.</summary>
    public static long DefaultMemoryLimit => (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);

    /// <summary>Where queries over <see cref="MemoryLimit"/> write spill files (null: the system's temp folder). Each
    /// query's files go in a folder of its own, deleted when the query ends.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>The context a statement's plan runs in: its cancellation, threads, memory limit and spill folder.</summary>
    internal QueryContext Context(CancellationToken cancel, bool statistics = false, Action<long, bool>? progress = null) =>
        Context(cancel, MemoryLimit, statistics, progress);

    /// <summary>A query context under <paramref name="memoryLimit"/> instead of the session's (a distributed query's,
    /// which the client set).</summary>
    internal QueryContext Context(CancellationToken cancel, long? memoryLimit, bool statistics = false, Action<long, bool>? progress = null) =>
        new(cancel, statistics, Threads, memoryLimit, TempDirectory, DisabledRules.ToHashSet())
        {
            Progress = progress,
            Device = Device,
            GpuMemoryLimit = GpuMemoryLimit,
        };

    /// <summary>On a cluster, the estimated rows at most of a join side broadcast to the other side's tasks
    /// (<c>cluster_broadcast_rows</c>).</summary>
    public long ClusterBroadcastRows { get; set; } = Execution.Distributed.DistributedSettings.DefaultBroadcastRows;

    /// <summary>On a cluster, the estimated groups at most whose partial aggregates go to the coordinator
    /// (<c>cluster_gather_groups</c>).</summary>
    public long ClusterGatherGroups { get; set; } = Execution.Distributed.DistributedSettings.DefaultGatherGroups;

    /// <summary>On a cluster, whether joins filter one side's rows by the other side's keys before the exchange
    /// (<c>cluster_join_filters</c>).</summary>
    public bool ClusterJoinFilters { get; set; } = true;

    /// <summary>On a cluster, the rows past which a fragment is read by several tasks, each a range of its batches
    /// (<c>cluster_task_rows</c>).</summary>
    public long ClusterTaskRows { get; set; } = Execution.Distributed.DistributedSettings.DefaultTaskRows;

    /// <summary>Where similarity searches run (<c>SET device</c>): <see cref="DevicePolicy.Auto"/> by default.</summary>
    public DevicePolicy Device { get; set; }

    /// <summary>The most device memory the embedding columns kept on the GPU may hold (<c>gpu_memory_limit</c>); null:
    /// 80% of the device's memory.</summary>
    public long? GpuMemoryLimit { get; set; }

    /// <summary>What EXPLAIN prints (<c>explain_output</c>): the physical plan (<c>physical_only</c>, the default), the
    /// optimized logical plan (<c>optimized_only</c>), or both (<c>all</c>). EXPLAIN ANALYZE always prints the
    /// physical plan, whose operators it measures.</summary>
    public string ExplainOutput { get; set; } = "physical_only";

    /// <summary>Threads a query may use (default: one per core).</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>When set, statements that would change the lake (CREATE, INSERT, UPDATE, DELETE, ALTER, DROP, IMPORT) or
    /// write files (COPY) fail with <c>QL-READ-ONLY</c>; queries, EXPLAIN, SHOW and DESCRIBE run.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Which files outside the lake statements may read and write (<c>enable_external_access</c>,
    /// <c>allowed_directories</c>, <c>allowed_paths</c>, <c>lock_configuration</c>).</summary>
    public FileAccessPolicy FileAccess { get; } = new();

    /// <summary>Fails with QL-ACCESS-DENIED, at <paramref name="at"/>, when <see cref="FileAccess"/> does not let a
    /// statement <paramref name="use"/> ("read", "write") <paramref name="path"/>.</summary>
    internal void Demand(string path, string use, SourceSpan at)
    {
        if (FileAccess.Denial(path, use, LakeFolder) is { } why) throw new SqlException("QL-ACCESS-DENIED", at.Line, at.Column, why);
    }

    /// <summary>Receives progress of statements that write rows (IMPORT, COPY, CREATE DATASET … AS, INSERT … SELECT),
    /// a few times a second while they run.</summary>
    public IProgress<StatementProgress>? Progress { get; set; }

    /// <summary>What reports a statement's rows to <see cref="Progress"/> as they stream by (at most every 200 ms, and once
    /// at the end), against the rows of the dataset it scans whole when there is one; null without a listener.</summary>
    private Action<long, bool>? Reporter(string operation, LogicalPlan plan)
    {
        if (Progress is not { } progress) return null;
        var root = plan is WriteNode w ? w.Input : plan;
        if (root is ProjectNode { Input: var input }) root = input;
        long? total = root is ScanNode { Filter: null, Limit: null } scan ? scan.Source.EstimatedRows : null;
        var sw = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        return (rows, done) =>
        {
            if (done) progress.Report(new StatementProgress(operation, rows, total ?? rows, sw.Elapsed));
            else if (sw.Elapsed - last > TimeSpan.FromMilliseconds(200)) { last = sw.Elapsed; progress.Report(new StatementProgress(operation, rows, total, sw.Elapsed)); }
        };
    }

    /// <summary>Counts rows as they stream by and reports them to <see cref="Progress"/>.</summary>
    private IEnumerable<RecordBatch> Reporting(IEnumerable<RecordBatch> batches, string operation, LogicalPlan plan)
    {
        if (Reporter(operation, plan) is not { } report) return batches;
        return Iterate();
        IEnumerable<RecordBatch> Iterate()
        {
            long rows = 0;
            foreach (var b in batches)
            {
                rows += b.Length;
                report(rows, false);
                yield return b;
            }
            report(rows, true);
        }
    }

    /// <summary>The open transaction, if any.</summary>
    public LakeTransaction? Transaction { get; private set; }

    /// <summary>Starts a transaction: the statements until its end can be undone together (see <see cref="LakeTransaction"/>).</summary>
    public LakeTransaction BeginTransaction()
    {
        if (Transaction is not null) throw new QueryLakeException("QL-TRANSACTION", "a transaction is already open on this session; QueryLake does not nest transactions");
        return Transaction = new LakeTransaction(this);
    }

    internal void EndTransaction(LakeTransaction t)
    {
        if (ReferenceEquals(Transaction, t)) Transaction = null;
    }

    /// <summary>Optimizer rules to skip, by name (for diagnosis).</summary>
    public ISet<string> DisabledRules { get; } = new HashSet<string>();

    /// <summary>Runs every statement of <paramref name="sql"/> in order, each to its end, and returns their results,
    /// materialized. To stream a query's rows, use <see cref="Query"/> or <see cref="ExecuteEach"/>.</summary>
    public IReadOnlyList<QueryResult> Execute(string sql, IReadOnlyDictionary<string, object?>? parameters = null,
        IReadOnlyList<object?>? positional = null, CancellationToken cancel = default) =>
        ExecuteEach(sql, parameters, positional, cancel).Select(r => r.Materialize()).ToList();

    /// <summary>Runs the statements of <paramref name="sql"/> one at a time, as the caller moves to the next result: a
    /// front end shows each result (a query's streams) before the next statement runs, and the results of statements
    /// that ran are not lost when a later one fails. The script is parsed whole first, so a syntax error anywhere runs
    /// nothing.</summary>
    public IEnumerable<QueryResult> ExecuteEach(string sql, IReadOnlyDictionary<string, object?>? parameters = null,
        IReadOnlyList<object?>? positional = null, CancellationToken cancel = default)
    {
        var statements = SqlParser.ParseScript(sql);
        return Each();
        IEnumerable<QueryResult> Each()
        {
            foreach (var s in statements)
                yield return Run(s, parameters ?? new Dictionary<string, object?>(), positional ?? [], cancel);
        }
    }

    /// <summary>A training loader over a query's rows: shuffled per epoch, split across workers, prefetched (see
    /// <see cref="Training.TrainingLoader"/>). The query runs when the loader is enumerated, once per enumeration.</summary>
    public Training.TrainingLoader Load(string sql, Training.LoaderOptions? options = null, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var statements = SqlParser.ParseScript(sql);
        if (statements is not [QueryStatement q]) throw new QueryLakeException("QL-BAD-ARGUMENT", "a loader takes one query");
        if (Remote is { } remote)
        {
            // A cluster connection: each enumeration runs the query on the cluster; this rank's shard of the epoch's
            // order is taken from its rows, as every rank computes the same order from the seed and epoch.
            if (parameters is { Count: > 0 }) throw new QueryLakeException("QL-CLUSTER-UNSUPPORTED", "a cluster connection does not take parameters yet: put the values in the query's text");
            return new Training.TrainingLoader(cancel => remote(q.Text, cancel).Batches, options ?? new Training.LoaderOptions());
        }
        LogicalPlan PlanFor(CancellationToken cancel) => Plan(NewBinder(parameters ?? new Dictionary<string, object?>(), [], cancel), q.Query);
        return new Training.TrainingLoader(
            cancel => Executor.Results(PlanFor(cancel), Context(cancel)),
            options ?? new Training.LoaderOptions(),
            cancel => Training.RowAccess.For(PlanFor(cancel)));
    }

    /// <summary>Runs <paramref name="sql"/> and returns the last statement's result; if it is a query's, it streams: its
    /// rows are computed as they are read (see <see cref="QueryResult"/>). The statements before it run to their end
    /// first.</summary>
    public QueryResult Query(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancel = default)
    {
        QueryResult? last = null;
        foreach (var r in ExecuteEach(sql, parameters, null, cancel))
        {
            last?.Materialize();
            last = r;
        }
        return last ?? throw new QueryLakeException("QL-EMPTY", "no statement to run");
    }

    private Binder NewBinder(IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<object?> positional, CancellationToken cancel,
        List<Lineage.DatasetRead>? reads = null) =>
        new(new SessionCatalog(this, cancel, null, reads), parameters, positional);

    /// <summary>Runs one statement under its own scope (timeout, cancellation, error translation). A query's result
    /// takes the scope along and streams; any other statement has finished when this returns.</summary>
    private QueryResult Run(Statement s, IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<object?> positional, CancellationToken cancel)
    {
        var scope = new StatementScope(s, StatementTimeout, cancel);
        bool streams = false;
        try
        {
            var result = RunStatement(s, parameters, positional, scope);
            streams = !result.IsMaterialized;
            return result;
        }
        catch (Exception e) when (scope.Translate(e) is { } shown) { throw shown; }
        finally { if (!streams) scope.Dispose(); }
    }

    /// <summary>Statements that write outside dataset versions (dropping, views, splits, predictions, files, cleanup):
    /// a transaction cannot hold them.</summary>
    private static bool WritesOutsideVersions(Statement s) => s is DropDatasetStatement or CreateSplitStatement or RefreshSplitStatement
        or DropSplitStatement or CreateViewStatement or DropViewStatement or ImportPredictionsStatement or CopyStatement or VacuumStatement;

    /// <summary>Statements that change the lake or write files: a read-only session refuses them.</summary>
    private static bool Writes(Statement s) => WritesOutsideVersions(s) || s is CreateDatasetStatement or InsertStatement or UpdateStatement
        or DeleteStatement or AddColumnStatement or ImportStatement or MergeStatement or CompactStatement or SetTierStatement;

    private QueryResult RunStatement(Statement s, IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<object?> positional, StatementScope scope)
    {
        var cancel = scope.Token;
        var binder = NewBinder(parameters, positional, cancel);
        if (ReadOnly && Writes(s))
            throw new SqlException("QL-READ-ONLY", s.At.Line, s.At.Column, $"the session is read-only: {s.Text.Split(' ', 2)[0].ToUpperInvariant()} would " +
                (s is CopyStatement ? "write a file" : "change the lake"));
        if (Transaction is not null && WritesOutsideVersions(s))
            throw new SqlException("QL-TRANSACTION", s.At.Line, s.At.Column,
                $"{s.Text.Split(' ', 3) switch { [var a, var b, ..] => $"{a} {b}".ToUpperInvariant(), [var a] => a.ToUpperInvariant(), _ => "this statement" }} cannot run inside a transaction: " +
                "a transaction commits dataset versions only (DROP, views, splits, predictions and COPY write outside them); COMMIT or ROLLBACK first");
        if (Remote is { } remote && !IsLocal(s)) return RunRemote(remote, s, parameters, positional, cancel);
        // What this statement reads of transactions over several datasets: those committed by now, whole.
        Lake.SnapshotMicros = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        switch (s)
        {
            case TransactionStatement t:
                return TransactionControl(t);
            case QueryStatement q:
            {
                var plan = Plan(binder, q.Query);
                return new QueryResult(s.Text, plan.Schema, scope.Stream(Executor.Results(plan, Context(cancel))), scope);
            }
            case ExplainStatement e:
                return Explain(binder, e, cancel);
            case CreateDatasetStatement c:
                return CreateDataset(binder, c, cancel);
            case DropDatasetStatement d:
                if (!Lake.DatasetExists(d.Name))
                {
                    if (d.IfExists) return Message(s, "dataset does not exist");
                    throw Missing(d.Name, d.At);
                }
                Lake.DropDataset(d.Name);
                return Message(s, $"dropped {d.Name}");
            case InsertStatement i:
                return Insert(binder, i, cancel);
            case DeleteStatement d:
                return Delete(binder, d, cancel);
            case MergeStatement mg:
                return Merge(binder, mg, cancel);
            case UpdateStatement u:
                return Update(binder, u, cancel);
            case AddColumnStatement a:
                return AddColumn(binder, a);
            case CopyStatement c:
            {
                var reads = new List<Lineage.DatasetRead>();
                return Copy(NewBinder(parameters, positional, cancel, reads), c, reads, cancel);
            }
            case ImportStatement im:
                return Import(binder, im, cancel);
            case ImportPredictionsStatement ip:
                return ImportPredictions(ip, cancel);
            case CreateViewStatement cv:
                return CreateView(cv, cancel);
            case DropViewStatement dv:
                return DropView(dv);
            case ShowViewsStatement sv:
                return ShowViews(sv);
            case ShowLineageStatement sl:
                return ShowLineage(sl, cancel);
            case ShowExportsStatement se:
                return ShowExports(se);
            case SetStatement set:
                return Set(binder, set);
            case ResetStatement reset:
                return Reset(reset);
            case ShowSettingsStatement ss:
                return ShowSettings(ss);
            case CreateSplitStatement cs:
                return CreateSplit(cs, cancel);
            case RefreshSplitStatement rs:
                return RefreshSplit(rs, cancel);
            case DropSplitStatement ds:
                return DropSplit(ds);
            case ShowSplitsStatement ss:
                return ShowSplits(ss);
            case ShowColumnsStatement sc:
                return ShowColumns(sc);
            case ShowDatasetsStatement:
                return Table(s, [new Field("name", DataType.Utf8)], Lake.ListDatasets().Select(n => new object?[] { n }));
            case CheckDatasetStatement c:
                return CheckDataset(c, cancel);
            case VacuumStatement v:
                return RunVacuum(v, cancel);
            case CompactStatement c:
                return RunCompact(c);
            case SetTierStatement t:
                return SetTier(binder, t, cancel);
            case ShowFragmentsStatement f:
                return ShowFragments(f);
            case ShowVersionsStatement v:
                return Table(s, [new Field("version", DataType.Int64), new Field("timestamp", DataType.Timestamp("UTC")), new Field("operation", DataType.Utf8),
                        new Field("rows", DataType.Int64), new Field("detail", DataType.Utf8)],
                    Open(v.Name, v.At).Versions().Select(x => new object?[] { x.Version, x.Timestamp, x.Operation, x.RowCount, x.Detail }));
            case DescribeStatement d:
            {
                var schema = d.Name is not null ? Open(d.Name, d.At).Schema : Plan(binder, d.Query!).Schema;
                return Table(s, [new Field("column_name", DataType.Utf8), new Field("column_type", DataType.Utf8), new Field("null", DataType.Utf8)],
                    schema.Fields.Select(f => new object?[] { f.Name, SqlTypeName.Of(f.DataType), f.Nullable ? "YES" : "NO" }));
            }
            default:
                throw new SqlException("QL-UNSUPPORTED", s.At.Line, s.At.Column, $"{s.GetType().Name.Replace("Statement", "")} is not supported yet");
        }
    }

    private LogicalPlan Plan(Binder binder, Query q) => LogicalOptimizer.Optimize(binder.BindQuery(q).Plan, DisabledRules);

    private static SqlException Missing(string name, SourceSpan at) =>
        new("QL-DATASET-NOT-FOUND", at.Line, at.Column, $"dataset '{name}' does not exist");

    private Dataset Open(string name, SourceSpan at)
    {
        if (!Lake.DatasetExists(name))
            throw new SqlException("QL-DATASET-NOT-FOUND", at.Line, at.Column, $"dataset '{name}' does not exist" + Scope.Suggest(name, Lake.ListDatasets()));
        return Lake.OpenDataset(name);
    }

    private static QueryResult Message(Statement s, string text) => Table(s, [new Field("result", DataType.Utf8)], [[text]]);

    private static QueryResult Count(Statement s, long n) =>
        new(s.Text, new Schema([new Field("Count", DataType.Int64)]), [new RecordBatch(new Schema([new Field("Count", DataType.Int64)]), [ArrayBuilder.Build(DataType.Int64, [n])], 1)], n);

    private static QueryResult Table(Statement s, IReadOnlyList<Field> fields, IEnumerable<object?[]> rows)
    {
        var schema = new Schema(fields);
        var builders = fields.Select(f => ArrayBuilder.Create(f.DataType)).ToArray();
        int n = 0;
        foreach (var row in rows)
        {
            for (int c = 0; c < builders.Length; c++) builders[c].Append(row[c]);
            n++;
        }
        return new QueryResult(s.Text, schema, [new RecordBatch(schema, builders.Select(b => b.Build()).ToArray(), n)]);
    }

    private CopyNode ExplainedCopy(Binder binder, CopyStatement c)
    {
        var (node, hasher, _, _) = BindCopy(binder, c);
        hasher.Dispose();
        return node;
    }

    private QueryResult Explain(Binder binder, ExplainStatement e, CancellationToken cancel)
    {
        if (e.Analyze && ReadOnly && e.Inner is not QueryStatement)
            throw new SqlException("QL-READ-ONLY", e.At.Line, e.At.Column, "the session is read-only: EXPLAIN ANALYZE would run the statement, which changes the lake");
        // A write's plan as it would run (EXPLAIN ANALYZE runs it, and it commits, as in DuckDB).
        var plan = e.Inner switch
        {
            QueryStatement q => Plan(binder, q.Query),
            InsertStatement i => LogicalOptimizer.Optimize(binder.BindInsert(i, Open(i.Name, i.At)), DisabledRules),
            UpdateStatement u => LogicalOptimizer.Optimize(binder.BindUpdate(u, Open(u.Name, u.At)), DisabledRules),
            DeleteStatement d => LogicalOptimizer.Optimize(binder.BindDelete(d, Open(d.Name, d.At)), DisabledRules),
            MergeStatement m => LogicalOptimizer.Optimize(binder.BindMerge(m, Open(m.Name, m.At)), DisabledRules),
            CopyStatement cp when !e.Analyze => LogicalOptimizer.Optimize(ExplainedCopy(binder, cp), DisabledRules),
            CopyStatement => throw new SqlException("QL-UNSUPPORTED", e.At.Line, e.At.Column, "EXPLAIN ANALYZE does not run COPY; EXPLAIN COPY shows its plan"),
            _ => throw new SqlException("QL-UNSUPPORTED", e.At.Line, e.At.Column, "EXPLAIN works on queries, INSERT, UPDATE, DELETE, MERGE and COPY"),
        };
        var ctx = Context(cancel, statistics: e.Analyze);
        var physical = Executor.Physical(plan, ctx);
        string text;
        if (e.Analyze)
        {
            var sw = Stopwatch.StartNew();
            long rows = Executor.Results(physical, ctx).Sum(b => (long)b.Length);
            text = PhysicalPlanPrinter.Print(physical, ctx.StatisticsOf)
                   + $"total: {rows} rows in {sw.Elapsed.TotalMilliseconds:F2} ms"
                   + (ctx.SpilledBytes > 0 ? $", spilled {ctx.SpilledBytes / (double)(1 << 20):F1} MiB to {ctx.Spill.Files} files under {ctx.Spill.Root}" : "") + "\n";
        }
        else
        {
            ctx.Dispose();
            string Logical() => PlanPrinter.Print(plan, p => $"  (estimated={p.EstimatedRows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})");
            text = ExplainOutput switch
            {
                "optimized_only" => Logical(),
                "all" => "logical plan:\n" + Logical() + "physical plan:\n" + PhysicalPlanPrinter.Print(physical),
                _ => PhysicalPlanPrinter.Print(physical),
            };
        }
        return Table(e, [new Field("plan", DataType.Utf8)], [[text]]);
    }

    private QueryResult CreateDataset(Binder binder, CreateDatasetStatement c, CancellationToken cancel, string operation = "create")
    {
        if (c.OrReplace && c.IfNotExists)
            throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, "CREATE OR REPLACE and IF NOT EXISTS cannot be combined");
        if (Lake.DatasetExists(c.Name))
        {
            if (c.IfNotExists) return Message(c, "dataset exists");
            if (!c.OrReplace) throw new SqlException("QL-DATASET-EXISTS", c.At.Line, c.At.Column, $"dataset '{c.Name}' already exists; CREATE OR REPLACE replaces it");
        }
        bool replace = c.OrReplace && Lake.DatasetExists(c.Name);
        if (c.As is not null)
            // One commit: the rows are written, then the version naming them (a new dataset's version 1, or a replacing
            // version), so a failure, a timeout or a killed process leaves no dataset, or the old one as it was.
            return RunWrite(c, binder.BindCreateAs(c, Lake, replace), cancel, operation);
        var schema = new Schema(c.Columns.Select(d => new Field(d.Name, TypeNames.Resolve(d.Type), !d.NotNull)).ToList());
        if (replace)
        {
            Lake.OpenDataset(c.Name).Replace(schema);
            return Message(c, $"replaced {c.Name}");
        }
        // Without columns the dataset is empty and schemaless: the first INSERT or IMPORT gives it its columns.
        Lake.CreateDataset(c.Name, schema);
        return Message(c, $"created {c.Name}");
    }

    /// <summary>Runs the plan of a statement that changes the lake: optimized and executed as a query's (its timeout,
    /// cancellation, memory limit and threads), its write operator commits once; the rows written.</summary>
    private QueryResult RunWrite(Statement s, WriteNode plan, CancellationToken cancel, string operation, bool reportRows = true)
    {
        var optimized = LogicalOptimizer.Optimize(plan, DisabledRules);
        var ctx = Context(cancel, progress: reportRows ? Reporter(operation, plan) : null);
        var result = Executor.Results(optimized, ctx).Single();
        return Count(s, (long)result.Columns[0].GetValue(0)!);
    }

    private QueryResult Insert(Binder binder, InsertStatement i, CancellationToken cancel, string operation = "insert")
    {
        var ds = Open(i.Name, i.At);
        return RunWrite(i, binder.BindInsert(i, ds), cancel, operation);
    }

    private QueryResult Delete(Binder binder, DeleteStatement d, CancellationToken cancel) =>
        RunWrite(d, binder.BindDelete(d, Open(d.Name, d.At)), cancel, "delete");

    private QueryResult Update(Binder binder, UpdateStatement u, CancellationToken cancel) =>
        RunWrite(u, binder.BindUpdate(u, Open(u.Name, u.At)), cancel, "update");

    private static Scope DatasetScope(Dataset ds, string name) =>
        new(ds.Schema.Fields.Select(f => new ScopeColumn(name, f.Name, f.DataType)).ToList());

    private QueryResult AddColumn(Binder binder, AddColumnStatement a)
    {
        var (ds, field, compute) = BindAddColumn(binder, a, null);
        ds.AddColumn(field, compute);
        return AddedColumn(a, field);
    }

    /// <summary>ADD COLUMN bound: the dataset, the new field (with its derivation recorded, for a column AS expr, as
    /// read at <paramref name="version"/> or the latest), and the function that computes it per row (null: NULLs).</summary>
    private (Storage.Dataset Dataset, Field Field, Func<RecordBatch, int, object?>? Compute) BindAddColumn(Binder binder, AddColumnStatement a, long? version)
    {
        var ds = Open(a.Name, a.At);
        BoundExpr? expr = a.Expression is null ? null : Binder.Concrete(binder.BindExpr(a.Expression, DatasetScope(ds, a.Name)));
        var type = a.Type is not null ? TypeNames.Resolve(a.Type) : expr?.Type
            ?? throw new SqlException("QL-NO-TYPE", a.At.Line, a.At.Column, $"ADD COLUMN {a.Column} needs a type or AS expression");
        if (expr is not null) expr = Binder.CastTo(expr, type);
        var cache = new System.Runtime.CompilerServices.ConditionalWeakTable<RecordBatch, ArrowArray>();
        // A column AS expr is derived: its expression is recorded, and rows appended later get it computed.
        var metadata = expr is null || a.ExpressionText is null ? null : new Dictionary<string, string>
        {
            [DerivedKey] = a.ExpressionText,
            [DerivedReadKey] = (version ?? ds.LatestVersion).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [DerivedAtKey] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        Func<RecordBatch, int, object?>? compute = expr is null ? null : (b, i) => cache.GetValue(b, x => ExpressionEvaluator.Evaluate(expr, x)).GetValue(i);
        return (ds, new Field(a.Column, type, metadata: metadata), compute);
    }

    private static QueryResult AddedColumn(AddColumnStatement a, Field field) =>
        Message(a, $"added column {a.Column} {field.DataType}" + (field.Metadata.ContainsKey(DerivedKey) ? $" derived as {a.ExpressionText}" : ""));

    /// <summary>IMPORT format 'file or glob' INTO ds: creates the dataset from the files' columns, or appends to it by
    /// column name, streaming (Parquet row group by row group) into one new version.</summary>
    private QueryResult Import(Binder binder, ImportStatement im, CancellationToken cancel)
    {
        if (im.Format.Equals("files", StringComparison.OrdinalIgnoreCase)) return ImportFiles(im, cancel);
        string function = im.Format.ToLowerInvariant() switch
        {
            "parquet" => "read_parquet",
            "csv" or "tsv" => "read_csv",
            "json" or "jsonl" or "ndjson" => "read_json",
            "arrow" or "ipc" or "feather" => "read_arrow",
            "npy" => "read_npy",
            var f => throw new SqlException("QL-BAD-ARGUMENT", im.At.Line, im.At.Column, $"IMPORT cannot read format '{f}'; use FILES, PARQUET, CSV, JSON, JSONL, ARROW or NPY"),
        };
        var named = new Dictionary<string, Expr>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in im.Options)
        {
            if (function == "read_csv" && key.ToLowerInvariant() is "delimiter" or "delim" && value is not null) named["delim"] = value;
            else throw new SqlException("QL-BAD-ARGUMENT", im.At.Line, im.At.Column, $"unknown IMPORT option '{key}'" + (function == "read_csv" ? "; CSV takes DELIMITER" : $"; {im.Format.ToUpperInvariant()} takes none"));
        }
        if (im.Format.Equals("tsv", StringComparison.OrdinalIgnoreCase) && !named.ContainsKey("delim")) named["delim"] = new LiteralExpr(im.At, "\t");
        var select = new SelectBody(im.At, false, [new SelectItem(new StarExpr(im.At, null, []), null)],
            [new TableFunctionRelation(im.At, function, [new LiteralExpr(im.At, im.Source)], named, null)], null, [], false, null, new Dictionary<string, WindowSpec>());
        var query = new Query(im.At, [], select, [], null, null);
        if (!Lake.DatasetExists(im.Name))
            return CreateDataset(binder, new CreateDatasetStatement(im.At, im.Name, false, [], query), cancel, "import");
        var columns = Plan(binder, query).Schema.Fields.Select(f => f.Name).ToList();
        return Insert(binder, new InsertStatement(im.At, im.Name, columns, query), cancel, "import");
    }

    /// <summary>IMPORT FILES 'glob' INTO ds: one row per file, streamed, as one new version (see <see cref="Ingest.FileImporter"/>).</summary>
    private QueryResult ImportFiles(ImportStatement im, CancellationToken cancel)
    {
        if (im.Options.Count > 0) throw new SqlException("QL-BAD-ARGUMENT", im.At.Line, im.At.Column, "IMPORT FILES takes no options");
        var files = Formats.FileGlob.Expand(im.Source);
        if (files.Count == 0) throw new SqlException("QL-FILE-NOT-FOUND", im.At.Line, im.At.Column, $"no file matches '{im.Source}'");
        foreach (var f in files) Demand(f, "read", im.At);
        var binder = NewBinder(new Dictionary<string, object?>(), [], cancel);
        var started = Stopwatch.StartNew();
        Action<int>? reported = Progress is { } progress ? done => progress.Report(new StatementProgress("import", done, files.Count, started.Elapsed)) : null;
        StreamSource Rows(bool images)
        {
            var schema = Ingest.FileImporter.SchemaFor(images);
            return new StreamSource("files", schema, () => Ingest.FileImporter.Read(files, schema, reported, cancel), files.Count, once: true);
        }
        ScanNode Scan(StreamSource source) => new(source, source.Schema.Fields.Select(f => f.Name).ToList());
        if (!Lake.DatasetExists(im.Name))
        {
            // One commit: a failure or a kill while the files are read leaves no dataset.
            var source = Rows(Ingest.FileImporter.AllImages(files));
            return RunWrite(im, new CreateAsNode(Scan(source), Lake, im.Name, Replace: false), cancel, "import", reportRows: false);
        }
        var ds = Lake.OpenDataset(im.Name);
        var existing = ds.Schema;
        // A dataset created without columns takes the file rows' columns, in the same commit as the rows.
        if (existing.Fields.Count > 0 && (existing.IndexOf("path") < 0 || existing.IndexOf("content") < 0))
            throw new SqlException("QL-SCHEMA-MISMATCH", im.At.Line, im.At.Column, $"dataset '{im.Name}' was not made by IMPORT FILES (it has no path and content columns)");
        var rows = Rows(existing.Fields.Count == 0 ? Ingest.FileImporter.AllImages(files) : existing.Fields[existing.IndexOf("content")].DataType is Columnar.Types.ImageType);
        return RunWrite(im, binder.BindInsert(Scan(rows), rows.Schema.Fields.Select(f => f.Name).ToList(), ds, im.Name, im.At), cancel, "import", reportRows: false);
    }

    private QueryResult TransactionControl(TransactionStatement t)
    {
        switch (t.Action)
        {
            case TransactionAction.Begin:
                if (Transaction is not null) throw new SqlException("QL-TRANSACTION", t.At.Line, t.At.Column, "a transaction is already open; COMMIT or ROLLBACK it first (transactions do not nest)");
                BeginTransaction();
                return Message(t, "transaction started");
            default:
                var open = Transaction ?? throw new SqlException("QL-TRANSACTION", t.At.Line, t.At.Column,
                    $"there is no open transaction to {(t.Action == TransactionAction.Commit ? "commit" : "roll back")}; BEGIN starts one");
                if (t.Action == TransactionAction.Commit) open.Commit();
                else open.Rollback();
                return Message(t, t.Action == TransactionAction.Commit ? "committed" : "rolled back");
        }
    }

    /// <summary>The grace period VACUUM leaves files younger than alone (<c>vacuum_grace</c>).</summary>
    public TimeSpan VacuumGrace { get; set; } = DefaultVacuumGrace;

    /// <summary>One hour: longer than any write is expected to take between writing its files and publishing them.</summary>
    public static readonly TimeSpan DefaultVacuumGrace = TimeSpan.FromHours(1);

    private QueryResult RunVacuum(VacuumStatement v, CancellationToken cancel)
    {
        if (v.Name is not null) Open(v.Name, v.At);
        var retain = v.RetainVersions is null && v.RetainDays is null ? null : new Storage.Maintenance.Retention(v.RetainVersions, v.RetainDays);
        var reports = Storage.Maintenance.Vacuum.Run(Lake, v.Name, retain, VacuumGrace, cancel);
        return Table(v, [new Field("dataset", DataType.Utf8), new Field("versions_removed", DataType.Int64), new Field("files_removed", DataType.Int64), new Field("bytes_freed", DataType.Int64)],
            reports.Select(r => new object?[] { r.Dataset ?? "(lake)", (long)r.VersionsRemoved, (long)r.FilesRemoved, r.BytesFreed }));
    }

    private QueryResult RunCompact(CompactStatement c)
    {
        var ds = Open(c.Name, c.At);
        var before = ds.Latest();
        var after = ds.Compact(c.TargetRows);
        return Table(c, [new Field("dataset", DataType.Utf8), new Field("version", DataType.Int64), new Field("fragments_before", DataType.Int64),
                new Field("fragments_after", DataType.Int64), new Field("rows", DataType.Int64)],
            [[c.Name, after.Version, (long)before.Fragments.Count, (long)after.Fragments.Count, after.RowCount]]);
    }

    /// <summary>ALTER DATASET … SET TIER: the fragments whose live rows all satisfy the WHERE (a scan of the version the
    /// move is built on finds those with a row that does not, or whose condition is NULL), or all of them, move in one
    /// commit. Reports the version and how many fragments and rows moved.</summary>
    private QueryResult SetTier(Binder binder, SetTierStatement t, CancellationToken cancel)
    {
        var ds = Open(t.Name, t.At);
        if (t.Location is { } location)
        {
            if (!t.Cold) throw new SqlException("QL-BAD-LOCATION", t.At.Line, t.At.Column, "only SET TIER COLD takes a LOCATION: hot files live in the lake");
            if (!Storage.Stores.LakeStorage.IsAbsolute(location))
                throw new SqlException("QL-BAD-LOCATION", t.At.Line, t.At.Column, $"LOCATION '{location}' must be an s3://bucket/prefix location or an absolute folder path");
            if (location.StartsWith('/')) Demand(location, "write", t.At);
        }
        BoundExpr? where = t.Where is null ? null : Binder.CastTo(Binder.Concrete(binder.BindExpr(t.Where, DatasetScope(ds, t.Name))), DataType.Boolean);
        var tier = t.Cold ? DataTier.Cold : DataTier.Hot;
        var before = ds.Latest();
        var after = ds.SetTier(tier, snapshot =>
        {
            var keep = snapshot.Fragments.Select(f => f.Id).ToHashSet();
            if (t.OlderThanVersions is not null || t.OlderThanDays is not null)
            {
                // By age: fragments written more than n versions, or n days, before the version the move starts from.
                var written = ds.WrittenAt(snapshot);
                long cutoffMicros = t.OlderThanDays is { } days ? (DateTime.UtcNow.AddDays(-days).Ticks - DateTime.UnixEpoch.Ticks) / 10 : long.MaxValue;
                keep.RemoveWhere(id => !written.TryGetValue(id, out var w)
                    || (t.OlderThanVersions is { } n && w.Version >= snapshot.Version - n)
                    || (t.OlderThanDays is not null && w.Micros >= cutoffMicros));
            }
            if (where is not null)
                foreach (var batch in snapshot.Scan(withRowId: true))
                {
                    cancel.ThrowIfCancellationRequested();
                    var test = (Columnar.Arrays.BooleanArray)Kernels.Vectors.Plain(ExpressionEvaluator.Evaluate(where, batch));
                    var ids = (Columnar.Arrays.PrimitiveArray<long>)batch.Columns[^1];
                    for (int i = 0; i < batch.Length; i++)
                        if (test.IsNull(i) || !test.GetBoolean(i)) keep.Remove(RowId.Fragment(ids[i]));
                }
            return keep;
        }, t.Location);
        // What moved is what the commit says it touched (Dataset.SetTier skips fragments already where they belong).
        HashSet<long> moved = after.Version == before.Version ? [] : [.. after.Manifest.Operation.TouchedFragments];
        return Table(t, [new Field("dataset", DataType.Utf8), new Field("version", DataType.Int64), new Field("tier", DataType.Utf8),
                new Field("fragments_moved", DataType.Int64), new Field("rows_moved", DataType.Int64)],
            [[t.Name, after.Version, t.Cold ? "cold" : "hot", (long)moved.Count, after.Manifest.Fragments.Where(f => moved.Contains(f.Id)).Sum(f => f.LiveRows)]]);
    }

    /// <summary>SHOW FRAGMENTS: each fragment of the latest version with its tier, format, where its files are, their
    /// size, and its rows.</summary>
    private QueryResult ShowFragments(ShowFragmentsStatement f)
    {
        var ds = Open(f.Name, f.At);
        return Table(f, [new Field("fragment", DataType.Int64), new Field("tier", DataType.Utf8), new Field("format", DataType.Utf8),
                new Field("location", DataType.Utf8), new Field("bytes", DataType.Int64), new Field("rows", DataType.Int64),
                new Field("deleted_rows", DataType.Int64)],
            ds.Latest().FragmentDetails().Select(d => new object?[] { d.Id, d.Tier == DataTier.Cold ? "cold" : "hot", d.Format, d.Location, d.Bytes, d.Rows, d.Deleted }));
    }

    /// <summary>CHECK DATASET: one row per file the version references, with what its verification found.</summary>
    private QueryResult CheckDataset(CheckDatasetStatement c, CancellationToken cancel)
    {
        var ds = Open(c.Name, c.At);
        long version = c.Version ?? ds.LatestVersion;
        IReadOnlyList<Storage.Integrity.FileCheck> checks;
        try { checks = Storage.Integrity.DatasetChecker.Check(Lake.Storage, ds.Path, ds.Branch, version, cancel); }
        catch (LakeException e) { throw new SqlException(e.Code, c.At.Line, c.At.Column, e.Message); }
        return Table(c, [new Field("file", DataType.Utf8), new Field("kind", DataType.Utf8), new Field("bytes", DataType.Int64),
                new Field("status", DataType.Utf8), new Field("detail", DataType.Utf8)],
            checks.Select(x => new object?[] { x.File, x.Kind, x.Bytes, x.Status, x.Detail }));
    }

    private QueryResult Copy(Binder binder, CopyStatement c, List<Lineage.DatasetRead> reads, CancellationToken cancel)
    {
        var (node, hasher, options, shuffle) = BindCopy(binder, c);
        using (hasher)
        {
            var result = RunWrite(c, node, cancel, "copy");
            long rows = result.RowsAffected ?? 0;
            // Lineage: what was written, from which versions, with which seed (read-only sessions write files but no records).
            if (!ReadOnly)
                Exports.Save(new Lineage.ExportRecord(Path.GetFullPath(c.Target), options.Format, c.QueryText, reads.Distinct().ToList(), options.Shards, shuffle,
                    DateTimeOffset.UtcNow, hasher.Finish(), rows));
            return Count(c, rows);
        }
    }

    /// <summary>COPY's plan: the query under a <see cref="CopyNode"/> whose sink writes the target (hashing what it
    /// writes for the lineage record), with the options it was given; checked, but nothing written yet.</summary>
    private (CopyNode Node, Lineage.ContentHasher Hasher, Export.ExportOptions Options, long? Shuffle) BindCopy(Binder binder, CopyStatement c)
    {
        if (Storage.Paths.LakeMarker.Enclosing(c.Target, LakeFolder) is { } lake)
            throw new SqlException("QL-TARGET-IN-LAKE", c.At.Line, c.At.Column,
                $"COPY cannot write '{c.Target}': it is inside the lake {lake}, whose files only the lake writes; write it outside the lake");
        Demand(c.Target, "write", c.At);
        var plan = binder.BindQuery(c.Query).Plan;
        // Option values are constants; a bare word (FORMAT csv) parses as a column name and means itself.
        string Option(string name, string fallback) => !c.Options.TryGetValue(name, out var e) ? fallback : e switch
        {
            null => throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"COPY option {name.ToUpperInvariant()} needs a value"),
            ColumnExpr { Parts.Count: 1 } word => word.Name,
            _ => binder.BindExpr(e, Scope.Empty) is Literal { Value: { } v } ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!
                : throw new SqlException("QL-BAD-ARGUMENT", e.At.Line, e.At.Column, $"COPY option {name.ToUpperInvariant()} must be a constant"),
        };
        string format = Option("format", FormatOf(c.Target)).ToLowerInvariant() switch
        {
            "jsonl" or "ndjson" or "json" => "json",
            "ipc" or "feather" or "arrow" => "arrow",
            var f => f,
        };
        foreach (var key in c.Options.Keys)
            if (key.ToLowerInvariant() is not ("format" or "delimiter" or "delim" or "compression" or "row_group_size" or "shards" or "shuffle"))
                throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"unknown COPY option '{key}'; options are FORMAT, DELIMITER, COMPRESSION, ROW_GROUP_SIZE, SHARDS, SHUFFLE [SEED s]");
        if (format is not ("csv" or "json" or "arrow" or "parquet" or "webdataset"))
            throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"unknown COPY format '{format}'; use parquet, arrow, csv, json or webdataset");
        int Positive(string name, string text) =>
            int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"{name} must be a positive integer, not '{text}'");
        string? compression = c.Options.ContainsKey("compression") ? Option("compression", "").ToLowerInvariant() : null;
        if (compression is not null && format == "arrow" && compression is not ("zstd" or "none" or "uncompressed"))
            throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"COMPRESSION '{compression}' is not supported for Arrow; use zstd or none");
        if (compression is not null && format == "parquet" && compression is not ("zstd" or "snappy" or "gzip" or "none" or "uncompressed" or "lz4" or "lz4_raw" or "brotli"))
            throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"COMPRESSION '{compression}' is not supported for Parquet; use zstd, snappy, gzip, lz4, brotli or none");
        long? shuffle = !c.Options.TryGetValue("shuffle", out var seedExpr) ? null
            : seedExpr is null ? Random.Shared.NextInt64() : Convert.ToInt64(Option("shuffle", "0"), System.Globalization.CultureInfo.InvariantCulture);
        var options = new Export.ExportOptions(format, Option("delimiter", Option("delim", ",")) is { Length: 1 } d ? d[0]
                : throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, "DELIMITER must be one character"),
            compression, Positive("ROW_GROUP_SIZE", Option("row_group_size", "122880")),
            c.Options.ContainsKey("shards") ? Positive("SHARDS", Option("shards", "1")) : null, shuffle) { StaleAfter = VacuumGrace };
        var hasher = new Lineage.ContentHasher(plan.Schema);
        long Sink(Schema schema, IEnumerable<RecordBatch> batches)
        {
            try { return Export.Exporter.Export(c.Target, schema, hasher.Tap(batches), options); }
            catch (Exception e) when (e is NotSupportedException or ArgumentException)
            {
                throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, e.Message);
            }
        }
        return (new CopyNode(plan, c.Target, format, Sink, KeepsNothing: shuffle is null), hasher, options, shuffle);
    }

    private static string FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".json" or ".jsonl" or ".ndjson" => "json",
        ".parquet" or ".pq" => "parquet",
        ".tar" => "webdataset",
        _ => "arrow",
    };

    /// <summary>Deletes a temporary lake.</summary>
    public void Dispose()
    {
        // An open transaction is rolled back: nothing of it was published.
        Transaction?.Dispose();
        RemoteOwner?.Dispose();
        if (_temporary && !Lake.IsRemote && Directory.Exists(Lake.Path))
        {
            try { Directory.Delete(Lake.Path, recursive: true); } catch (IOException) { }
        }
    }
}
