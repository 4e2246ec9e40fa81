using QueryLake.Columnar;
using QueryLake.Planning.Expressions;

namespace QueryLake.Planning.Optimizer;

/// <summary>Evaluates calls whose arguments are all constants, once, at planning time.</summary>
internal static class ConstantFolder
{
    private static readonly RecordBatch OneRow = new(new Schema([]), [], 1);

    public static Literal? TryFold(BoundExpr e)
    {
        if (e is Literal || e.Type is Columnar.Types.NullType || e is Call { Function.Volatile: true }) return null;
        // (A list lambda over a constant list that captures nothing but constants is a constant too.)
        if (e is not (Call or Cast or CaseWhen or ListLambda) || !e.Children.All(c => c is Literal)) return null;
        if (ExactDecimal(e) is { } exact) return exact;
        var value = Execution.ExpressionEvaluator.Evaluate(e, OneRow);
        return new Literal(value.GetValue(0), e.Type);
    }

    /// <summary>+, - and * of two numeric constants written as decimals (0.06 + 0.01) are exact, as in DuckDB, where such
    /// literals are DECIMAL: the sum is computed in decimal and then rounded once to a double (0.07, not
    /// 0.06999999999999999). Constants that a decimal cannot hold exactly fold as doubles.</summary>
    private static Literal? ExactDecimal(BoundExpr e)
    {
        if (e is not Call { Function.Name: "+" or "-" or "*", Args: [Literal { Value: double a }, Literal { Value: double b }] } c || c.Type.Id != Columnar.Types.TypeId.Float64) return null;
        if (!Exact(a, out var x) || !Exact(b, out var y)) return null;
        try
        {
            decimal r = c.Function.Name switch { "+" => x + y, "-" => x - y, _ => x * y };
            return new Literal((double)r, c.Type);
        }
        catch (OverflowException) { return null; }

        static bool Exact(double v, out decimal d)
        {
            d = 0;
            if (!double.IsFinite(v) || Math.Abs(v) > 1e15) return false;
            d = (decimal)v;
            return (double)d == v;
        }
    }

    /// <summary><c>CAST(d AS TIMESTAMP) op t</c> for a DATE d and a constant t (what <c>d &lt; DATE '…' + INTERVAL …</c>
    /// binds to) compares d with a date constant instead, so the column is not cast row by row and fragment statistics
    /// on d can prune: at midnight t is that date; otherwise d &lt; t and d &lt;= t hold up to t's date, d &gt; t and
    /// d &gt;= t from the next one.</summary>
    private static BoundExpr? DateComparison(BoundExpr e)
    {
        if (e is not Call { Function.Name: "<" or "<=" or ">" or ">=" or "=" or "<>" , Args: [var a, var b] } c) return null;
        bool flipped = a is Literal;
        var (cast, constant) = flipped ? (b, a) : (a, b);
        if (cast is not Cast { Try: false, Value: { Type.Id: Columnar.Types.TypeId.Date32 } date, Target: Columnar.Types.TimestampType }
            || constant is not Literal { Value: DateTime t }) return null;
        string op = c.Function.Name;
        if (flipped) op = op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };
        var day = DateOnly.FromDateTime(t);
        if (t.TimeOfDay != TimeSpan.Zero)
        {
            if (op is "=" or "<>") return null;
            (op, day) = op switch { "<" or "<=" => ("<=", day), _ => (">", day) };
        }
        var f = Functions.FunctionRegistry.Default.Scalar(op)!;
        var r = f.Resolve([Columnar.Types.DataType.Date32, Columnar.Types.DataType.Date32]);
        return r is null ? null : new Call(f, [date, new Literal(day, Columnar.Types.DataType.Date32)], r.Kernel, r.Result) { Selected = r.Selected, Top = r.Top };
    }

    /// <summary>Folds bottom-up everywhere in an expression.</summary>
    public static BoundExpr Fold(BoundExpr e) => FoldTree(e);

    private static BoundExpr FoldTree(BoundExpr e)
    {
        BoundExpr withChildren = e switch
        {
            Call c => c with { Args = c.Args.Select(FoldTree).ToList() },
            Cast c => c with { Value = FoldTree(c.Value) },
            CaseWhen w => w with { Branches = w.Branches.Select(b => (FoldTree(b.When), FoldTree(b.Then))).ToList(), Else = w.Else is null ? null : FoldTree(w.Else) },
            ListLambda l => l with { List = FoldTree(l.List), Captures = l.Captures.Select(FoldTree).ToList() },
            _ => e,
        };
        return TryFold(withChildren) ?? Simplify(withChildren);
    }

    /// <summary>Boolean identities that hold under three-valued logic: x AND true = x, x AND false = false,
    /// x OR false = x, x OR true = true; and comparisons of a date cast to a timestamp with a constant, which compare
    /// the date itself (see <see cref="DateComparison"/>).</summary>
    private static BoundExpr Simplify(BoundExpr e)
    {
        if (DateComparison(e) is { } dates) return dates;
        if (e is not Call { Function.Name: "AND" or "OR", Args: [var a, var b] } c) return e;
        bool and = c.Function.Name == "AND";
        foreach (var (lit, other) in new[] { (a, b), (b, a) })
        {
            if (lit is not Literal { Value: bool v }) continue;
            if (v == and) return other;          // AND true / OR false
            return new Literal(!and, c.Type);   // AND false / OR true
        }
        return e;
    }
}
