using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Functions;
using QueryLake.Functions.Scalar;
using QueryLake.Language.Ast;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Language.Binding;

/// <summary>
/// Resolves names, types, implicit casts and functions, and turns queries into logical plans. Errors carry
/// the line:column of the offending text and suggest the closest name when one is misspelled.
/// </summary>
internal sealed partial class Binder(ICatalog catalog, IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<object?> positional)
{
    private readonly FunctionRegistry _functions = FunctionRegistry.Default;
    private readonly Stack<Dictionary<string, (LogicalPlan Plan, Scope Scope)>> _ctes = new();
    private WindowCollector? _windows;
    /// <summary>Select aliases visible while binding QUALIFY (a name that is not an input column may name one).</summary>
    private Dictionary<string, Expr>? _selectAliases;
    /// <summary>Above 0 while binding the argument of try()/try_error(): constants are not folded there, so that
    /// their errors surface per row instead of failing the statement.</summary>
    private int _noFold;

    /// <summary>A subquery being bound inside an expression over <see cref="Outer"/>: the outer columns it reads.</summary>
    private sealed class Correlation(Scope outer)
    {
        public Scope Outer { get; } = outer;
        public List<ColumnRef> Args { get; } = [];
    }

    private readonly Stack<Correlation> _correlations = new();

    private static SqlException Error(SourceSpan at, string code, string message) => new(code, at.Line, at.Column, message);

    // ------------------------------------------------------------------ queries

    public (LogicalPlan Plan, Scope Scope) BindQuery(Query q)
    {
        var ctes = new Dictionary<string, (LogicalPlan, Scope)>(StringComparer.OrdinalIgnoreCase);
        _ctes.Push(ctes);
        try
        {
            foreach (var cte in q.With)
            {
                var (plan, scope) = BindQuery(cte.Query);
                if (cte.Columns.Count > 0) (plan, scope) = RenameColumns(plan, scope, cte.Columns, cte.Query.At);
                ctes[cte.Name] = (plan, scope.WithTable(cte.Name));
            }
            var (p, s) = BindBody(q.Body, q.OrderBy, q);
            if (q.Limit is not null || q.Offset is not null)
                p = new LimitNode(p, q.Limit is null ? null : ConstantLong(q.Limit, "LIMIT"), q.Offset is null ? 0 : ConstantLong(q.Offset, "OFFSET"));
            return (p, s);
        }
        finally
        {
            _ctes.Pop();
        }
    }

    private long ConstantLong(Expr e, string what)
    {
        var b = BindExpr(e, Scope.Empty);
        if (b is Literal { Value: long v } && v >= 0) return v;
        if (b is Literal { Value: double d } && d >= 0 && d == Math.Floor(d)) return (long)d;
        throw Error(e.At, "QL-BAD-ARGUMENT", $"{what} must be a non-negative integer constant");
    }

    private static (LogicalPlan, Scope) RenameColumns(LogicalPlan plan, Scope scope, IReadOnlyList<string> names, SourceSpan at)
    {
        if (names.Count > scope.Columns.Count) throw Error(at, "QL-BAD-ALIAS", $"{names.Count} column names given for {scope.Columns.Count} columns");
        var exprs = scope.Columns.Select((c, i) => (BoundExpr)new ColumnRef(i, c.Name, c.Type)).ToList();
        var newNames = scope.Columns.Select((c, i) => i < names.Count ? names[i] : c.Name).ToList();
        return (new ProjectNode(plan, exprs, UniqueNames(newNames)), new Scope(scope.Columns.Select((c, i) => c with { Name = newNames[i] }).ToList()));
    }

    private static List<string> UniqueNames(IEnumerable<string> names)
    {
        var seen = new HashSet<string>();
        return names.Select(n =>
        {
            var name = n;
            for (int k = 1; !seen.Add(name); k++) name = $"{n}_{k}";
            return name;
        }).ToList();
    }

    private (LogicalPlan, Scope) BindBody(QueryBody body, IReadOnlyList<SortItem> orderBy, Query? owner)
    {
        switch (body)
        {
            case SelectBody s:
                return BindSelect(s, orderBy);
            case ValuesBody v:
                var (vp, vs) = BindValues(v);
                return ApplyOrderBy(vp, vs, orderBy, null);
            case NestedQueryBody n:
                var (np, ns) = BindQuery(n.Query);
                return ApplyOrderBy(np, ns, orderBy, null);
            case SetOperationBody so:
                var (lp, ls) = BindBody(so.Left, [], null);
                var (rp, rs) = BindBody(so.Right, [], null);
                if (ls.Columns.Count != rs.Columns.Count)
                    throw Error(so.At, "QL-SET-MISMATCH", $"{so.Op} needs the same number of columns on both sides, got {ls.Columns.Count} and {rs.Columns.Count}");
                var types = ls.Columns.Zip(rs.Columns, (a, b) => ConditionalFunctions.Common([a.Type, b.Type])
                    ?? throw Error(so.At, "QL-SET-MISMATCH", $"{so.Op}: column '{a.Name}' is {SqlTypeName.Of(a.Type)} on the left but {SqlTypeName.Of(b.Type)} on the right")).ToList();
                lp = CastColumns(lp, ls, types);
                rp = CastColumns(rp, rs, types);
                var scope = new Scope(ls.Columns.Select((c, i) => new ScopeColumn(null, c.Name, types[i])).ToList());
                LogicalPlan plan = new SetOperationNode(lp, rp, so.Op, so.All);
                return ApplyOrderBy(plan, scope, orderBy, null);
            default:
                throw Error(body.At, "QL-UNSUPPORTED", $"{body.GetType().Name} is not supported");
        }
    }

    private static LogicalPlan CastColumns(LogicalPlan plan, Scope scope, IReadOnlyList<DataType> types)
    {
        if (scope.Columns.Select(c => c.Type).SequenceEqual(types)) return plan;
        var exprs = scope.Columns.Select((c, i) => CastTo(new ColumnRef(i, c.Name, c.Type), types[i])).ToList();
        return new ProjectNode(plan, exprs, plan.Schema.Fields.Select(f => f.Name).ToList());
    }

    private (LogicalPlan, Scope) BindValues(ValuesBody v)
    {
        var rows = v.Rows.Select(r => r.Select(e => BindExpr(e, Scope.Empty)).ToList()).ToList();
        int width = rows[0].Count;
        if (rows.Any(r => r.Count != width)) throw Error(v.At, "QL-VALUES-WIDTH", "every VALUES row must have the same number of values");
        var types = Enumerable.Range(0, width).Select(c => ConditionalFunctions.Common(rows.Select(r => r[c].Type).ToList())
            ?? throw Error(v.At, "QL-VALUES-TYPE", $"VALUES column {c + 1} mixes incompatible types")).ToList();
        var typed = rows.Select(r => (IReadOnlyList<BoundExpr>)r.Select((e, c) => CastTo(e, types[c])).ToList()).ToList();
        var names = Enumerable.Range(0, width).Select(i => $"col{i}").ToList();
        var schema = new Schema(names.Select((n, i) => new Field(n, types[i])).ToList());
        return (new ValuesNode(schema, typed), new Scope(names.Select((n, i) => new ScopeColumn(null, n, types[i])).ToList()));
    }

    // ------------------------------------------------------------------ FROM

    /// <summary>Binds a relation on its own (the FROM of UPDATE … FROM).</summary>
    internal (LogicalPlan Plan, Scope Scope) BindSource(Relation r) => BindRelation(r);

    private (LogicalPlan, Scope) BindRelation(Relation r)
    {
        var (plan, scope) = BindRelationCore(r);
        var sample = r switch { DatasetRelation d => d.Sample, FileRelation f => f.Sample, SubqueryRelation s => s.Sample, SampledRelation s => s.Sample, _ => null };
        return sample is null ? (plan, scope) : (BindSample(plan, scope, sample), scope);
    }

    /// <summary>A sampling clause over a relation: constant amount and seed, key and weight bound in the relation.</summary>
    private SampleNode BindSample(LogicalPlan plan, Scope scope, SampleSpec s)
    {
        double amount = BindExpr(s.Amount, Scope.Empty) is Literal { Value: { } v } && v is long or double or int
            ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)
            : throw Error(s.Amount.At, "QL-BAD-ARGUMENT", "the sample size must be a constant number");
        if (s.Method == "ROWS")
        {
            if (amount < 0 || amount != Math.Floor(amount)) throw Error(s.Amount.At, "QL-BAD-ARGUMENT", $"SAMPLE n ROWS needs a whole number of rows, not {amount}");
        }
        else if (amount is < 0 or > 100 || double.IsNaN(amount))
            throw Error(s.Amount.At, "QL-BAD-ARGUMENT", $"a sample percentage must lie between 0 and 100, not {amount}");
        var key = s.Key is null ? null : BindExpr(s.Key, scope);
        var weight = s.Weight is null ? null : BindExpr(s.Weight, scope);
        if (weight is not null && !weight.Type.IsNumeric)
            throw Error(s.Weight!.At, "QL-TYPE-MISMATCH", $"WEIGHTED BY needs a number, not {SqlTypeName.Of(weight.Type)}");
        if (weight is not null && key is not null)
            throw Error(s.At, "QL-UNSUPPORTED", "SAMPLE … PER and WEIGHTED BY cannot be combined yet");
        // Without a seed the sample is random; with one it is the same on every run and machine.
        return new SampleNode(plan, s.Method, amount, s.Seed ?? Random.Shared.NextInt64(), key, weight, s.WithReplacement);
    }

    private (LogicalPlan, Scope) BindRelationCore(Relation r)
    {
        switch (r)
        {
            case SampledRelation s:
                return BindRelation(s.Inner);
            case DatasetRelation d:
                if (d.Version is null && _ctes.Select(c => c.TryGetValue(d.Name, out var found) ? found : default).FirstOrDefault(x => x.Plan is not null) is { Plan: not null } cte)
                    return (cte.Plan, cte.Scope.WithTable(d.Alias ?? d.Name));
                var source = catalog.Dataset(d);
                return Scan(source, d.Alias ?? d.Name, d.ColumnAliases, d.At);
            case FileRelation f:
                return Scan(catalog.File(f.Path, f.At), f.Alias ?? Path.GetFileNameWithoutExtension(f.Path), [], f.At);
            case TableFunctionRelation t:
                var args = t.Args.Select(a => BindExpr(a, Scope.Empty) is Literal l ? l.Value : throw Error(a.At, "QL-BAD-ARGUMENT", $"arguments of {t.Name} must be constants")).ToList();
                return Scan(catalog.TableFunction(t, args), t.Alias ?? t.Name, t.ColumnAliases, t.At);
            case SubqueryRelation s:
                var (p, sc) = BindQuery(s.Query);
                if (s.ColumnAliases.Count > 0) (p, sc) = RenameColumns(p, sc, s.ColumnAliases, s.At);
                return (p, sc.WithTable(s.Alias));
            case JoinRelation j:
                return BindJoin(j);
            default:
                throw Error(r.At, "QL-UNSUPPORTED", $"{r.GetType().Name} is not supported");
        }
    }

    private static (LogicalPlan, Scope) Scan(ITableSource source, string alias, IReadOnlyList<string> columnAliases, SourceSpan at)
    {
        var columns = source.Schema.Fields.Select(f => f.Name).ToList();
        LogicalPlan plan = new ScanNode(source, columns);
        var scope = new Scope(source.Schema.Fields.Select(f => new ScopeColumn(alias, f.Name, f.DataType)).ToList());
        if (columnAliases.Count > 0) (plan, scope) = RenameColumns(plan, scope, columnAliases, at);
        return (plan, scope.WithTable(alias));
    }

    private (LogicalPlan, Scope) BindJoin(JoinRelation j)
    {
        var (lp, ls) = BindRelation(j.Left);
        var (rp, rs) = BindRelation(j.Right);
        var kind = j.Kind switch
        {
            "LEFT" => JoinKind.Left, "RIGHT" => JoinKind.Right, "FULL" => JoinKind.Full, "SEMI" => JoinKind.Semi,
            "ANTI" => JoinKind.Anti, "CROSS" => JoinKind.Cross, _ => JoinKind.Inner,
        };
        var both = ls.Concat(rs);
        BoundExpr? condition = null;
        var usingColumns = j.Natural
            ? ls.Columns.Select(c => c.Name).Where(n => rs.Columns.Any(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase))).ToList()
            : j.Using.ToList();
        if (j.On is not null)
        {
            condition = BindExpr(j.On, both);
            RequireBoolean(condition, j.On.At, "a join condition");
        }
        foreach (var name in usingColumns)
        {
            int li = ls.Resolve(new ColumnExpr(j.At, [name]));
            int ri = rs.Resolve(new ColumnExpr(j.At, [name]));
            var eq = BindCall("=", [new ColumnRef(li, name, ls.Columns[li].Type), new ColumnRef(ls.Columns.Count + ri, name, rs.Columns[ri].Type)], j.At);
            condition = condition is null ? eq : ExpressionRewriter.And(condition, eq);
        }
        var plan = new JoinNode(lp, rp, kind, condition);
        if (kind is JoinKind.Semi or JoinKind.Anti) return (plan, ls);
        // Columns named in USING appear once in SELECT *.
        var right = rs.Columns.Select(c => usingColumns.Contains(c.Name, StringComparer.OrdinalIgnoreCase) ? c with { HiddenFromStar = true } : c);
        return (plan, new Scope(ls.Columns.Concat(right).ToList()));
    }

    // ------------------------------------------------------------------ ORDER BY (outside SELECT)

    private (LogicalPlan, Scope) ApplyOrderBy(LogicalPlan plan, Scope scope, IReadOnlyList<SortItem> orderBy, Func<Expr, BoundExpr?>? fallback)
    {
        if (orderBy.Count == 0) return (plan, scope);
        var keys = orderBy.Select(o => new SortKey(BindOrderKey(o.Expr, scope), o.Descending, o.NullsFirst ?? o.Descending is false ? false : true)).ToList();
        return (new SortNode(plan, FixNulls(keys, orderBy)), scope);
    }

    /// <summary>DuckDB's default: NULLS LAST for both ASC and DESC.</summary>
    private static List<SortKey> FixNulls(List<SortKey> keys, IReadOnlyList<SortItem> items) =>
        keys.Select((k, i) => k with { NullsFirst = items[i].NullsFirst ?? false }).ToList();

    private BoundExpr BindOrderKey(Expr e, Scope outputScope)
    {
        if (e is LiteralExpr { Value: long ordinal })
        {
            if (ordinal < 1 || ordinal > outputScope.Columns.Count)
                throw Error(e.At, "QL-BAD-ORDINAL", $"ORDER BY position {ordinal} is not in the select list (1..{outputScope.Columns.Count})");
            var c = outputScope.Columns[(int)ordinal - 1];
            return new ColumnRef((int)ordinal - 1, c.Name, c.Type);
        }
        return BindExpr(e, outputScope);
    }

    private static void RequireBoolean(BoundExpr e, SourceSpan at, string what)
    {
        if (e.Type.Id is not (TypeId.Boolean or TypeId.Null))
            throw Error(at, "QL-TYPE-MISMATCH", $"{what} must be boolean, but this expression is {SqlTypeName.Of(e.Type)}");
    }

    /// <summary><paramref name="e"/> as type <paramref name="t"/> (an implicit cast, where needed); <paramref name="at"/>
    /// is where the expression that needs it was written, for values that do not convert.</summary>
    internal static BoundExpr CastTo(BoundExpr e, DataType t, ErrorSite at = default)
    {
        if (e.Type.Equals(t)) return e;
        if (e is Literal { Value: null }) return new Literal(null, t);
        return new Cast(e, t, false) { At = at };
    }

    /// <summary>Replaces any remaining untyped NULL by an int32 NULL, as DuckDB types a bare NULL.</summary>
    internal static BoundExpr Concrete(BoundExpr e) => e.Type is NullType ? new Literal(null, DataType.Int32) : e;
}
