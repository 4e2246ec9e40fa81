using System.Globalization;
using QueryLake.Language.Ast;

namespace QueryLake.Language.Binding;

/// <summary>Default output names for unaliased select expressions, close to DuckDB's: a column keeps its name,
/// anything else is printed as normalized SQL (count(*) is <c>count_star()</c>).</summary>
internal static class ExprNames
{
    public static string Name(Expr e) => e switch
    {
        ColumnExpr c => c.Name,
        FunctionExpr { Star: true } f when f.Name == "count" => "count_star()",
        _ => Print(e),
    };

    public static string Print(Expr e) => e switch
    {
        LiteralExpr { Value: null } => "NULL",
        LiteralExpr { Value: string s } => $"'{s.Replace("'", "''")}'",
        LiteralExpr { Value: bool b } => b ? "true" : "false",
        LiteralExpr { Value: double d } => d.ToString("R", CultureInfo.InvariantCulture),
        LiteralExpr l => Convert.ToString(l.Value, CultureInfo.InvariantCulture) ?? "",
        ColumnExpr c => string.Join(".", c.Parts),
        StarExpr s => s.Qualifier is null ? "*" : $"{s.Qualifier}.*",
        ParameterExpr p => p.Name is null ? "?" : "$" + p.Name,
        UnaryExpr { Op: "NOT" } u => $"(NOT {Print(u.Operand)})",
        UnaryExpr u => $"({u.Op}{Print(u.Operand)})",
        BinaryExpr b => $"({Print(b.Left)} {b.Op} {Print(b.Right)})",
        IsNullExpr n => $"({Print(n.Value)} IS {(n.Negated ? "NOT " : "")}NULL)",
        BetweenExpr b => $"({Print(b.Value)} {(b.Negated ? "NOT " : "")}BETWEEN {Print(b.Low)} AND {Print(b.High)})",
        ListExpr l => $"[{string.Join(", ", l.Items.Select(Print))}]",
        LambdaExpr l => $"{l.Param} -> {Print(l.Body)}",
        SubscriptExpr x => $"{Print(x.Value)}[{string.Join(", ", x.Indexes.Select(i => i.IsSlice
            ? $"{(i.From is null ? "" : Print(i.From))}:{(i.To is null ? "" : Print(i.To))}{(i.Step is null ? "" : ":" + Print(i.Step))}"
            : Print(i.Index!)))}]",
        InListExpr i => $"({Print(i.Value)} {(i.Negated ? "NOT " : "")}IN ({string.Join(", ", i.List.Select(Print))}))",
        LikeExpr l => $"({Print(l.Value)} {(l.Negated ? "NOT " : "")}{(l.CaseInsensitive ? "ILIKE" : "LIKE")} {Print(l.Pattern)})",
        CaseExpr c => $"CASE {(c.Operand is null ? "" : Print(c.Operand) + " ")}{string.Join(" ", c.Whens.Select(w => $"WHEN {Print(w.When)} THEN {Print(w.Then)}"))}{(c.Else is null ? "" : $" ELSE {Print(c.Else)}")} END",
        CastExpr c => $"{(c.Try ? "TRY_CAST" : "CAST")}({Print(c.Value)} AS {c.Type})",
        FunctionExpr f => $"{f.Name}({(f.Distinct ? "DISTINCT " : "")}{(f.Star ? "*" : string.Join(", ", f.Args.Select(Print)))})",
        ExtractExpr x => $"extract({x.Field} FROM {Print(x.Value)})",
        SubqueryExpr => "(SELECT ...)",
        ExistsExpr => "EXISTS(SELECT ...)",
        InSubqueryExpr i => $"({Print(i.Value)} {(i.Negated ? "NOT " : "")}IN (SELECT ...))",
        FieldAccessExpr f => $"{Print(f.Value)}.{f.Field}",
        StructExpr s => "{" + string.Join(", ", s.Names.Zip(s.Values, (n, v) => $"'{n.Replace("'", "''")}': {Print(v)}")) + "}",
        IntervalExpr i => $"INTERVAL '{i.Text}'{(i.Unit is null ? "" : " " + i.Unit.ToUpperInvariant())}",
        _ => e.GetType().Name,
    };
}
