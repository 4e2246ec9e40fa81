using QueryLake.Columnar.Types;
using QueryLake.Functions;

namespace QueryLake.Planning.Expressions;

/// <summary>An expression with names resolved to column positions and every type known.</summary>
internal abstract record BoundExpr(DataType Type)
{
    public abstract IEnumerable<BoundExpr> Children { get; }
}

/// <summary>Column <see cref="Index"/> of the input batch.</summary>
internal sealed record ColumnRef(int Index, string Name, DataType ColumnType) : BoundExpr(ColumnType)
{
    public override IEnumerable<BoundExpr> Children => [];
    public override string ToString() => $"{Name}#{Index}";
}

/// <summary>A constant (null is typed too).</summary>
internal sealed record Literal(object? Value, DataType LiteralType) : BoundExpr(LiteralType)
{
    public override IEnumerable<BoundExpr> Children => [];
    public override string ToString() => Show(Value);

    /// <summary>A value as plans print it. A list of more than 16 elements (an embedding probe) shows its first 8, its
    /// length and a 64-bit FNV-1a hash of all of them: the binder matches expressions by their text (ORDER BY against
    /// the select list), so different lists must print differently.</summary>
    private static string Show(object? value) => value switch
    {
        null => "NULL",
        string s => $"'{s.Replace("'", "''")}'",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        byte[] bytes => $"<blob {bytes.Length} bytes>",
        // Lists (list literals, float[] and other array parameters).
        System.Collections.IList { Count: > 16 } list => "[" + string.Join(", ", list.Cast<object?>().Take(8).Select(Show))
            + $", … ({list.Count} values, #{Fnv(list.Cast<object?>().Select(Show)):x16})]",
        System.Collections.IList list => "[" + string.Join(", ", list.Cast<object?>().Select(Show)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static ulong Fnv(IEnumerable<string> parts)
    {
        ulong hash = 14695981039346656037UL;
        foreach (var part in parts)
        {
            foreach (char ch in part) hash = (hash ^ ch) * 1099511628211UL;
            hash = (hash ^ '|') * 1099511628211UL;
        }
        return hash;
    }
}

/// <summary>A call of a scalar function (operators are functions too) with its resolved kernel.</summary>
internal sealed record Call(ScalarFunction Function, IReadOnlyList<BoundExpr> Args, ScalarKernel Kernel, DataType ResultType) : BoundExpr(ResultType)
{
    /// <summary>The function's kernel over selected rows read in place, when it has one.</summary>
    public SelectedKernel? Selected { get; init; }

    /// <summary>The function's fused value-and-top-k kernel, when it has one.</summary>
    public TopKernel? Top { get; init; }

    /// <summary>Where the call was written, for errors its kernel raises.</summary>
    public ErrorSite At { get; init; }

    public override IEnumerable<BoundExpr> Children => Args;
    public override string ToString() => Function.IsOperator && Args.Count == 2
        ? $"({Args[0]} {Function.Name} {Args[1]})"
        : Function.IsOperator && Args.Count == 1 && Function.Name.StartsWith("IS ", StringComparison.Ordinal) ? $"({Args[0]} {Function.Name})"
        : Function.IsOperator && Args.Count == 1 ? $"({Function.Name} {Args[0]})" : $"{Function.Name}({string.Join(", ", Args)})";
}

/// <summary>CASE WHEN … THEN … [ELSE …] END (the simple form is rewritten to this one).</summary>
internal sealed record CaseWhen(IReadOnlyList<(BoundExpr When, BoundExpr Then)> Branches, BoundExpr? Else, DataType ResultType) : BoundExpr(ResultType)
{
    public override IEnumerable<BoundExpr> Children => Branches.SelectMany(b => new[] { b.When, b.Then }).Concat(Else is null ? [] : [Else]);
    public override string ToString() =>
        $"CASE {string.Join(" ", Branches.Select(b => $"WHEN {b.When} THEN {b.Then}"))}{(Else is null ? "" : $" ELSE {Else}")} END";
}

/// <summary>CAST or TRY_CAST.</summary>
internal sealed record Cast(BoundExpr Value, DataType Target, bool Try) : BoundExpr(Target)
{
    /// <summary>Where the CAST was written (unknown for the casts the binder adds), for the values that do not convert.</summary>
    public ErrorSite At { get; init; }

    public override IEnumerable<BoundExpr> Children => [Value];
    public override string ToString() => $"{(Try ? "TRY_CAST" : "CAST")}({Value} AS {Target})";
}

/// <summary>Inside a correlated subquery: the value of outer column <see cref="Slot"/> of the current outer row.</summary>
internal sealed record OuterRef(int Slot, string Name, DataType ColumnType) : BoundExpr(ColumnType)
{
    public override IEnumerable<BoundExpr> Children => [];
    public override string ToString() => $"outer.{Name}";
}

/// <summary>The kinds of subquery expression.</summary>
internal enum SubqueryKind { Scalar, Exists, In }

/// <summary>
/// A subquery that reads columns of the outer row (<see cref="OuterArgs"/>, which the inner plan sees as
/// <see cref="OuterRef"/> slots). It runs once per distinct combination of outer values.
/// </summary>
internal sealed record CorrelatedSubquery(Logical.LogicalPlan Plan, SubqueryKind Kind, IReadOnlyList<BoundExpr> OuterArgs, BoundExpr? Value, DataType ResultType)
    : BoundExpr(ResultType)
{
    public override IEnumerable<BoundExpr> Children => Value is null ? OuterArgs : OuterArgs.Append(Value);
    public override string ToString() =>
        $"{(Kind == SubqueryKind.In ? $"{Value} IN " : Kind == SubqueryKind.Exists ? "EXISTS " : "")}(correlated subquery on {string.Join(", ", OuterArgs)})";
}

/// <summary>try(x) and try_error(x): x evaluated row by row where it fails, giving NULL for the failing rows (try) or
/// the error message of each failing row and NULL elsewhere (try_error).</summary>
internal sealed record TryEval(BoundExpr Value, bool ErrorText, DataType ResultType) : BoundExpr(ResultType)
{
    public override IEnumerable<BoundExpr> Children => [Value];
    public override string ToString() => $"{(ErrorText ? "try_error" : "try")}({Value})";
}

/// <summary>list_filter / list_transform: <see cref="Body"/> is bound over the lambda's parameter (column 0) and the
/// values it captures from its row (columns 1…, <see cref="Captures"/>, bound over the input), and evaluated once over
/// all the elements of a batch's lists, each element beside its row's captured values. Only <see cref="List"/> and
/// <see cref="Captures"/> read the input's columns.</summary>
internal sealed record ListLambda(string Function, BoundExpr List, string Param, BoundExpr Body, IReadOnlyList<BoundExpr> Captures, DataType ResultType) : BoundExpr(ResultType)
{
    public override IEnumerable<BoundExpr> Children => [List, .. Captures];
    public override string ToString() => $"{Function}({List}, {Param} -> {Body})";
}
