using QueryLake.Functions.Aggregate;
using QueryLake.Functions.Scalar;

namespace QueryLake.Functions;

/// <summary>All functions, by lower-case name. Built-ins register themselves here; docs/functions.md is generated from it.</summary>
internal sealed class FunctionRegistry
{
    private readonly Dictionary<string, ScalarFunction> _scalars = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AggregateFunction> _aggregates = new(StringComparer.OrdinalIgnoreCase);

    public static FunctionRegistry Default { get; } = CreateDefault();

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
        ListFunctions.Register(r);
        TensorFunctions.Register(r);
        StructFunctions.Register(r);
        BasicAggregates.Register(r);
        StatisticalAggregates.Register(r);
        CollectionAggregates.Register(r);
        return r;
    }

    public void Add(ScalarFunction f) => _scalars.Add(f.Name, f);
    public void Add(AggregateFunction f) => _aggregates.Add(f.Name, f);

    public ScalarFunction? Scalar(string name) => _scalars.GetValueOrDefault(name);
    public AggregateFunction? Aggregate(string name) => _aggregates.GetValueOrDefault(name);

    public IEnumerable<ScalarFunction> Scalars => _scalars.Values.OrderBy(f => f.Name, StringComparer.Ordinal);
    public IEnumerable<AggregateFunction> Aggregates => _aggregates.Values.OrderBy(f => f.Name, StringComparer.Ordinal);

    public IEnumerable<string> Names => _scalars.Keys.Concat(_aggregates.Keys);
}
