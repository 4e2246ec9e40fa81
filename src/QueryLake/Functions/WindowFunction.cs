using QueryLake.Columnar.Types;

namespace QueryLake.Functions;

/// <summary>A window function (<c>name(…) OVER (…)</c>): its documentation, and its result type for the argument types,
/// or null when they do not fit (the binder then reports <see cref="Usage"/>). The window operator computes it
/// (<c>Execution/Operators/Window</c>).</summary>
internal sealed class WindowFunction(string name, string signature, string description, string example, string usage,
    Func<IReadOnlyList<DataType>, DataType?> resolve)
{
    public string Name { get; } = name;
    public string Signature { get; } = signature;
    public string Description { get; } = description;

    /// <summary>A query that runs as it is (the reference test runs every one).</summary>
    public string Example { get; } = example;

    /// <summary>What the arguments must be, for the error when they do not fit.</summary>
    public string Usage { get; } = usage;

    public DataType? Resolve(IReadOnlyList<DataType> arguments) => resolve(arguments);
}
