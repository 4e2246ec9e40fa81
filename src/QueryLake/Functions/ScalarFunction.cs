using QueryLake.Columnar.Types;

namespace QueryLake.Functions;

/// <summary>How a function applies to given argument types: the result type, the kernel, and the types the
/// arguments must be cast to first (implicit casts), if any; optionally a kernel over selected rows read in place.</summary>
internal sealed record Resolution(DataType Result, ScalarKernel Kernel, IReadOnlyList<DataType>? ArgumentTypes = null)
{
    /// <summary>Evaluates the function for selected rows without gathering them first (null: gather, then <see cref="Kernel"/>).</summary>
    public SelectedKernel? Selected { get; init; }

    /// <summary>Finds the rows that can be among the best k by the function's value without computing it for every
    /// row (null: evaluate, then narrow).</summary>
    public TopKernel? Top { get; init; }
}

/// <summary>The value of a constant argument, as the binder saw it (NULL is a constant too).</summary>
internal sealed record Constant(object? Value);

/// <summary>
/// A scalar function (operators are functions too), declared with the metadata the function reference in
/// docs/functions.md is generated from.
/// </summary>
internal sealed class ScalarFunction(string name, string signature, string description, string example,
    Func<IReadOnlyList<DataType>, Resolution?> resolve, bool isOperator = false)
{
    public string Name { get; } = name;
    public string Signature { get; } = signature;
    public string Description { get; } = description;
    public string Example { get; } = example;
    public bool IsOperator { get; } = isOperator;

    /// <summary>When true, a literal argument reaches the kernel as a one-row array instead of being repeated for
    /// every row (the kernel must treat a one-row argument as a constant): for functions whose constants are
    /// large, such as the probe vector of a similarity search.</summary>
    public bool AcceptsConstants { get; init; }

    /// <summary>Other names the function answers to (len and array_length for list_length, as in DuckDB).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>A new value on every call (uuid()): never folded into a constant, whatever its arguments.</summary>
    public bool Volatile { get; init; }

    /// <summary>For functions whose result type depends on a constant argument (a model file's output size): resolves
    /// from the argument types and the values of the arguments that are constants (null where an argument is not).
    /// Used instead of the type-only resolver when set.</summary>
    public Func<IReadOnlyList<DataType>, IReadOnlyList<Constant?>, Resolution?>? ResolveWithConstants { get; init; }

    /// <summary>Resolves the function for argument types, or null when it does not apply to them.</summary>
    public Resolution? Resolve(IReadOnlyList<DataType> argumentTypes) => resolve(argumentTypes);

    /// <summary>Resolves the function for argument types and the constant arguments' values.</summary>
    public Resolution? Resolve(IReadOnlyList<DataType> argumentTypes, IReadOnlyList<Constant?> constants) =>
        ResolveWithConstants is { } withConstants ? withConstants(argumentTypes, constants) : resolve(argumentTypes);
}
