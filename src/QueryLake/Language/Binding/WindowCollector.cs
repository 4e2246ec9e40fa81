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
    private static readonly string[] Ranking = ["row_number", "rank", "dense_rank", "ntile", "lag", "lead", "first_value", "last_value", "rarity", "near_duplicate"];
    private static readonly string[] Aggregates = ["sum", "avg", "count", "min", "max"];

    public List<WindowCall> Calls { get; } = [];

    public static IEnumerable<string> Names => Ranking.Concat(Aggregates);

    public BoundExpr Bind(Binder binder, FunctionExpr f, Func<Expr, BoundExpr> bind)
    {
        string name = f.Name.ToLowerInvariant();
        if (!Ranking.Contains(name) && !Aggregates.Contains(name))
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
        DataType type = name switch
        {
            "row_number" or "rank" or "dense_rank" or "ntile" or "count" => DataType.Int64,
            "near_duplicate" => DataType.Boolean,
            "avg" or "rarity" => DataType.Float64,
            "sum" when args.Count == 1 && args[0].Type.IsInteger => DataType.Int64,
            "sum" when args.Count == 1 && TypeRules.Logical(args[0].Type) is DecimalType d => new DecimalType(DecimalType.MaxPrecision, d.Scale),
            "sum" => DataType.Float64,
            _ when args.Count > 0 => TypeRules.Logical(args[0].Type),
            _ => throw new SqlException("QL-ARITY", f.At.Line, f.At.Column, $"{name}() needs an argument"),
        };
        if (name is "sum" or "avg" && (args.Count != 1 || !(args[0].Type.IsNumeric || TypeRules.Logical(args[0].Type) is DecimalType)))
            throw new SqlException("QL-NO-FUNCTION", f.At.Line, f.At.Column, $"{name}() OVER needs one numeric argument");
        if (name == "rarity" && (args.Count != 2 || args[0].Type.StorageType is not (FixedSizeListType or ListType) || !args[1].Type.IsInteger))
            throw new SqlException("QL-NO-FUNCTION", f.At.Line, f.At.Column, "rarity(embedding, k) OVER (…) needs a vector and an integer k");
        if (name == "near_duplicate" && (args.Count != 2 || args[0].Type.StorageType is not (FixedSizeListType or ListType) || !args[1].Type.IsNumeric))
            throw new SqlException("QL-NO-FUNCTION", f.At.Line, f.At.Column, "near_duplicate(embedding, threshold) OVER (ORDER BY …) needs a vector and a similarity threshold");
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
