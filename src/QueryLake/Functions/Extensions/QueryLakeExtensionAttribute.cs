namespace QueryLake.Functions.Extensions;

/// <summary>
/// Marks an assembly as a QueryLake extension (an optional package such as QueryLake.Onnx) and names the type that
/// registers its functions. QueryLake finds extension assemblies when it builds its function registry: those already
/// loaded and every <c>QueryLake.*.dll</c> beside the application, so referencing the package is enough.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class QueryLakeExtensionAttribute(Type registrar) : Attribute
{
    /// <summary>The type that registers the extension's functions: it has a public parameterless constructor and
    /// implements QueryLake's (internal) extension interface.</summary>
    public Type Registrar { get; } = registrar;
}
