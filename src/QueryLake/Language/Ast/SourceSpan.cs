namespace QueryLake.Language.Ast;

/// <summary>Where a piece of SQL starts (1-based line and column), for error messages.</summary>
internal readonly record struct SourceSpan(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
