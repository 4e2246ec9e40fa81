using QueryLake.Columnar;

namespace QueryLake.Planning.Logical;

/// <summary>
/// A node of a logical plan: small and immutable. <see cref="Label"/> is its one-line description, which
/// <see cref="PlanPrinter"/> indents into the text EXPLAIN shows and the optimizer tests assert.
/// </summary>
internal abstract record LogicalPlan
{
    public abstract Schema Schema { get; }
    public abstract IReadOnlyList<LogicalPlan> Inputs { get; }
    public abstract LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs);
    public abstract string Label();

    /// <summary>A row-count estimate for choosing join sides and the like (null when unknown).</summary>
    public virtual long? EstimatedRows => Inputs.Count == 1 ? Inputs[0].EstimatedRows : null;
}
