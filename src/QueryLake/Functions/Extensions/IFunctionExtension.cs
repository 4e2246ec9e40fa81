namespace QueryLake.Functions.Extensions;

/// <summary>What an extension package's registrar does: add its functions to the registry. Internal: extensions are
/// QueryLake's own packages, built and versioned with the engine (they see its internals).</summary>
internal interface IFunctionExtension
{
    void Register(FunctionRegistry registry);
}
