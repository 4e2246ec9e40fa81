using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Execution;
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

    private static QueryStatement OneQuery(string sql) =>
        SqlParser.ParseScript(sql) is [QueryStatement q] ? q
            : throw new QueryLakeException("QL-BAD-ARGUMENT", "a cluster runs one query (SELECT …) at a time");
}
