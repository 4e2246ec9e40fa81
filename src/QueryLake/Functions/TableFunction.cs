namespace QueryLake.Functions;

/// <summary>A table function (<c>FROM name(…)</c>): its name, the other names it answers to, and its documentation. The
/// session's catalog opens it (<c>Sessions/SessionCatalog</c>), since reading files and lakes is the session's.</summary>
internal sealed class TableFunction(string name, IReadOnlyList<string> aliases, string signature, string description, string example)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Aliases { get; } = aliases;
    public string Signature { get; } = signature;
    public string Description { get; } = description;
    public string Example { get; } = example;
}
