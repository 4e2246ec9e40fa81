using QueryLake.Columnar.Types;
using QueryLake.Columnar;
using QueryLake.Functions;
using QueryLake.Language.Ast;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Language.Binding;

internal sealed partial class Binder
{
    /// <summary>The aggregation being bound: group keys (bound over the input) and the aggregate calls found so far.</summary>
    private sealed class Aggregation(Scope input, List<BoundExpr> groups)
    {
        public Scope Input { get; } = input;
        public List<BoundExpr> Groups { get; } = groups;
        public List<string> GroupKeys { get; } = groups.Select(g => g.ToString()!).ToList();
        public List<AggregateCall> Calls { get; } = [];

        /// <summary>With GROUPING SETS, ROLLUP or CUBE: the position of the hidden group key that holds each row's
        /// grouping bitmask (bit set for every key the row's grouping set leaves out, the first key highest).</summary>
        public int? GroupingId { get; init; }
        public Dictionary<string, int> CallIndex { get; } = [];
    }

    private bool IsAggregate(FunctionExpr f) => f.Over is null && _functions.Aggregate(f.Name) is not null && _functions.Scalar(f.Name) is null;

    private bool ContainsAggregate(Expr e) => e switch
    {
        FunctionExpr f when IsAggregate(f) => true,
        FunctionExpr f => f.Args.Any(ContainsAggregate),
        UnaryExpr u => ContainsAggregate(u.Operand),
        BinaryExpr b => ContainsAggregate(b.Left) || ContainsAggregate(b.Right),
        IsNullExpr n => ContainsAggregate(n.Value),
        BetweenExpr b => ContainsAggregate(b.Value) || ContainsAggregate(b.Low) || ContainsAggregate(b.High),
        InListExpr i => ContainsAggregate(i.Value) || i.List.Any(ContainsAggregate),
        LikeExpr l => ContainsAggregate(l.Value) || ContainsAggregate(l.Pattern),
        CaseExpr c => (c.Operand is not null && ContainsAggregate(c.Operand)) || c.Whens.Any(w => ContainsAggregate(w.When) || ContainsAggregate(w.Then)) || (c.Else is not null && ContainsAggregate(c.Else)),
        CastExpr c => ContainsAggregate(c.Value),
        ExtractExpr x => ContainsAggregate(x.Value),
        // list(x)[1], agg(…).field, [min(x), max(x)], {'lo': min(x)}: an aggregate inside an index, a field access or a
        // list or struct literal makes the query an aggregation too.
        SubscriptExpr x => ContainsAggregate(x.Value) || x.Indexes.Any(i => new[] { i.Index, i.From, i.To, i.Step }.Any(e => e is not null && ContainsAggregate(e))),
        FieldAccessExpr f => ContainsAggregate(f.Value),
        ListExpr l => l.Items.Any(ContainsAggregate),
        StructExpr st => st.Values.Any(ContainsAggregate),
        _ => false,
    };

    private (LogicalPlan, Scope) BindSelect(SelectBody s, IReadOnlyList<SortItem> orderBy)
    {
        // Subqueries bind their own SELECTs; the enclosing one's window calls are restored at the end.
        var enclosingWindows = _windows;
        _windows = null;
        // FROM
        LogicalPlan plan;
        Scope scope;
        if (s.From.Count == 0)
        {
            plan = new ValuesNode(new Schema([]), [[]]);
            scope = Scope.Empty;
        }
        else
        {
            (plan, scope) = BindRelation(s.From[0]);
            foreach (var r in s.From.Skip(1))
            {
                var (rp, rs) = BindRelation(r);
                plan = new JoinNode(plan, rp, JoinKind.Cross, null);
                scope = scope.Concat(rs);
            }
        }

        // WHERE
        if (s.Where is not null)
        {
            if (ContainsAggregate(s.Where)) throw Error(s.Where.At, "QL-AGGREGATE-IN-WHERE", "aggregates are not allowed in WHERE; use HAVING");
            var predicate = BindExpr(s.Where, scope);
            RequireBoolean(predicate, s.Where.At, "WHERE");
            plan = new FilterNode(plan, predicate);
        }

        // Select list, with * expanded.
        var items = new List<(Expr Expr, string Name)>();
        foreach (var item in s.Items)
        {
            if (item.Expr is StarExpr star)
            {
                var cols = scope.Columns.Select((c, i) => (c, i)).Where(x => !x.c.HiddenFromStar &&
                    (star.Qualifier is null || string.Equals(x.c.Table, star.Qualifier, StringComparison.OrdinalIgnoreCase)) &&
                    !star.Excluded.Contains(x.c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
                if (cols.Count == 0 && star.Qualifier is not null)
                    throw Error(star.At, "QL-TABLE-NOT-FOUND", $"no table or alias named '{star.Qualifier}' in FROM" + Scope.Suggest(star.Qualifier, scope.Columns.Select(c => c.Table).OfType<string>()));
                foreach (var (c, _) in cols) items.Add((new ColumnExpr(star.At, c.Table is null ? [c.Name] : [c.Table, c.Name]), c.Name));
            }
            else items.Add((item.Expr, item.Alias ?? ExprNames.Name(item.Expr)));
        }

        // unnest(list) as a whole select item: the item is its list, expanded into rows after the projection.
        int unnestAt = -1;
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].Expr is not FunctionExpr { Over: null } f || !string.Equals(f.Name, "unnest", StringComparison.OrdinalIgnoreCase)) continue;
            if (f.Args.Count != 1 || f.Star || f.Distinct) throw Error(f.At, "QL-BAD-ARGUMENT", "unnest takes exactly one list argument");
            if (unnestAt >= 0) throw Error(f.At, "QL-UNSUPPORTED", "only one unnest(…) per select list is supported");
            unnestAt = i;
            items[i] = (f.Args[0], items[i].Name);
        }

        bool aggregating = s.GroupBy.Count > 0 || s.GroupingSets is not null || s.GroupByAll || s.Having is not null || items.Any(i => ContainsAggregate(i.Expr))
                           || orderBy.Any(o => ContainsAggregate(o.Expr));
        Func<Expr, BoundExpr> bind = e => BindExpr(e, scope);
        Aggregation? agg = null;
        if (aggregating)
        {
            var groupExprs = s.GroupByAll ? items.Where(i => !ContainsAggregate(i.Expr)).Select(i => i.Expr).ToList() : s.GroupBy.ToList();
            // An untyped NULL key (SELECT NULL AS k … GROUP BY 1) groups as an INTEGER NULL, as in DuckDB.
            var groups = groupExprs.Select(g => Concrete(BindGroupKey(g, items, scope))).ToList();
            if (s.GroupingSets is not null)
            {
                if (groups.Count > 62) throw Error(s.At, "QL-BAD-ARGUMENT", "GROUPING SETS, ROLLUP and CUBE take at most 62 distinct keys");
                // The grouping bitmask rides as a last, hidden group key; its text matches no expression a user writes.
                groups.Add(new ColumnRef(-1, "#grouping", Columnar.Types.DataType.Int64));
            }
            agg = new Aggregation(scope, groups) { GroupingId = s.GroupingSets is null ? null : groups.Count - 1 };
            bind = e => BindAggregated(e, agg);
        }

        BoundExpr? having = null;
        if (s.Having is not null)
        {
            having = bind(s.Having);
            RequireBoolean(having, s.Having.At, "HAVING");
        }
        // Window functions are allowed from here on (select list, QUALIFY and ORDER BY); they compute after HAVING.
        _windows = new WindowCollector(s.Windows);
        var exprs = items.Select(i => Concrete(bind(i.Expr))).ToList();
        // QUALIFY filters on window results; a name that is not an input column may be a select alias there.
        BoundExpr? qualify = null;
        if (s.Qualify is not null)
        {
            var enclosingAliases = _selectAliases;
            _selectAliases = items.GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Expr, StringComparer.OrdinalIgnoreCase);
            try { qualify = bind(s.Qualify); }
            finally { _selectAliases = enclosingAliases; }
            RequireBoolean(qualify, s.Qualify.At, "QUALIFY");
        }

        // ORDER BY keys: an output alias or ordinal, or else an expression over the input (a hidden column).
        var names = UniqueNames(items.Select(i => i.Name));
        Columnar.Types.DataType? unnested = null;
        if (unnestAt >= 0)
        {
            unnested = Functions.Scalar.TensorFunctions.Item(exprs[unnestAt].Type)
                ?? throw Error(items[unnestAt].Expr.At, "QL-TYPE-MISMATCH", $"unnest needs a list, and this argument is {SqlTypeName.Of(exprs[unnestAt].Type)}");
        }
        var outputScope = new Scope(exprs.Select((e, i) => new ScopeColumn(null, names[i], i == unnestAt ? unnested! : e.Type)).ToList());
        var sortKeys = new List<SortKey>();
        var hidden = new List<BoundExpr>();
        foreach (var o in orderBy)
        {
            BoundExpr key;
            if (o.Expr is LiteralExpr { Value: long } ||
                (o.Expr is ColumnExpr { Parts.Count: 1 } c && items.Any(i => string.Equals(i.Name, c.Name, StringComparison.OrdinalIgnoreCase))))
                key = BindOrderKey(o.Expr, outputScope);
            else
            {
                var bound = bind(o.Expr);
                int existing = exprs.FindIndex(x => x.ToString() == bound.ToString());
                if (existing == unnestAt) existing = -1; // the list itself, not its unnested elements
                if (existing >= 0) key = new ColumnRef(existing, names[existing], bound.Type);
                else
                {
                    if (s.Distinct) throw Error(o.Expr.At, "QL-ORDER-BY-DISTINCT", "with SELECT DISTINCT, ORDER BY expressions must appear in the select list");
                    hidden.Add(bound);
                    key = new ColumnRef(exprs.Count + hidden.Count - 1, $"#sort{hidden.Count - 1}", bound.Type);
                }
            }
            sortKeys.Add(new SortKey(key, o.Descending, o.NullsFirst ?? false));
        }

        var windows = _windows;
        _windows = enclosingWindows;
        if (agg is not null)
        {
            var groupNames = UniqueNames(agg.Groups.Select((g, i) => $"#g{i}"));
            plan = s.GroupingSets is { } sets ? GroupingSetsPlan(plan, agg, groupNames, sets)
                : new AggregateNode(plan, agg.Groups, groupNames, agg.Calls);
            if (having is not null) plan = new FilterNode(plan, having);
        }
        if (windows.Calls.Count > 0)
        {
            // Window results were bound as placeholders -1, -2, …: they follow the input columns.
            int width = plan.Schema.Fields.Count;
            BoundExpr Place(BoundExpr e) => ExpressionRewriter.RemapColumns(e, i => i < 0 ? width + (-i - 1) : i);
            plan = new WindowNode(plan, windows.Calls);
            exprs = exprs.Select(Place).ToList();
            hidden = hidden.Select(Place).ToList();
            if (qualify is not null) plan = new FilterNode(plan, Place(qualify));
        }
        else if (qualify is not null) throw Error(s.Qualify!.At, "QL-QUALIFY-WITHOUT-WINDOW", "QUALIFY filters on window functions, and this query has none: use WHERE or HAVING");
        var allExprs = exprs.Concat(hidden).ToList();
        var allNames = names.Concat(hidden.Select((_, i) => $"#sort{i}")).ToList();
        plan = new ProjectNode(plan, allExprs, allNames);
        if (unnestAt >= 0) plan = new UnnestNode(plan, unnestAt);
        if (s.Distinct) plan = new DistinctNode(plan);
        if (sortKeys.Count > 0) plan = new SortNode(plan, sortKeys);
        if (hidden.Count > 0)
            plan = new ProjectNode(plan, exprs.Select((_, i) => (BoundExpr)new ColumnRef(i, names[i], plan.Schema.Fields[i].DataType)).ToList(), names);
        return (plan, outputScope);
    }

    /// <summary>GROUPING SETS as one aggregation per set, each giving NULL for the keys its set leaves out and its
    /// grouping bitmask, concatenated (UNION ALL) in the columns a single aggregation would have: keys, bitmask,
    /// aggregates. The input is read once per set.</summary>
    private static LogicalPlan GroupingSetsPlan(LogicalPlan input, Aggregation agg, IReadOnlyList<string> groupNames, IReadOnlyList<IReadOnlyList<int>> sets)
    {
        int keys = agg.Groups.Count - 1;
        var names = groupNames.Concat(agg.Calls.Select(c => c.Name)).ToList();
        LogicalPlan? union = null;
        foreach (var set in sets)
        {
            var branch = new AggregateNode(input, set.Select(k => agg.Groups[k]).ToList(), set.Select(k => groupNames[k]).ToList(), agg.Calls);
            var exprs = new List<BoundExpr>();
            long mask = 0;
            for (int k = 0; k < keys; k++)
            {
                int at = set.ToList().IndexOf(k);
                if (at < 0) mask |= 1L << (keys - 1 - k);
                exprs.Add(at >= 0 ? new ColumnRef(at, groupNames[k], agg.Groups[k].Type) : new Literal(null, agg.Groups[k].Type));
            }
            exprs.Add(new Literal(mask, Columnar.Types.DataType.Int64));
            for (int c = 0; c < agg.Calls.Count; c++) exprs.Add(new ColumnRef(set.Count + c, agg.Calls[c].Name, agg.Calls[c].Resolution.Result));
            LogicalPlan projected = new ProjectNode(branch, exprs, names);
            union = union is null ? projected : new SetOperationNode(union, projected, "UNION", true);
        }
        return union!;
    }

    /// <summary>grouping(k1, …): for each argument (a group key), 1 when the row's grouping set leaves it out, as bits
    /// with the first argument highest (0 for every key of a plain GROUP BY).</summary>
    private BoundExpr BindGrouping(FunctionExpr f, Aggregation agg)
    {
        if (f.Args.Count == 0) throw Error(f.At, "QL-BAD-ARGUMENT", "grouping() takes one or more GROUP BY keys");
        int keys = agg.GroupingId ?? agg.Groups.Count;
        var positions = f.Args.Select(a => agg.GroupKeys.IndexOf(BindExpr(a, agg.Input).ToString()!) is var k and >= 0 && k < keys ? k
            : throw Error(a.At, "QL-NOT-GROUPED", $"grouping() takes GROUP BY keys, and {ExprNames.Print(a)} is not one")).ToList();
        if (agg.GroupingId is not { } id) return new Literal(0L, Columnar.Types.DataType.Int64);
        BoundExpr gid = new ColumnRef(id, "#grouping", Columnar.Types.DataType.Int64);
        BoundExpr? result = null;
        for (int j = 0; j < positions.Count; j++)
        {
            var bit = BindCall("%", [BindCall("//", [gid, new Literal(1L << (keys - 1 - positions[j]), Columnar.Types.DataType.Int64)], f.At), new Literal(2L, Columnar.Types.DataType.Int64)], f.At);
            var weighted = BindCall("*", [bit, new Literal(1L << (positions.Count - 1 - j), Columnar.Types.DataType.Int64)], f.At);
            result = result is null ? weighted : BindCall("+", [result, weighted], f.At);
        }
        return result!;
    }

    /// <summary>A GROUP BY key: an expression over the input, a 1-based select-list position, or a select alias.</summary>
    private BoundExpr BindGroupKey(Expr g, List<(Expr Expr, string Name)> items, Scope scope)
    {
        if (g is LiteralExpr { Value: long pos })
        {
            if (pos < 1 || pos > items.Count) throw Error(g.At, "QL-BAD-ORDINAL", $"GROUP BY position {pos} is not in the select list (1..{items.Count})");
            g = items[(int)pos - 1].Expr;
        }
        else if (g is ColumnExpr { Parts.Count: 1 } c && !scope.Columns.Any(x => string.Equals(x.Name, c.Name, StringComparison.OrdinalIgnoreCase)))
        {
            var aliased = items.FirstOrDefault(i => string.Equals(i.Name, c.Name, StringComparison.OrdinalIgnoreCase));
            if (aliased.Expr is not null) g = aliased.Expr;
        }
        if (ContainsAggregate(g)) throw Error(g.At, "QL-AGGREGATE-IN-GROUP-BY", "GROUP BY cannot contain aggregates");
        return BindExpr(g, scope);
    }

    /// <summary>Binds an expression above an aggregation: group keys and aggregates become columns of its output.</summary>
    private BoundExpr BindAggregated(Expr e, Aggregation agg)
    {
        if (e is FunctionExpr { Over: null } gf && gf.Name.Equals("grouping", StringComparison.OrdinalIgnoreCase) && _functions.Scalar(gf.Name) is null)
            return BindGrouping(gf, agg);
        if (e is FunctionExpr f && IsAggregate(f)) return BindAggregateCall(f, agg);
        if (!ContainsAggregate(e))
        {
            BoundExpr? bound = null;
            try { bound = BindExpr(e, agg.Input); }
            catch (SqlException) when (e is not ColumnExpr) { }
            if (bound is CorrelatedSubquery q && q.Value is null)
            {
                // A correlated subquery above GROUP BY may read only group keys of the outer row.
                var args = q.OuterArgs.Select(a => agg.GroupKeys.IndexOf(a.ToString()!) is var k and >= 0
                    ? (BoundExpr)new ColumnRef(k, $"#g{k}", a.Type)
                    : throw Error(e.At, "QL-NOT-GROUPED", $"the subquery reads {a}, which must appear in GROUP BY")).ToList();
                return q with { OuterArgs = args };
            }
            if (bound is not null)
            {
                int g = agg.GroupKeys.IndexOf(bound.ToString()!);
                if (g >= 0) return new ColumnRef(g, $"#g{g}", bound.Type);
                if (!ExpressionRewriter.Columns(bound).Any()) return bound;
                // A field of a grouped struct (GROUP BY s … SELECT s.a): the parts that are group keys become the
                // group's columns; what reads no other input column is a function of the keys.
                bool ungrouped = false, grouped = false;
                var keyed = ExpressionRewriter.Rewrite(bound, x =>
                {
                    if (x is not Literal && agg.GroupKeys.IndexOf(x.ToString()!) is var k and >= 0) { grouped = true; return new ColumnRef(k, $"#g{k}", x.Type); }
                    if (x is ColumnRef) ungrouped = true;
                    return null;
                });
                if (e is ColumnExpr && grouped && !ungrouped) return keyed;
                if (e is ColumnExpr col)
                    throw Error(col.At, "QL-NOT-GROUPED", $"column '{col}' must appear in GROUP BY or be used in an aggregate function (e.g. any_value({col}))");
            }
        }
        return BindExpr(e, Scope.Empty, child => BindAggregated(child, agg));
    }

    private BoundExpr BindAggregateCall(FunctionExpr f, Aggregation agg)
    {
        var function = _functions.Aggregate(f.Name)!;
        if (f.Args.Any(ContainsAggregate)) throw Error(f.At, "QL-NESTED-AGGREGATE", $"aggregate {f.Name}() cannot contain another aggregate");
        var args = f.Star ? [] : f.Args.Select(a => BindExpr(a, agg.Input)).ToList();
        if (f.Filter is not null)
        {
            var filter = BindExpr(f.Filter, agg.Input);
            RequireBoolean(filter, f.Filter.At, "FILTER");
            // Rows the filter rejects reach the aggregate as NULL, which aggregates skip.
            if (args.Count == 0) args.Add(new Literal(1L, Columnar.Types.DataType.Int64));
            args[0] = new CaseWhen([(filter, args[0])], null, args[0].Type);
        }
        // DISTINCT applies to the first argument; the others (a separator, a quantile) must be constants.
        if (f.Distinct && (args.Count == 0 || args.Skip(1).Any(a => a is not Literal)))
            throw Error(f.At, "QL-BAD-ARGUMENT", $"{f.Name}(DISTINCT …) takes one argument that varies; the others must be constants");
        // An untyped NULL argument (max(NULL)) takes a type, as a scalar function's does.
        args = args.Select(Concrete).ToList();
        var resolution = function.Resolve(args.Select(a => a.Type).ToList())
            ?? throw Error(f.At, "QL-NO-FUNCTION", $"{f.Name}({string.Join(", ", args.Select(a => a.Type.ToString()))}) does not exist; {f.Name} takes {function.Signature}");
        if (resolution.InputTypes is { } want) args = args.Select((a, i) => i < want.Count ? CastTo(a, want[i]) : Concrete(a)).ToList();
        else args = args.Select(Concrete).ToList();
        var name = ExprNames.Name(f);
        // Calls that read alike are computed once; the argument types are part of the key, since a folded NULL of one
        // type prints like a NULL of another (min(CAST(NULL AS INTEGER)) and min(CAST(NULL AS REAL))).
        string key = $"{f.Name.ToLowerInvariant()}|{f.Distinct}|{string.Join(",", args.Select(a => $"{a}::{a.Type}"))}";
        if (!agg.CallIndex.TryGetValue(key, out int index))
        {
            index = agg.Calls.Count;
            agg.Calls.Add(new AggregateCall(function, args, f.Distinct, resolution, $"#a{index}"));
            agg.CallIndex[key] = index;
        }
        return new ColumnRef(agg.Groups.Count + index, name, resolution.Result);
    }
}
