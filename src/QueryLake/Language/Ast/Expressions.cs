namespace QueryLake.Language.Ast;

/// <summary>An expression as written, before names and types are resolved.</summary>
internal abstract record Expr(SourceSpan At);

/// <summary>A constant. <paramref name="Text"/> keeps a number's digits as written, so CAST(1.005 AS DECIMAL(10, 2))
/// converts the number exactly rather than its nearest double.</summary>
internal sealed record LiteralExpr(SourceSpan At, object? Value, string? TypeName = null, string? Text = null) : Expr(At);

internal sealed record ColumnExpr(SourceSpan At, IReadOnlyList<string> Parts) : Expr(At)
{
    public string Name => Parts[^1];
    public string? Qualifier => Parts.Count > 1 ? Parts[^2] : null;
    public override string ToString() => string.Join(".", Parts);
}

internal sealed record StarExpr(SourceSpan At, string? Qualifier, IReadOnlyList<string> Excluded) : Expr(At);

internal sealed record ParameterExpr(SourceSpan At, string? Name, int Position) : Expr(At);

internal sealed record UnaryExpr(SourceSpan At, string Op, Expr Operand) : Expr(At);

internal sealed record BinaryExpr(SourceSpan At, string Op, Expr Left, Expr Right) : Expr(At);

internal sealed record IsNullExpr(SourceSpan At, Expr Value, bool Negated) : Expr(At);

internal sealed record BetweenExpr(SourceSpan At, Expr Value, Expr Low, Expr High, bool Negated) : Expr(At);

internal sealed record InListExpr(SourceSpan At, Expr Value, IReadOnlyList<Expr> List, bool Negated) : Expr(At);

internal sealed record InSubqueryExpr(SourceSpan At, Expr Value, Query Query, bool Negated) : Expr(At);

internal sealed record ExistsExpr(SourceSpan At, Query Query) : Expr(At);

internal sealed record SubqueryExpr(SourceSpan At, Query Query) : Expr(At);

internal sealed record LikeExpr(SourceSpan At, Expr Value, Expr Pattern, Expr? Escape, bool CaseInsensitive, bool Negated) : Expr(At);

internal sealed record CaseExpr(SourceSpan At, Expr? Operand, IReadOnlyList<(Expr When, Expr Then)> Whens, Expr? Else) : Expr(At);

internal sealed record CastExpr(SourceSpan At, Expr Value, TypeName Type, bool Try) : Expr(At);

internal sealed record FunctionExpr(SourceSpan At, string Name, IReadOnlyList<Expr> Args, bool Distinct, bool Star,
    Expr? Filter, WindowSpec? Over, IReadOnlyList<SortItem> OrderBy) : Expr(At);

internal sealed record ListExpr(SourceSpan At, IReadOnlyList<Expr> Items) : Expr(At);

/// <summary>param -> body, an argument of list_filter and list_transform.</summary>
internal sealed record LambdaExpr(SourceSpan At, string Param, Expr Body) : Expr(At);

internal sealed record SubscriptExpr(SourceSpan At, Expr Value, IReadOnlyList<SliceOrIndex> Indexes) : Expr(At);

internal sealed record FieldAccessExpr(SourceSpan At, Expr Value, string Field) : Expr(At);

internal sealed record IntervalExpr(SourceSpan At, string Text, string? Unit) : Expr(At);

internal sealed record ExtractExpr(SourceSpan At, string Field, Expr Value) : Expr(At);

/// <summary>One subscript: an index, or a numpy-style half-open slice [from:to:step].</summary>
internal sealed record SliceOrIndex(Expr? Index, Expr? From, Expr? To, Expr? Step, bool IsSlice);

/// <summary>A type as written, e.g. <c>BIGINT</c>, <c>VARCHAR</c>, <c>FLOAT[3]</c>.</summary>
internal sealed record TypeName(SourceSpan At, string Name, IReadOnlyList<int> Parameters, IReadOnlyList<TypeName> Arguments, IReadOnlyList<int?> ArrayDims)
{
    public override string ToString() => Name + (Parameters.Count > 0 ? $"({string.Join(", ", Parameters)})" : "") +
        (Arguments.Count > 0 ? $"<{string.Join(", ", Arguments)}>" : "") + string.Concat(ArrayDims.Select(d => $"[{d}]"));
}

internal sealed record SortItem(Expr Expr, bool Descending, bool? NullsFirst);

internal sealed record WindowSpec(string? BaseName, IReadOnlyList<Expr> PartitionBy, IReadOnlyList<SortItem> OrderBy, WindowFrame? Frame);

internal sealed record WindowFrame(bool Rows, FrameBound Start, FrameBound End);

internal sealed record FrameBound(FrameBoundKind Kind, Expr? Offset);

internal enum FrameBoundKind { UnboundedPreceding, Preceding, CurrentRow, Following, UnboundedFollowing }

/// <summary>A struct literal <c>{'k': v, …}</c> or <c>struct_pack(k := v, …)</c>.</summary>
internal sealed record StructExpr(SourceSpan At, IReadOnlyList<string> Names, IReadOnlyList<Expr> Values) : Expr(At);
