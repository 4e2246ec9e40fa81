using QueryLake.Columnar.Types;

namespace QueryLake.Functions;

/// <summary>The accumulators of one aggregate over all groups of a hash aggregation.</summary>
internal abstract class AggregateState
{
    /// <summary>Adds input rows: row i belongs to group <c>groups[i]</c>; one array per argument (none for count(*)).</summary>
    public abstract void Update(ReadOnlySpan<int> groups, IReadOnlyList<Columnar.Arrays.ArrowArray> inputs);

    /// <summary>Adds <paramref name="length"/> input rows that all belong to group 0 (an aggregate without GROUP BY).
    /// Accumulators override it with loops that skip the per-row group lookup.</summary>
    public virtual void UpdateSingle(IReadOnlyList<Columnar.Arrays.ArrowArray> inputs, int length)
    {
        if (_zeros.Length < length) _zeros = new int[Math.Max(length, _zeros.Length * 2)];
        Update(_zeros.AsSpan(0, length), inputs);
    }

    private int[] _zeros = [];

    /// <summary>Whether <see cref="Update"/> takes dictionary-encoded inputs as they are; when false (the default) it
    /// gets them decoded.</summary>
    public virtual bool AcceptsDictionaries => false;

    /// <summary>Whether the state may hold on to an input array, a slice or a view of one after an update returns. A
    /// state that copies what it keeps says false, which lets a scan recycle the buffers of the batches it has seen
    /// (<see cref="Columnar.Memory.BufferLease"/>); dictionaries of encoded inputs are never recycled, so keeping one
    /// is allowed.</summary>
    public virtual bool KeepsInputs => true;

    /// <summary>One result per group, for groups 0 .. <paramref name="groupCount"/>-1.</summary>
    public abstract Columnar.Arrays.ArrowArray Finish(int groupCount);

    /// <summary>About how many bytes the state holds beyond a fixed accumulator per group (which the aggregation counts
    /// itself): the values list, string_agg, DISTINCT and quantiles keep, so the memory limit sees them.</summary>
    public virtual long HeldBytes => 0;

    /// <summary>About the bytes a boxed value takes on the heap, its contents included.</summary>
    protected static long SizeOf(object? value) => value switch
    {
        null => 0,
        string text => 24 + 2L * text.Length,
        byte[] bytes => 24 + bytes.Length,
        object?[] items => 24 + items.Sum(i => 8 + SizeOf(i)),
        IReadOnlyDictionary<string, object?> fields => 48 + fields.Sum(f => 40 + SizeOf(f.Value)),
        _ => 24,
    };
}

/// <summary>How an aggregate applies to its argument types: the result type, a factory for its state, and the
/// types the arguments must be cast to first (null: as they are).</summary>
internal sealed record AggregateResolution(DataType Result, Func<AggregateState> CreateState, IReadOnlyList<DataType>? InputTypes = null);

/// <summary>An aggregate function declared with its reference metadata.</summary>
internal sealed class AggregateFunction(string name, string signature, string description, string example,
    Func<IReadOnlyList<DataType>, AggregateResolution?> resolve)
{
    public string Name { get; } = name;
    public string Signature { get; } = signature;
    public string Description { get; } = description;
    public string Example { get; } = example;

    /// <summary>Whether NULL inputs count (list and first keep them); most aggregates skip them.</summary>
    public bool KeepsNulls { get; init; }

    /// <summary>Whether a value seen twice gives the same result as once (min, max, bool_and, any_value): such an
    /// aggregate may run over distinct values.</summary>
    public bool IgnoresDuplicates { get; init; }

    /// <summary>Resolves for argument types (none for count(*)), or null when it does not apply to them.</summary>
    public AggregateResolution? Resolve(IReadOnlyList<DataType> inputs) => resolve(inputs);
}
