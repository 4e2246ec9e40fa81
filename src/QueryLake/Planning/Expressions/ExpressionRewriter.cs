using QueryLake.Functions;

namespace QueryLake.Planning.Expressions;

/// <summary>Small structural operations on bound expressions shared by the binder, the optimizer and execution.</summary>
internal static class ExpressionRewriter
{
    /// <summary>A call of the scalar function or operator <paramref name="name"/>; null when it has no overload for the
    /// arguments' types, or, with <paramref name="exact"/>, when it would need a cast first (the binder's business).</summary>
    public static BoundExpr? Call(string name, IReadOnlyList<BoundExpr> args, bool exact = false)
    {
        var f = FunctionRegistry.Default.Scalar(name)!;
        if (f.Resolve(args.Select(a => a.Type).ToList()) is not { } r) return null;
        if (exact && r.ArgumentTypes is { } want && want.Where((t, i) => !t.Equals(args[i].Type)).Any()) return null;
        return new Call(f, args, r.Kernel, r.Result);
    }

    public static BoundExpr And(BoundExpr a, BoundExpr b) => Call("AND", [a, b])!;

    public static BoundExpr Or(BoundExpr a, BoundExpr b) => Call("OR", [a, b])!;

    /// <summary>The branches of an OR chain (the expression itself when it is not an OR).</summary>
    public static IEnumerable<BoundExpr> Disjuncts(BoundExpr e) => e is Call { Function.Name: "OR", Args: [var a, var b] } ? Disjuncts(a).Concat(Disjuncts(b)) : [e];

    /// <summary>True when the expression or any part of it is a <typeparamref name="T"/>.</summary>
    public static bool Contains<T>(BoundExpr e) where T : BoundExpr => e is T || e.Children.Any(Contains<T>);

    /// <summary>The conjuncts of an AND chain (the expression itself when it is not an AND).</summary>
    public static IEnumerable<BoundExpr> Conjuncts(BoundExpr? e) => e switch
    {
        null => [],
        Call { Function.Name: "AND", Args: [var a, var b] } => Conjuncts(a).Concat(Conjuncts(b)),
        _ => [e],
    };

    /// <summary>Column indices an expression reads.</summary>
    public static IEnumerable<int> Columns(BoundExpr e) => e switch
    {
        ColumnRef c => [c.Index],
        _ => e.Children.SelectMany(Columns),
    };

    /// <summary>Rewrites column indices.</summary>
    public static BoundExpr RemapColumns(BoundExpr e, Func<int, int> map) => Rewrite(e, x => x is ColumnRef c ? c with { Index = map(c.Index) } : null);

    /// <summary>Rewrites bottom-up: <paramref name="replace"/> returns a replacement or null to keep the node (with rewritten children).</summary>
    public static BoundExpr Rewrite(BoundExpr e, Func<BoundExpr, BoundExpr?> replace)
    {
        if (replace(e) is { } direct) return direct;
        return e switch
        {
            Call c => c with { Args = c.Args.Select(a => Rewrite(a, replace)).ToList() },
            Cast c => c with { Value = Rewrite(c.Value, replace) },
            TryEval t => t with { Value = Rewrite(t.Value, replace) },
            ListLambda l => l with { List = Rewrite(l.List, replace), Captures = l.Captures.Select(c => Rewrite(c, replace)).ToList() },
            CorrelatedSubquery q => q with { OuterArgs = q.OuterArgs.Select(a => Rewrite(a, replace)).ToList(), Value = q.Value is null ? null : Rewrite(q.Value, replace) },
            CaseWhen w => w with
            {
                Branches = w.Branches.Select(b => (Rewrite(b.When, replace), Rewrite(b.Then, replace))).ToList(),
                Else = w.Else is null ? null : Rewrite(w.Else, replace),
            },
            _ => e,
        };
    }
}
