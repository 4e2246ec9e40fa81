using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Execution;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Language.Parsing;
using QueryLake.Lineage;
using QueryLake.Planning.Distributed;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>One query planned for a cluster (<see cref="PlanDistributed"/>): the versions it reads, and, when it can be
    /// cut (<see cref="StageSplitter"/>), the cut and the fragments of the dataset the workers share.</summary>
    internal sealed record DistributedQuery(string Sql, LogicalPlan Plan, StageSplit? Split, IReadOnlyDictionary<string, long> Pins, IReadOnlyList<long> Fragments);

    /// <summary>Plans <paramref name="sql"/> (one query) for a cluster: binds it against the latest versions, which it
    /// then pins, so every worker reads the same bytes, retries included.</summary>
    internal DistributedQuery PlanDistributed(string sql, CancellationToken cancel = default)
    {
        var q = OneQuery(sql);
        var reads = new List<DatasetRead>();
        var binder = new Binder(new SessionCatalog(this, cancel, null, reads), new Dictionary<string, object?>(), []);
        var plan = LogicalOptimizer.Optimize(binder.BindQuery(q.Query).Plan, DisabledRules);
        var split = StageSplitter.Split(plan);
        return new DistributedQuery(sql, plan, split, Pins(reads), split?.Snapshot.Fragments.Select(f => f.Id).ToList() ?? []);
    }

    /// <summary>A worker's part of a distributed query: <paramref name="sql"/> bound at <paramref name="pins"/>, cut as the
    /// coordinator cut it, its worker stage run over <paramref name="fragments"/> of <paramref name="dataset"/> only.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) RunStage(string sql, IReadOnlyDictionary<string, long> pins, string dataset,
        IReadOnlySet<long> fragments, CancellationToken cancel = default)
    {
        var q = OneQuery(sql);
        var catalog = new SessionCatalog(this, cancel, pins, null) { Restrict = (dataset, fragments) };
        var binder = new Binder(catalog, new Dictionary<string, object?>(), []);
        var plan = LogicalOptimizer.Optimize(binder.BindQuery(q.Query).Plan, DisabledRules);
        var split = StageSplitter.Split(plan);
        if (split is null || split.Dataset != dataset)
            throw new QueryLakeException("QL-CLUSTER-PLAN", $"the worker's plan of the query does not cut at {dataset} as the coordinator's did");
        using var ctx = Context(cancel);
        return (split.Worker.Schema, ctx.Within(() => Executor.Results(split.Worker, ctx).ToList()));
    }

    /// <summary>The coordinator's stage of a cut query over the workers' batches (in fragment order), or the whole
    /// query when it could not be cut.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) FinishDistributed(DistributedQuery query, IReadOnlyList<RecordBatch>? stage, CancellationToken cancel = default)
    {
        var plan = query.Split is { } split ? split.Coordinator(stage ?? []) : query.Plan;
        using var ctx = Context(cancel);
        return (plan.Schema, ctx.Within(() => Executor.Results(plan, ctx).ToList()));
    }

    /// <summary>Where this session's queries run when it is a cluster connection (<c>cluster://host:port</c>): the
    /// statement's text goes to a coordinator, which returns the columns and batches. Null: here.</summary>
    internal Func<string, CancellationToken, (Schema Schema, IReadOnlyList<RecordBatch> Batches)>? Remote { get; set; }

    /// <summary>What a cluster connection closes with its session (its client).</summary>
    internal IDisposable? RemoteOwner { get; set; }

    /// <summary>A statement of a cluster connection: queries and EXPLAIN [ANALYZE] of a query go to the cluster, with the
    /// statement's cancellation (its timeout, Ctrl-C); settings stay local (<see cref="IsLocal"/>); other statements are
    /// refused (they change the lake: run them embedded, or on a silo's own session).</summary>
    private static QueryResult RunRemote(Func<string, CancellationToken, (Schema Schema, IReadOnlyList<RecordBatch> Batches)> remote, Statement s,
        IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<object?> positional, CancellationToken cancel)
    {
        if (s is not (QueryStatement or ExplainStatement { Inner: QueryStatement } or AddColumnStatement { Expression: not null }))
            throw new SqlException("QL-CLUSTER-UNSUPPORTED", s.At.Line, s.At.Column,
                $"a cluster connection runs queries, EXPLAIN and ALTER DATASET … ADD COLUMN … AS (and SET, RESET, SHOW SETTINGS); {s.Text.Split(' ', 2)[0].ToUpperInvariant()} runs in a session opened on the lake itself");
        if (parameters.Count > 0 || positional.Count > 0)
            throw new SqlException("QL-CLUSTER-UNSUPPORTED", s.At.Line, s.At.Column, "a cluster connection does not take parameters yet: put the values in the query's text");
        var (schema, batches) = remote(s.Text, cancel);
        return new QueryResult(s.Text, schema, batches);
    }

    /// <summary>Statements a cluster connection runs itself: its own settings (statement_timeout bounds the wait).</summary>
    private static bool IsLocal(Statement s) => s is SetStatement or ResetStatement or ShowSettingsStatement;

    /// <summary>EXPLAIN of a query on a cluster: the stages, each as the physical plan that runs it, and with
    /// <paramref name="report"/> (EXPLAIN ANALYZE) where each task ran.</summary>
    internal string ExplainDistributed(DistributedQuery query, IReadOnlyList<string>? report)
    {
        var text = new System.Text.StringBuilder();
        if (query.Split is not { } split)
            text.Append("Stage 1 on the coordinator: the whole query (it cannot be cut: joins, set operations or several datasets)\n")
                .Append(Indent(Execution.Physical.PhysicalPlanPrinter.Print(Executor.Physical(query.Plan, Context(default)))));
        else
        {
            text.Append($"Stage 1 on the workers: {split.Kind} of {split.Dataset}@{split.Snapshot.Version}, one task per fragment ({query.Fragments.Count}), placed by fragment hash\n")
                .Append(Indent(Execution.Physical.PhysicalPlanPrinter.Print(Executor.Physical(split.Worker, Context(default)))))
                .Append("Stage 2 on the coordinator: over the workers' batches in fragment order\n")
                .Append(Indent(Execution.Physical.PhysicalPlanPrinter.Print(Executor.Physical(split.Coordinator([]), Context(default)))));
        }
        if (report is not null) text.Append("Ran:\n").Append(string.Join("", report.Select(r => "  " + r + "\n")));
        return text.ToString();
    }

    private static string Indent(string lines) => string.Join("", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n"));

    /// <summary>ALTER DATASET … ADD COLUMN … AS expr planned for a cluster: the dataset, the version the workers compute
    /// it for, and its fragments (one task each).</summary>
    internal sealed record DistributedColumn(string Sql, string Dataset, long Version, IReadOnlyList<long> Fragments);

    /// <summary>The cluster plan of <paramref name="sql"/> when it is one ADD COLUMN … AS expr; null otherwise.</summary>
    internal DistributedColumn? PlanDistributedAddColumn(string sql, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [AddColumnStatement { Expression: not null } a]) return null;
        if (ReadOnly) throw new SqlException("QL-READ-ONLY", a.At.Line, a.At.Column, "the session is read-only: ALTER would change the lake");
        var binder = NewBinder(new Dictionary<string, object?>(), [], cancel);
        var (ds, field, _) = BindAddColumn(binder, a, null);
        if (ds.Schema.IndexOf(field.Name) >= 0) throw new SqlException("QL-COLUMN-EXISTS", a.At.Line, a.At.Column, $"dataset '{a.Name}' already has a column '{field.Name}'");
        var snapshot = ds.Latest();
        return new DistributedColumn(sql, a.Name, snapshot.Version, snapshot.Fragments.Select(f => f.Id).ToList());
    }

    /// <summary>A worker's part of a distributed ADD COLUMN … AS: the column's file for <paramref name="fragment"/> of
    /// <paramref name="version"/>, written, not committed; its record as JSON for the coordinator.</summary>
    internal string RunAddColumnTask(string sql, long version, long fragment, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [AddColumnStatement { Expression: not null } a])
            throw new QueryLakeException("QL-BAD-ARGUMENT", "a column task takes one ALTER DATASET … ADD COLUMN … AS");
        var (ds, field, compute) = BindAddColumn(NewBinder(new Dictionary<string, object?>(), [], cancel), a, version);
        var file = ds.WriteColumnFile(ds.Checkout(version), fragment, field, compute!);
        return System.Text.Json.JsonSerializer.Serialize(file);
    }

    /// <summary>The coordinator's commit of a distributed ADD COLUMN … AS: every fragment's file in one version.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) FinishAddColumn(DistributedColumn plan, IReadOnlyDictionary<long, string> files, CancellationToken cancel = default)
    {
        var a = (AddColumnStatement)SqlParser.ParseScript(plan.Sql)[0];
        var (ds, field, _) = BindAddColumn(NewBinder(new Dictionary<string, object?>(), [], cancel), a, plan.Version);
        var records = files.ToDictionary(f => f.Key, f => System.Text.Json.JsonSerializer.Deserialize<Storage.Manifests.DataFileRecord>(f.Value)!);
        ds.CommitColumn(field, plan.Version, records);
        using var result = AddedColumn(a, field);
        return (result.Schema, result.ToList());
    }

    /// <summary>Whether <paramref name="sql"/> is EXPLAIN [ANALYZE] of one query, and that query's text.</summary>
    internal static bool IsExplain(string sql, out string query, out bool analyze)
    {
        (query, analyze) = ("", false);
        if (SqlParser.ParseScript(sql) is not [ExplainStatement { Inner: QueryStatement } e]) return false;
        // The inner statement's text: the source after EXPLAIN [ANALYZE].
        var m = System.Text.RegularExpressions.Regex.Match(sql, @"^\s*EXPLAIN\s+(ANALYZE\s+)?", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        (query, analyze) = (sql[m.Length..], e.Analyze);
        return m.Success;
    }

    private static QueryStatement OneQuery(string sql) =>
        SqlParser.ParseScript(sql) is [QueryStatement q] ? q
            : throw new QueryLakeException("QL-BAD-ARGUMENT", "a cluster runs one query (SELECT …) at a time");
}
