using QueryLake.Functions.Aggregate;
using QueryLake.Functions.Extensions;
using QueryLake.Functions.Scalar;
using QueryLake.Functions.Table;
using QueryLake.Functions.Window;

namespace QueryLake.Functions;

/// <summary>All functions, by lower-case name. Built-ins register themselves here, then extension packages
/// (<see cref="ExtensionLoader"/>); docs/functions.md is generated from it.</summary>
internal sealed class FunctionRegistry
{
    private readonly Dictionary<string, ScalarFunction> _scalars = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AggregateFunction> _aggregates = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, WindowFunction> _windows = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TableFunction> _tables = new(StringComparer.OrdinalIgnoreCase);

    public static FunctionRegistry Default { get; } = CreateDefault();

    /// <summary>Builds <see cref="Default"/> if it is not yet, so the extensions it finds have registered themselves
    /// (a GPU backend among them).</summary>
    public static void EnsureExtensions() => _ = Default;

    private static FunctionRegistry CreateDefault()
    {
        var r = new FunctionRegistry();
        OperatorFunctions.Register(r);
        MathFunctions.Register(r);
        StringFunctions.Register(r);
        ConditionalFunctions.Register(r);
        DateFunctions.Register(r);
        VectorFunctions.Register(r);
        ImageFunctions.Register(r);
        PixelFunctions.Register(r);
        ImageTransforms.Register(r);
        ListFunctions.Register(r);
        TensorFunctions.Register(r);
        StructFunctions.Register(r);
        UuidFunctions.Register(r);
        BasicAggregates.Register(r);
        StatisticalAggregates.Register(r);
        CollectionAggregates.Register(r);
        WindowFunctions.Register(r);
        TableFunctions.Register(r);
        ExtensionLoader.LoadInto(r);
        return r;
    }

    /// <summary>Adds a scalar function under its name and each alias.</summary>
    public void Add(ScalarFunction f)
    {
        foreach (var name in f.Aliases.Prepend(f.Name)) _scalars.Add(name, f);
    }
    public void Add(AggregateFunction f) => _aggregates.Add(f.Name, f);
    public void Add(WindowFunction f) => _windows.Add(f.Name, f);

    /// <summary>Adds a table function under its name and each alias.</summary>
    public void Add(TableFunction f)
    {
        foreach (var name in f.Aliases.Prepend(f.Name)) _tables.Add(name, f);
    }

    public ScalarFunction? Scalar(string name) => _scalars.GetValueOrDefault(name);
    public AggregateFunction? Aggregate(string name) => _aggregates.GetValueOrDefault(name);
    public WindowFunction? Window(string name) => _windows.GetValueOrDefault(name);

    /// <summary>The table function named <paramref name="name"/> or by an alias.</summary>
    public TableFunction? Table(string name) => _tables.GetValueOrDefault(name);

    public IEnumerable<ScalarFunction> Scalars => _scalars.Values.Distinct().OrderBy(f => f.Name, StringComparer.Ordinal);
    public IEnumerable<AggregateFunction> Aggregates => _aggregates.Values.OrderBy(f => f.Name, StringComparer.Ordinal);
    public IEnumerable<WindowFunction> Windows => _windows.Values.OrderBy(f => f.Name, StringComparer.Ordinal);
    public IEnumerable<TableFunction> Tables => _tables.Values.Distinct().OrderBy(f => f.Name, StringComparer.Ordinal);

    /// <summary>Every name a function answers to (completion, suggestions).</summary>
    public IEnumerable<string> Names => _scalars.Keys.Concat(_aggregates.Keys).Concat(_windows.Keys).Concat(_tables.Keys);

    /// <summary>The names table functions answer to.</summary>
    public IEnumerable<string> TableNames => _tables.Keys;
}
