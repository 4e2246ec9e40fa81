using QueryLake.Columnar.Types;
using QueryLake.Functions;
using QueryLake.Language.Ast;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Language.Binding;

/// <summary>
/// Collects the window function calls of one SELECT. Each call is bound (arguments, PARTITION BY, ORDER BY and
/// frame) with the SELECT's current binder, and stands for a placeholder column -1, -2, … that the binder moves
/// after the input columns once it places the <see cref="WindowNode"/>.
/// </summary>
internal sealed class WindowCollector(IReadOnlyDictionary<string, WindowSpec> named)
{
    public List<WindowCall> Calls { get; } = [];

    /// <summary>The window functions' names (<see cref="FunctionRegistry.Windows"/>).</summary>
    public static IEnumerable<string> Names => FunctionRegistry.Default.Windows.Select(w => w.Name);

    public BoundExpr Bind(Binder binder, FunctionExpr f, Func<Expr, BoundExpr> bind)
    {
        string name = f.Name.ToLowerInvariant();
        var function = FunctionRegistry.Default.Window(name) ??
            throw new SqlException("QL-NO-FUNCTION", f.At.Line, f.At.Column, $"{f.Name}() is not a window function" + Scope.Suggest(name, Names));
        if (f.Distinct) throw new SqlException("QL-UNSUPPORTED", f.At.Line, f.At.Column, "DISTINCT in window functions is not supported");
        var spec = f.Over!;
        if (spec.BaseName is { } baseName)
        {
            if (!named.TryGetValue(baseName, out var b))
                throw new SqlException("QL-WINDOW-NOT-FOUND", f.At.Line, f.At.Column, $"no window named '{baseName}'" + Scope.Suggest(baseName, named.Keys));
            spec = new WindowSpec(null, spec.PartitionBy.Count > 0 ? spec.PartitionBy : b.PartitionBy, spec.OrderBy.Count > 0 ? spec.OrderBy : b.OrderBy, spec.Frame ?? b.Frame);
        }
        var args = f.Star ? [] : f.Args.Select(bind).Select(Binder.Concrete).ToList();
        var partition = spec.PartitionBy.Select(bind).ToList();
        var order = spec.OrderBy.Select(o => new SortKey(bind(o.Expr), o.Descending, o.NullsFirst ?? false)).ToList();
        var frame = Frame(spec.Frame, order, f.At);
        var type = function.Resolve(args.Select(a => a.Type).ToList())
            ?? throw new SqlException("QL-NO-FUNCTION", f.At.Line, f.At.Column, function.Usage);
        if (name is "lag" or "lead" && args.Count > 2) args[2] = Binder.CastTo(args[2], type);
        Calls.Add(new WindowCall(name, args, partition, order, frame, type, ExprNames.Name(f)));
        return new ColumnRef(-Calls.Count, ExprNames.Name(f), type);
    }

    private static WindowFrameSpec Frame(WindowFrame? f, IReadOnlyList<SortKey> order, SourceSpan at)
    {
        if (f is null) return new WindowFrameSpec(false, FrameBoundKind.UnboundedPreceding, 0, FrameBoundKind.CurrentRow, 0);
        long Offset(FrameBound b)
        {
            if (b.Offset is null || !f.Rows) return 0;
            return b.Offset is LiteralExpr { Value: long v } && v >= 0 ? v
                : throw new SqlException("QL-BAD-ARGUMENT", at.Line, at.Column, "ROWS frame offsets must be non-negative integer constants");
        }
        double Range(FrameBound b)
        {
            if (b.Offset is null || f.Rows) return 0;
            if (order.Count != 1 || !order[0].Expr.Type.IsNumeric)
                throw new SqlException("QL-BAD-ARGUMENT", at.Line, at.Column, "a RANGE frame with an offset needs exactly one numeric ORDER BY key");
            return b.Offset is LiteralExpr { Value: long or double } l && Convert.ToDouble(l.Value, System.Globalization.CultureInfo.InvariantCulture) is var v && v >= 0 && double.IsFinite(v) ? v
                : throw new SqlException("QL-BAD-ARGUMENT", at.Line, at.Column, "RANGE frame offsets must be non-negative numeric constants");
        }
        return new WindowFrameSpec(f.Rows, f.Start.Kind, Offset(f.Start), f.End.Kind, Offset(f.End), Range(f.Start), Range(f.End));
    }
}
