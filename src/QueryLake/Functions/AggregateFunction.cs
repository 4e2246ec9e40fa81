using QueryLake.Columnar.Types;

namespace QueryLake.Functions;

/// <summary>The accumulators of one aggregate over all groups of a hash aggregation.</summary>
internal abstract class AggregateState
{
    /// <summary>Adds input rows: row i belongs to group <c>groups[i]</c>. <paramref name="input"/> is null for count(*).</summary>
    public abstract void Update(ReadOnlySpan<int> groups, Columnar.Arrays.ArrowArray? input);

    /// <summary>One result per group, for groups 0 .. <paramref name="groupCount"/>-1.</summary>
    public abstract Columnar.Arrays.ArrowArray Finish(int groupCount);
}

/// <summary>How an aggregate applies to an input type: the result type and a factory for its state.</summary>
internal sealed record AggregateResolution(DataType Result, Func<AggregateState> CreateState, DataType? InputType = null);

/// <summary>An aggregate function declared with its reference metadata.</summary>
internal sealed class AggregateFunction(string name, string signature, string description, string example,
    Func<DataType?, AggregateResolution?> resolve)
{
    public string Name { get; } = name;
    public string Signature { get; } = signature;
    public string Description { get; } = description;
    public string Example { get; } = example;

    /// <summary>Resolves for an input type (null for count(*)).</summary>
    public AggregateResolution? Resolve(DataType? input) => resolve(input);
}
