using QueryLake.Execution.Operators.Distinct;
using QueryLake.Execution.Operators.Filter;
using QueryLake.Execution.Operators.HashAggregate;
using QueryLake.Execution.Operators.HashJoin;
using QueryLake.Execution.Operators.Limit;
using QueryLake.Execution.Operators.Project;
using QueryLake.Execution.Operators.Sample;
using QueryLake.Execution.Operators.Scan;
using QueryLake.Execution.Operators.SetOperation;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Execution.Operators.TopK;
using QueryLake.Execution.Operators.Unnest;
using QueryLake.Execution.Operators.Values;
using QueryLake.Execution.Operators.Window;
using QueryLake.Execution.Operators.Write;
using QueryLake.Execution.Physical.Rules;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical;

/// <summary>
/// Turns an optimized logical plan into a tree of physical operators. Each logical node has a plain operator; the
/// physical rules (<see cref="Rules"/>, tried in order at every node) fuse nodes into faster operators or choose a
/// faster way to run them, and any of them can be switched off by name with the same result.
/// </summary>
internal sealed class PhysicalPlanner(IReadOnlySet<string>? disabled, Kernels.Similarity.DevicePolicy device = Kernels.Similarity.DevicePolicy.Auto)
{
    /// <summary>The physical rules, in the order they are tried.</summary>
    public static IReadOnlyList<IPhysicalRule> Rules { get; } =
    [
        new ScanProjectionFusion(),
        new LentScanBatches(),
        new LentCopyInput(),
        new JoinOutputPruning(),
        new DeviceSimilarityTopK(),
        new LateTopKProjection(),
    ];

    /// <summary>The physical plan of <paramref name="plan"/>, with the named rules (physical ones; others are ignored)
    /// switched off.</summary>
    public static PhysicalOperator Plan(LogicalPlan plan, IReadOnlySet<string>? disabled = null,
        Kernels.Similarity.DevicePolicy device = Kernels.Similarity.DevicePolicy.Auto) => new PhysicalPlanner(disabled, device).Build(plan);

    /// <summary>Where similarity searches run (<c>SET device</c>).</summary>
    public Kernels.Similarity.DevicePolicy Device => device;

    /// <summary>Whether the rule named <paramref name="name"/> is on.</summary>
    public bool Enabled(string name) => disabled is null || !disabled.Contains(name);

    /// <summary>The operator for <paramref name="node"/>: the first rule's that applies, else the plain one.</summary>
    public PhysicalOperator Build(LogicalPlan node)
    {
        foreach (var rule in Rules)
            if (Enabled(rule.Name) && rule.TryPlan(node, this) is { } op) return op;
        return node switch
        {
            ScanNode s => new ScanOperator(s),
            ValuesNode v => new ValuesOperator(v),
            FilterNode f => new FilterOperator(f, Build(f.Input)),
            ProjectNode p => new ProjectOperator(p, Build(p.Input)),
            AggregateNode a => new HashAggregateOperator(a, Build(a.Input)),
            SortNode s => new SortOperator(s, Build(s.Input)),
            TopKNode t => new TopKOperator(t, Build(t.Input)),
            LimitNode l => new LimitOperator(l, Build(l.Input)),
            JoinNode j => Join(j, null),
            SetOperationNode s => new SetOperationOperator(s, Build(s.Left), Build(s.Right)),
            DistinctNode d => new DistinctOperator(d, Build(d.Input)),
            WindowNode w => new WindowOperator(w, Build(w.Input)),
            SampleNode s => new SampleOperator(s, Build(s.Input)),
            UnnestNode u => new UnnestOperator(u, Build(u.Input)),
            InsertNode i => new InsertOperator(i, Build(i.Input)),
            CreateAsNode c => new CreateAsOperator(c, Build(c.Input)),
            DeleteNode d => new DeleteOperator(d, Build(d.Input)),
            UpdateNode u => new UpdateOperator(u, Build(u.Input)),
            MergeNode m => new MergeOperator(m, Build(m.Input)),
            CopyNode c => new CopyOperator(c, Build(c.Input)),
            _ => throw new InvalidOperationException($"no operator for {node.GetType().Name}"),
        };
    }

    /// <summary>A join whose consumer reads only the output columns in <paramref name="needed"/> (null: all).</summary>
    public PhysicalOperator Join(JoinNode j, IReadOnlySet<int>? needed) => new HashJoinOperator(j, Build(j.Left), Build(j.Right), needed);

    /// <summary>The operator for <paramref name="node"/> under a consumer that keeps nothing of its batches and releases
    /// each: a scan lends them (<see cref="LentScanBatches"/>, when on); anything else is planned as usual.</summary>
    public PhysicalOperator BuildLent(LogicalPlan node, out bool lent)
    {
        lent = node is ScanNode && Enabled(LentScanBatches.RuleName);
        return lent ? new ScanOperator((ScanNode)node, lend: true) : Build(node);
    }
}
