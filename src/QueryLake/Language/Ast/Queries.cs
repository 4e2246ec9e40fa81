namespace QueryLake.Language.Ast;

/// <summary>A full query: optional CTEs, a body, ORDER BY, LIMIT and OFFSET.</summary>
internal sealed record Query(SourceSpan At, IReadOnlyList<Cte> With, QueryBody Body, IReadOnlyList<SortItem> OrderBy, Expr? Limit, Expr? Offset);

internal sealed record Cte(string Name, IReadOnlyList<string> Columns, Query Query);

internal abstract record QueryBody(SourceSpan At);

internal sealed record SelectBody(SourceSpan At, bool Distinct, IReadOnlyList<SelectItem> Items, IReadOnlyList<Relation> From, Expr? Where,
    IReadOnlyList<Expr> GroupBy, bool GroupByAll, Expr? Having, IReadOnlyDictionary<string, WindowSpec> Windows, Expr? Qualify = null) : QueryBody(At)
{
    /// <summary>GROUPING SETS, ROLLUP or CUBE: the sets of <see cref="GroupBy"/> positions each grouping uses (null for
    /// a plain GROUP BY, which is the one set of every key).</summary>
    public IReadOnlyList<IReadOnlyList<int>>? GroupingSets { get; init; }
}

internal sealed record ValuesBody(SourceSpan At, IReadOnlyList<IReadOnlyList<Expr>> Rows) : QueryBody(At);

internal sealed record SetOperationBody(SourceSpan At, string Op, bool All, QueryBody Left, QueryBody Right) : QueryBody(At);

internal sealed record NestedQueryBody(SourceSpan At, Query Query) : QueryBody(At);

internal sealed record SelectItem(Expr Expr, string? Alias);

internal abstract record Relation(SourceSpan At);

internal sealed record DatasetRelation(SourceSpan At, string Name, VersionSpec? Version, SampleSpec? Sample, string? Alias, IReadOnlyList<string> ColumnAliases, string? Part = null) : Relation(At);

internal sealed record FileRelation(SourceSpan At, string Path, SampleSpec? Sample, string? Alias) : Relation(At);

internal sealed record TableFunctionRelation(SourceSpan At, string Name, IReadOnlyList<Expr> Args, IReadOnlyDictionary<string, Expr> NamedArgs, string? Alias) : Relation(At)
{
    /// <summary>Column names given after the alias: <c>range(10) t(i)</c>.</summary>
    public IReadOnlyList<string> ColumnAliases { get; init; } = [];
}

internal sealed record SubqueryRelation(SourceSpan At, Query Query, SampleSpec? Sample, string? Alias, IReadOnlyList<string> ColumnAliases) : Relation(At);

/// <summary>A sampling clause after a relation that has none of its own (a table function, a parenthesized join).</summary>
internal sealed record SampledRelation(SourceSpan At, Relation Inner, SampleSpec Sample) : Relation(At);

internal sealed record JoinRelation(SourceSpan At, string Kind, Relation Left, Relation Right, Expr? On, IReadOnlyList<string> Using, bool Natural) : Relation(At);

internal sealed record VersionSpec(long? Number, string? AsOf, string? Branch, string? Tag);

/// <summary>A sampling clause: TABLESAMPLE BERNOULLI|SYSTEM (p PERCENT) [REPEATABLE (s)], SAMPLE n ROWS [PER key]
/// [WEIGHTED BY w [WITH REPLACEMENT]] [SEED s], or SAMPLE p PERCENT [STRATIFY BY key] [SEED s].</summary>
internal sealed record SampleSpec(SourceSpan At, string Method, Expr Amount, long? Seed, Expr? Key = null, Expr? Weight = null, bool WithReplacement = false);
