using QueryLake.Columnar.Types;
using QueryLake.Functions;
using QueryLake.Functions.Scalar;
using QueryLake.Language.Ast;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Language.Binding;

internal sealed partial class Binder
{
    /// <summary>Binds an expression over <paramref name="scope"/>; <paramref name="child"/> binds sub-expressions
    /// (by default this same method), which lets aggregation re-route group keys and aggregates.</summary>
    public BoundExpr BindExpr(Expr e, Scope scope, Func<Expr, BoundExpr>? child = null)
    {
        child ??= x => BindExpr(x, scope);
        switch (e)
        {
            case LiteralExpr l:
                return l.Value switch
                {
                    null => new Literal(null, NullType.Instance),
                    long v => new Literal(v, DataType.Int64),
                    double d => new Literal(d, DataType.Float64),
                    bool b => new Literal(b, DataType.Boolean),
                    string s => new Literal(s, DataType.Utf8),
                    byte[] bytes => new Literal(bytes, DataType.Binary),
                    _ => throw Error(l.At, "QL-UNSUPPORTED", $"literal {l.Value}"),
                };
            case ColumnExpr { Parts.Count: 1 } c when _selectAliases is { } aliases && aliases.TryGetValue(c.Parts[0], out var aliased)
                                                    && !scope.Columns.Any(x => string.Equals(x.Name, c.Parts[0], StringComparison.OrdinalIgnoreCase)):
            {
                // A select alias (in QUALIFY): bound as the expression it names, which may not name itself.
                _selectAliases = aliases.Where(a => !string.Equals(a.Key, c.Parts[0], StringComparison.OrdinalIgnoreCase)).ToDictionary(StringComparer.OrdinalIgnoreCase);
                try { return child(aliased); }
                finally { _selectAliases = aliases; }
            }
            case ColumnExpr { Parts.Count: > 1 } c when StructPath(c, scope) is { } field:
                return field;
            case ColumnExpr c:
            {
                int index;
                try
                {
                    index = scope.Resolve(c);
                }
                catch (SqlException notHere) when (notHere.Code is "QL-COLUMN-NOT-FOUND" or "QL-TABLE-NOT-FOUND" && _lambdas.Count > 0)
                {
                    // Not the lambda's parameter: a value of the row, captured from the enclosing expression.
                    var frame = _lambdas.Peek();
                    string key = c.ToString();
                    int slot = frame.Keys.IndexOf(key);
                    if (slot < 0)
                    {
                        _lambdas.Pop();
                        try { frame.Captures.Add(frame.Outer(c)); }
                        catch (SqlException) { throw notHere; }
                        finally { _lambdas.Push(frame); }
                        frame.Keys.Add(key);
                        slot = frame.Keys.Count - 1;
                    }
                    var captured = frame.Captures[slot];
                    return new ColumnRef(1 + slot, c.Name, captured.Type);
                }
                catch (SqlException notHere) when (notHere.Code is "QL-COLUMN-NOT-FOUND" or "QL-TABLE-NOT-FOUND" && _correlations.Count > 0)
                {
                    // Not here: maybe a column of the enclosing query (a correlated subquery).
                    var corr = _correlations.Peek();
                    int outer;
                    try { outer = corr.Outer.Resolve(c); }
                    catch (SqlException) { throw notHere; }
                    int slot = corr.Args.FindIndex(a => a.Index == outer);
                    if (slot < 0)
                    {
                        slot = corr.Args.Count;
                        corr.Args.Add(new ColumnRef(outer, corr.Outer.Columns[outer].Name, corr.Outer.Columns[outer].Type));
                    }
                    return new OuterRef(slot, corr.Outer.Columns[outer].Name, corr.Outer.Columns[outer].Type);
                }
                return new ColumnRef(index, scope.Columns[index].Name, scope.Columns[index].Type);
            }
            case ParameterExpr p:
                object? value;
                if (p.Name is null)
                {
                    if (p.Position >= positional.Count) throw Error(p.At, "QL-MISSING-PARAMETER", $"positional parameter {p.Position + 1} has no value");
                    value = positional[p.Position];
                }
                else if (!parameters.TryGetValue(p.Name, out value))
                    throw Error(p.At, "QL-MISSING-PARAMETER", $"parameter '{p.Name}' has no value" + Scope.Suggest(p.Name, parameters.Keys));
                return ParameterLiteral(value, p.At);
            case UnaryExpr u:
                var operand = child(u.Operand);
                return u.Op switch
                {
                    "-" => operand is Literal { Value: long v } && v != long.MinValue ? new Literal(-v, DataType.Int64)
                         : operand is Literal { Value: double d } ? new Literal(-d, DataType.Float64)
                         : BindCall("negate", [operand], u.At),
                    "+" => operand,
                    _ => BindCall("NOT", [operand], u.At),
                };
            case BinaryExpr b:
                return BindCall(b.Op, [child(b.Left), child(b.Right)], b.At);
            case IsNullExpr n:
                return BindCall(n.Negated ? "IS NOT NULL" : "IS NULL", [child(n.Value)], n.At);
            case BetweenExpr bt:
            {
                var v = child(bt.Value);
                var range = ExpressionRewriter.And(BindCall(">=", [v, child(bt.Low)], bt.At), BindCall("<=", [v, child(bt.High)], bt.At));
                return bt.Negated ? BindCall("NOT", [range], bt.At) : range;
            }
            case InListExpr il:
            {
                var v = child(il.Value);
                if (SetMembership.Suits(v, il.List.Count))
                {
                    var items = il.List.Select(child).ToList();
                    if (items.All(x => x is Literal) && InSet(v, items.Select(x => ((Literal)x).Value).ToList(), items.Select(x => x.Type).ToList(), il.At) is { } set)
                        return il.Negated ? BindCall("NOT", [set], il.At) : set;
                }
                BoundExpr? any = null;
                foreach (var item in il.List)
                {
                    var eq = BindCall("=", [v, child(item)], il.At);
                    any = any is null ? eq : BindCall("OR", [any, eq], il.At);
                }
                return il.Negated ? BindCall("NOT", [any!], il.At) : any!;
            }
            case LikeExpr lk:
            {
                var likeArgs = new List<BoundExpr> { child(lk.Value), child(lk.Pattern) };
                if (lk.Escape is not null) likeArgs.Add(child(lk.Escape));
                var like = BindCall(lk.CaseInsensitive ? "ILIKE" : "LIKE", likeArgs, lk.At);
                return lk.Negated ? BindCall("NOT", [like], lk.At) : like;
            }
            case CaseExpr ce:
            {
                var operandValue = ce.Operand is null ? null : child(ce.Operand);
                var branches = ce.Whens.Select(w => (When: operandValue is null ? child(w.When) : BindCall("=", [operandValue, child(w.When)], w.When.At), Then: child(w.Then))).ToList();
                foreach (var (when, _) in branches) RequireBoolean(when, ce.At, "a WHEN condition");
                var otherwise = ce.Else is null ? null : child(ce.Else);
                var type = ConditionalFunctions.Common(branches.Select(b => b.Then.Type).Concat(otherwise is null ? [] : [otherwise.Type]).ToList())
                    ?? throw Error(ce.At, "QL-TYPE-MISMATCH", $"CASE branches have incompatible types: {string.Join(", ", branches.Select(b => SqlTypeName.Of(b.Then.Type)).Concat(otherwise is null ? [] : [SqlTypeName.Of(otherwise.Type)]))}");
                return new CaseWhen(branches.Select(b => (b.When, CastTo(b.Then, type))).ToList(), otherwise is null ? null : CastTo(otherwise, type), type);
            }
            case CastExpr cx:
            {
                var target = TypeNames.Resolve(cx.Type);
                // A number written in the query converts to DECIMAL from its digits, exactly (1.005 is not 1.00499…).
                if (target is DecimalType dt && NumberText(cx.Value) is { } digits)
                {
                    try { return new Literal(DecimalMath.ToObject(DecimalMath.Parse(digits, dt)!.Value, dt.Scale), dt); }
                    catch (Errors.QueryLakeException bad) when (!cx.Try) { throw Error(cx.At, "QL-CAST", $"cannot cast {digits} to {SqlTypeName.Of(target)}: {bad.Message}"); }
                    catch (Errors.QueryLakeException) { return new Literal(null, target); }
                }
                var v = child(cx.Value);
                if (v is Literal { Value: null }) return new Literal(null, target);
                if (!Kernels.CastKernel.CanCast(v.Type, target)) throw Error(cx.At, "QL-BAD-CAST", $"cannot cast {SqlTypeName.Of(v.Type)} to {SqlTypeName.Of(target)}");
                return v.Type.Equals(target) ? v : new Cast(v, target, cx.Try) { At = new(cx.At.Line, cx.At.Column) };
            }
            case SubscriptExpr sub:
                return BindSubscript(sub, child);
            case ListExpr list:
                return BindCall("list_value", list.Items.Select(child).ToList(), list.At);
            case ExtractExpr x:
                return BindCall("date_part", [new Literal(x.Field, DataType.Utf8), child(x.Value)], x.At);
            case FunctionExpr f:
                return BindFunction(f, child);
            case SubqueryExpr sq:
            {
                var (plan, args) = BindSubquery(sq.Query, scope);
                if (plan.Schema.Fields.Count != 1) throw Error(sq.At, "QL-SUBQUERY-WIDTH", $"a scalar subquery must return one column, this one returns {plan.Schema.Fields.Count}");
                if (args.Count > 0) return new CorrelatedSubquery(plan, SubqueryKind.Scalar, args, null, plan.Schema.Fields[0].DataType);
                if (plan.Schema.Fields.Count != 1) throw Error(sq.At, "QL-SUBQUERY-WIDTH", $"a scalar subquery must return one column, this one returns {plan.Schema.Fields.Count}");
                var rows = catalog.Execute(plan);
                if (rows.Count > 1) throw Error(sq.At, "QL-SUBQUERY-ROWS", $"a scalar subquery returned {rows.Count} rows; it must return at most one");
                return new Literal(rows.Count == 0 ? null : rows[0][0], plan.Schema.Fields[0].DataType);
            }
            case ExistsExpr ex:
            {
                var (plan, args) = BindSubquery(ex.Query, scope);
                if (args.Count > 0) return new CorrelatedSubquery(plan, SubqueryKind.Exists, args, null, DataType.Boolean);
                return new Literal(catalog.Execute(new LimitNode(plan, 1, 0)).Count > 0, DataType.Boolean);
            }
            case InSubqueryExpr ins:
            {
                var (plan, args) = BindSubquery(ins.Query, scope);
                if (plan.Schema.Fields.Count != 1) throw Error(ins.At, "QL-SUBQUERY-WIDTH", "IN (subquery) needs a subquery returning one column");
                var v = child(ins.Value);
                if (args.Count > 0)
                {
                    var common = ConditionalFunctions.Common([v.Type, plan.Schema.Fields[0].DataType])
                        ?? throw Error(ins.At, "QL-TYPE-MISMATCH", $"cannot compare {SqlTypeName.Of(v.Type)} with {SqlTypeName.Of(plan.Schema.Fields[0].DataType)} in IN (subquery)");
                    var inner = CastColumns(plan, new Scope([new ScopeColumn(null, plan.Schema.Fields[0].Name, plan.Schema.Fields[0].DataType)]), [common]);
                    BoundExpr test = new CorrelatedSubquery(Planning.Optimizer.LogicalOptimizer.Optimize(inner), SubqueryKind.In, args, CastTo(v, common), DataType.Boolean);
                    return ins.Negated ? BindCall("NOT", [test], ins.At) : test;
                }
                var type = plan.Schema.Fields[0].DataType;
                var values = catalog.Execute(plan).Select(r => r[0]).ToList();
                BoundExpr result;
                if (values.Count == 0) result = new Literal(false, DataType.Boolean);
                else if (SetMembership.Suits(v, values.Count) && InSet(v, values, [type], ins.At) is { } set) result = set;
                else
                {
                    BoundExpr? any = null;
                    foreach (var item in values.Distinct())
                    {
                        var eq = BindCall("=", [v, new Literal(item, item is null ? NullType.Instance : type)], ins.At);
                        any = any is null ? eq : BindCall("OR", [any, eq], ins.At);
                    }
                    result = any!;
                }
                return ins.Negated ? BindCall("NOT", [result], ins.At) : result;
            }
            case StructExpr st:
            {
                var dup = st.Names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                if (dup is not null) throw Error(st.At, "QL-DUPLICATE-COLUMN", $"struct field '{dup.Key}' appears more than once");
                return StructFunctions.Pack(st.Names, st.Values.Select(v => Concrete(child(v))).ToList());
            }
            case FieldAccessExpr fa:
            {
                var holder = child(fa.Value);
                return StructFunctions.Field(holder, fa.Field)
                    ?? throw Error(fa.At, "QL-COLUMN-NOT-FOUND", holder.Type.StorageType is StructType
                        ? $"the struct has no field '{fa.Field}'; its fields are {StructFunctions.FieldNames(holder.Type)}"
                        : $".{fa.Field} reads a struct field, but the value is {SqlTypeName.Of(holder.Type)}");
            }
            case IntervalExpr iv:
                return IntervalValue.TryParse(iv.Text, iv.Unit, out var problem) is { } interval
                    ? new Literal(interval, IntervalType.Instance)
                    : throw Error(iv.At, "QL-BAD-INTERVAL", problem!);
            case StarExpr st:
                throw Error(st.At, "QL-BAD-STAR", "* is only allowed in the select list and in count(*)");
            default:
                throw Error(e.At, "QL-UNSUPPORTED", $"{ExprNames.Print(e)} is not supported yet");
        }
    }

    /// <summary>x IN (constants) as a hash-set lookup, with x and the constants cast to their common type; null when
    /// they have none (the equalities then report the mismatch).</summary>
    private BoundExpr? InSet(BoundExpr v, IReadOnlyList<object?> values, IReadOnlyList<DataType> types, SourceSpan at)
    {
        var common = ConditionalFunctions.Common([v.Type, .. types]);
        if (common is null || common is NullType || !Kernels.CastKernel.CanCast(v.Type, common)) return null;
        var converted = new List<object?>(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            var type = types[Math.Min(i, types.Count - 1)];
            if (values[i] is null || type.Equals(common)) { converted.Add(values[i]); continue; }
            try { converted.Add(Kernels.CastKernel.Cast(Columnar.Builders.ArrayBuilder.Build(type, [values[i]]), common, false).GetValue(0)); }
            catch (Errors.QueryLakeException e) { throw Error(at, e.Code, e.Message); }
        }
        return SetMembership.Build(CastTo(v, common), converted, common);
    }

    /// <summary>Binds a subquery that may read columns of <paramref name="outer"/>; returns the optimized plan
    /// and the outer columns it reads (none: uncorrelated).</summary>
    private (LogicalPlan Plan, IReadOnlyList<BoundExpr> OuterArgs) BindSubquery(Query q, Scope outer)
    {
        var corr = new Correlation(outer);
        _correlations.Push(corr);
        try
        {
            var (plan, _) = BindQuery(q);
            return (corr.Args.Count > 0 ? Planning.Optimizer.LogicalOptimizer.Optimize(plan) : plan, corr.Args);
        }
        finally
        {
            _correlations.Pop();
        }
    }

    /// <summary>The digits of a number literal, with its sign (<c>-1.005</c>), or null for anything else.</summary>
    private static string? NumberText(Expr e) => e switch
    {
        LiteralExpr { Text: { } t } => t,
        LiteralExpr { Value: long v } => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
        UnaryExpr { Op: "-", Operand: var inner } when NumberText(inner) is { } t && !t.StartsWith('-') => "-" + t,
        _ => null,
    };

    /// <summary>A .NET decimal as a DECIMAL constant of its own digits and scale.</summary>
    private static Literal DecimalLiteral(decimal m)
    {
        int scale = m.Scale;
        int digits = Math.Abs(m).ToString(System.Globalization.CultureInfo.InvariantCulture).Count(char.IsAsciiDigit);
        return new Literal(m, new DecimalType(Math.Clamp(Math.Max(digits, scale), 1, 28), scale));
    }

    private static Literal ParameterLiteral(object? value, SourceSpan at) => value switch
    {
        null => new Literal(null, NullType.Instance),
        long or int or short or sbyte or byte or ushort or uint => new Literal(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), DataType.Int64),
        double or float => new Literal(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), DataType.Float64),
        decimal m => DecimalLiteral(m),
        bool b => new Literal(b, DataType.Boolean),
        string s => new Literal(s, DataType.Utf8),
        DateTime t => new Literal(t, DataType.Timestamp()),
        DateOnly d => new Literal(d, DataType.Date32),
        byte[] bytes => new Literal(bytes, DataType.Binary),
        Guid g => new Literal(g, UuidType.Instance),
        float[] v => new Literal(v, new EmbeddingType(Math.Max(1, v.Length))),
        _ => throw Error(at, "QL-BAD-PARAMETER", $"parameters of type {value.GetType().Name} are not supported"),
    };

    /// <summary>a.b (or t.a.b, a.b.c) where no table holds such a column: column a (or t.a) and then fields of its
    /// struct value. Null when the name is an ordinary column (or resolves to nothing this way).</summary>
    private static BoundExpr? StructPath(ColumnExpr c, Scope scope)
    {
        try
        {
            scope.Resolve(c);
            return null;
        }
        catch (SqlException e) when (e.Code is "QL-COLUMN-NOT-FOUND" or "QL-TABLE-NOT-FOUND") { }
        for (int k = c.Parts.Count - 1; k >= 1; k--)
        {
            int index;
            try { index = scope.Resolve(new ColumnExpr(c.At, c.Parts.Take(k).ToList())); }
            catch (SqlException) { continue; }
            BoundExpr? value = new ColumnRef(index, scope.Columns[index].Name, scope.Columns[index].Type);
            for (int p = k; p < c.Parts.Count && value is not null; p++) value = StructFunctions.Field(value, c.Parts[p]);
            if (value is not null) return value;
        }
        return null;
    }

    private BoundExpr BindFunction(FunctionExpr f, Func<Expr, BoundExpr> child)
    {
        if (f.Name.Equals("struct_extract", StringComparison.OrdinalIgnoreCase))
        {
            if (f.Args.Count != 2 || child(f.Args[1]) is not Literal { Value: string name })
                throw Error(f.At, "QL-BAD-ARGUMENT", "struct_extract(s, 'field') takes a struct and a constant field name");
            var value = child(f.Args[0]);
            return StructFunctions.Field(value, name)
                ?? throw Error(f.At, "QL-COLUMN-NOT-FOUND", value.Type.StorageType is StructType
                    ? $"the struct has no field '{name}'; its fields are {StructFunctions.FieldNames(value.Type)}"
                    : $"struct_extract reads a struct, not {SqlTypeName.Of(value.Type)}");
        }
        if (f.Over is not null)
            return _windows is { } w ? w.Bind(this, f, child)
                : throw Error(f.At, "QL-WINDOW-CONTEXT", $"window function {f.Name}() … OVER is only allowed in the select list and ORDER BY");
        if (f.Name.ToLowerInvariant() is "try" or "try_error") return BindTry(f, child);
        if (f.Args.Any(a => a is LambdaExpr)) return BindLambdaCall(f, child);
        if (_functions.Scalar(f.Name) is null)
        {
            if (_functions.Aggregate(f.Name) is not null)
                throw Error(f.At, "QL-AGGREGATE-CONTEXT", $"aggregate {f.Name}() is not allowed here");
            if (f.Name.Equals("unnest", StringComparison.OrdinalIgnoreCase))
                throw Error(f.At, "QL-UNNEST-CONTEXT", "unnest(…) must be a whole item of the select list, as in SELECT id, unnest(tags) AS tag FROM …");
            // (@v1, @v2, …): a client (Dapper) expanded one list parameter into a parenthesised list of parameters.
            if (f.Name == "row" && f.Args.Count > 1 && f.Args.All(a => a is ParameterExpr { Name: not null }))
            {
                var names = f.Args.Select(a => ((ParameterExpr)a).Name!).ToList();
                var stem = names[0].TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
                throw Error(f.At, "QL-EXPANDED-PARAMETER",
                    $"the parameter @{stem} reached QueryLake as {names.Count} separate parameters (@{names[0]} … @{names[^1]}): the client " +
                    "expanded a list or array into one parameter per element, as Dapper does with every IEnumerable. Pass a vector as one " +
                    "value: a QueryLakeVector (new QueryLakeVector(floats)), or register a Dapper type handler for float[]");
            }
            throw Error(f.At, "QL-NO-FUNCTION", $"function {f.Name}() does not exist" + Scope.Suggest(f.Name, _functions.Names));
        }
        if (f.Star || f.Distinct) throw Error(f.At, "QL-BAD-ARGUMENT", $"{f.Name}() is not an aggregate: * and DISTINCT are not allowed");
        var args = f.Args.Select(child).ToList();
        var call = BindCall(f.Name, args, f.At);
        // round(DECIMAL(p, s), n) with a constant n is DECIMAL(p, n) in DuckDB: the rounded value narrows exactly.
        if (f.Name.Equals("round", StringComparison.OrdinalIgnoreCase) && call.Type is DecimalType d && args is [_, Literal { Value: long digits }])
            return CastTo(call, Functions.Scalar.DecimalArithmetic.RoundedType(d, digits));
        return call;
    }

    /// <summary>A lambda being bound: how to bind a name of the enclosing expression, and the values captured so far.</summary>
    private sealed record LambdaFrame(Func<Expr, BoundExpr> Outer, List<BoundExpr> Captures, List<string> Keys);

    private readonly Stack<LambdaFrame> _lambdas = new();

    /// <summary>list_filter(list, x -> condition) and list_transform(list, x -> expression) (aliases filter,
    /// list_apply, apply): the body sees its parameter, an element of the list, and any other name resolves in the
    /// enclosing expression as a value of the element's row (captured).</summary>
    private BoundExpr BindLambdaCall(FunctionExpr f, Func<Expr, BoundExpr> child)
    {
        string name = f.Name.ToLowerInvariant() switch
        {
            "list_filter" or "filter" => "list_filter",
            "list_transform" or "list_apply" or "apply" => "list_transform",
            _ => throw Error(f.At, "QL-NO-FUNCTION", $"{f.Name}() does not take a lambda; list_filter and list_transform do"),
        };
        if (f.Args is not [var listArg, LambdaExpr lambda])
            throw Error(f.At, "QL-ARITY", $"{name}(list, x -> …) takes a list and a lambda");
        var list = Concrete(child(listArg));
        if (Functions.Scalar.TensorFunctions.Item(list.Type) is not { } item)
            throw Error(listArg.At, "QL-TYPE-MISMATCH", $"{name}() needs a list, not {SqlTypeName.Of(list.Type)}");
        var scope = new Scope([new ScopeColumn(null, lambda.Param, item)]);
        var frame = new LambdaFrame(e => Concrete(child(e)), [], []);
        _lambdas.Push(frame);
        BoundExpr body;
        try { body = Concrete(BindExpr(lambda.Body, scope)); }
        finally { _lambdas.Pop(); }
        if (name == "list_filter") RequireBoolean(body, lambda.Body.At, "a list_filter lambda");
        return new ListLambda(name, list, lambda.Param, body, frame.Captures, name == "list_filter" ? DataType.List(item) : DataType.List(body.Type));
    }

    /// <summary>try(x) / try_error(x): x is bound without folding constants, so its errors happen per row.</summary>
    private BoundExpr BindTry(FunctionExpr f, Func<Expr, BoundExpr> child)
    {
        if (f.Args.Count != 1 || f.Star || f.Distinct) throw Error(f.At, "QL-ARITY", $"{f.Name}() takes one expression");
        _noFold++;
        try
        {
            var value = Concrete(child(f.Args[0]));
            bool errorText = f.Name.Equals("try_error", StringComparison.OrdinalIgnoreCase);
            return new TryEval(value, errorText, errorText ? DataType.Utf8 : value.Type);
        }
        finally { _noFold--; }
    }

    /// <summary>Resolves a function for its argument types, inserting the implicit casts it asks for.</summary>
    /// <summary>x[…]: NumPy-style indexing of a TENSOR by constant entries (0-based, one per dimension), or
    /// list_extract / list_slice on a list (1-based, inclusive, as in DuckDB).</summary>
    private BoundExpr BindSubscript(SubscriptExpr sub, Func<Expr, BoundExpr> child)
    {
        var value = child(sub.Value);
        if (value.Type.StorageType is StructType && value.Type is not TensorType)
        {
            // s['field']: the name must be a constant string.
            if (sub.Indexes is not [{ IsSlice: false, Index: { } ix }] || child(ix) is not Literal { Value: string name })
                throw Error(sub.At, "QL-BAD-INDEX", "a struct is indexed by one constant field name: s['field']");
            return StructFunctions.Field(value, name)
                ?? throw Error(sub.At, "QL-COLUMN-NOT-FOUND", $"the struct has no field '{name}'; its fields are {StructFunctions.FieldNames(value.Type)}");
        }
        if (value.Type is TensorType tensor)
        {
            long? Const(Expr? e) => e is null ? null : child(e) is Literal { Value: long v } ? v
                : throw Error(e.At, "QL-BAD-INDEX", "tensor indexes must be integer constants");
            var entries = sub.Indexes.Select(ix => ix.IsSlice
                ? new TensorFunctions.Entry(null, Const(ix.From), Const(ix.To), Const(ix.Step), true)
                : new TensorFunctions.Entry(Const(ix.Index), null, null, null, false)).ToList();
            DataType result;
            ScalarKernel kernel;
            try { (result, kernel) = TensorFunctions.Index(tensor, entries); }
            catch (Errors.QueryLakeException e) { throw Error(sub.At, e.Code, e.Message); }
            var take = new ScalarFunction("tensor_index", "tensor[i, a:b:s, …]", "NumPy-style tensor indexing.", "", _ => null);
            return new Call(take, [value], kernel, result) { At = new ErrorSite(sub.At.Line, sub.At.Column) };
        }
        if (TensorFunctions.Item(value.Type) is null)
            throw Error(sub.At, "QL-TYPE-MISMATCH", $"{SqlTypeName.Of(value.Type)} cannot be indexed: [] applies to lists, embeddings and tensors");
        if (sub.Indexes.Count != 1)
            throw Error(sub.At, "QL-BAD-INDEX", "a list takes one index or slice; a TENSOR takes one per dimension");
        var only = sub.Indexes[0];
        if (!only.IsSlice) return BindCall("list_extract", [value, child(only.Index!)], sub.At);
        BoundExpr Bound(Expr? e) => e is null ? new Literal(null, NullType.Instance) : child(e);
        return BindCall("list_slice", only.Step is null ? [value, Bound(only.From), Bound(only.To)] : [value, Bound(only.From), Bound(only.To), Bound(only.Step)], sub.At);
    }

    public BoundExpr BindCall(string name, IReadOnlyList<BoundExpr> args, SourceSpan at)
    {
        var function = _functions.Scalar(name) ?? throw Error(at, "QL-NO-FUNCTION", $"function {name}() does not exist");
        var site = new ErrorSite(at.Line, at.Column);
        if (function.IsOperator && function.Name is not ("||" or "LIKE" or "ILIKE")) args = CoerceStringLiterals(args, site);
        var resolution = function.ResolveWithConstants is null ? function.Resolve(args.Select(a => a.Type).ToList())
            : function.Resolve(args.Select(a => a.Type).ToList(), args.Select(ConstantValue).ToList());
        if (resolution is null)
        {
            string types = string.Join(", ", args.Select(a => SqlTypeName.Of(a.Type)));
            throw Error(at, "QL-NO-FUNCTION", function.IsOperator
                ? $"operator {name} cannot be applied to ({types}); add an explicit CAST"
                : $"no overload of {name}({types}); {name} takes {function.Signature}");
        }
        args = resolution.ArgumentTypes is { } want
            ? args.Select((a, i) => CastTo(a, want[i] is NullType ? DataType.Int32 : want[i], site)).ToList()
            : args.Select(Concrete).ToList();
        var call = new Call(function, args, resolution.Kernel, resolution.Result) { Selected = resolution.Selected, Top = resolution.Top, At = site };
        return _noFold > 0 ? call : (BoundExpr?)Planning.Optimizer.ConstantFolder.TryFold(call) ?? call;
    }

    /// <summary>The value of an argument that is a constant (a literal, or an expression of literals such as a struct
    /// literal), for functions that resolve by their constant arguments; null for the others.</summary>
    private static Constant? ConstantValue(BoundExpr arg)
    {
        if (arg is Literal l) return new Constant(l.Value);
        try { return Planning.Optimizer.ConstantFolder.TryFold(arg) is { } folded ? new Constant(folded.Value) : null; }
        catch (Errors.QueryLakeException) { return null; }
    }

    /// <summary>A string literal next to a UUID, date, timestamp, number or boolean takes that type in a comparison or
    /// arithmetic, as in DuckDB (<c>d &gt;= '2026-01-01'</c>); <c>'k' || 1</c> and LIKE keep their text.</summary>
    private static IReadOnlyList<BoundExpr> CoerceStringLiterals(IReadOnlyList<BoundExpr> args, ErrorSite at)
    {
        if (args.Count != 2) return args;
        BoundExpr Fix(BoundExpr lit, BoundExpr other) =>
            lit is Literal { Value: string } && other.Type is UuidType ? new Cast(lit, UuidType.Instance, false) { At = at } :
            lit is Literal { Value: string } && TypeRules.Logical(other.Type) is var t && t.Id is TypeId.Date32 or TypeId.Timestamp or TypeId.Boolean || (lit is Literal { Value: string } && (other.Type.IsNumeric || TypeRules.Logical(other.Type) is DecimalType))
                ? new Cast(lit, TypeRules.Logical(other.Type), false) { At = at }
                : lit;
        return [Fix(args[0], args[1]), Fix(args[1], args[0])];
    }
}
