using QueryLake.Columnar;

namespace QueryLake.Planning.Logical;

/// <summary>
/// A node of a logical plan: small and immutable. <see cref="Label"/> is its one-line description, which
/// <see cref="PlanPrinter"/> indents into the text EXPLAIN shows and the optimizer tests assert.
/// </summary>
internal abstract record LogicalPlan
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LogicalPlan, Schema> Schemas = new();

    /// <summary>The output columns, computed once per node instance (a <c>with</c> copy computes its own).</summary>
    public Schema Schema => Schemas.GetValue(this, p => p.ComputeSchema());

    protected abstract Schema ComputeSchema();
    public abstract IReadOnlyList<LogicalPlan> Inputs { get; }
    public abstract LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs);
    public abstract string Label();

    /// <summary>A row-count estimate for choosing join sides and the like (null when unknown).</summary>
    public virtual long? EstimatedRows => Inputs.Count == 1 ? Inputs[0].EstimatedRows : null;
}
