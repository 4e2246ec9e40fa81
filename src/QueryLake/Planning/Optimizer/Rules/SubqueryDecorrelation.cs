using QueryLake.Functions;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Turns correlated <c>EXISTS</c>, <c>NOT EXISTS</c> and <c>IN (subquery)</c> conjuncts of a filter into semi and anti
/// joins, and correlated scalar subqueries over an aggregate (<c>x &lt; (SELECT 0.2 * avg(q) FROM l WHERE l.k = o.k)</c>)
/// into a left join with the aggregate grouped by the correlated keys. The subquery's predicates that read the outer row (through filters, scans, inner joins and projections that
/// pass the columns through) are pulled out of it and become the join condition, with each outer reference replaced
/// by the outer expression it stands for; <c>x IN (SELECT e …)</c> adds <c>x = e</c>. The subquery then runs once as
/// the join's build side instead of once per distinct outer row. A scalar subquery qualifies when its correlation is
/// equalities only; its aggregates give NULL over no rows, as the left join's missing match does, except count, whose
/// 0 is restored by coalesce(count, 0). Shapes it
/// cannot pull apart (an outer reference under an aggregation, a limit, a window) keep the memoized per-row
/// evaluation. <c>x NOT IN (subquery)</c> becomes an anti join on <c>x = e OR x IS NULL OR e IS NULL</c>, which keeps
/// SQL's NULL rules in a WHERE: a NULL on either side makes the test NULL, so the row goes, unless there are no rows.
/// EXISTS and IN elsewhere (under OR, in the select list) become marks: left joins with the subquery's distinct
/// correlation keys (and per-key counts for IN's NULL rules), see <see cref="Mark"/>.
/// </summary>
internal sealed class SubqueryDecorrelation : IOptimizerRule
{
    public string Name => "decorrelate_subqueries";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p => p switch
    {
        FilterNode f => Marked(Rewrite(f)),
        ProjectNode pr => Marked(pr),
        _ => p,
    });

    /// <summary>A filter or projection whose expressions still hold correlated EXISTS or IN subqueries (under OR, CASE,
    /// NOT of a disjunction, in the select list): each one this rule can pull apart becomes a mark, a column computed
    /// with left joins against the subquery grouped by its correlation keys (<see cref="Mark"/>), and the node reads the
    /// mark instead; the input's columns then come back as they were. Others keep the memoized per-row evaluation.</summary>
    private static LogicalPlan Marked(LogicalPlan p)
    {
        if (p is not (FilterNode or ProjectNode)) return p;
        var input = p.Inputs[0];
        var exprs = p is FilterNode f ? [f.Predicate] : ((ProjectNode)p).Exprs;
        if (!exprs.Any(e => Find(e).Any(q => q.Kind is SubqueryKind.Exists or SubqueryKind.In))) return p;
        var marked = input;
        BoundExpr? Replace(BoundExpr x)
        {
            if (x is not CorrelatedSubquery { Kind: SubqueryKind.Exists or SubqueryKind.In } q || Mark(marked, q) is not { } m) return null;
            marked = m.Plan;
            return m.Mark;
        }
        var rewritten = exprs.Select(e => ExpressionRewriter.Rewrite(e, Replace)).ToList();
        if (ReferenceEquals(marked, input)) return p;
        if (p is ProjectNode pr) return pr with { Input = marked, Exprs = rewritten };
        return new ProjectNode(new FilterNode(marked, rewritten[0]), input.Schema.Fields.Select((fl, i) => (BoundExpr)new ColumnRef(i, fl.Name, fl.DataType)).ToList(),
            input.Schema.Fields.Select(fl => fl.Name).ToList());
    }

    /// <summary>
    /// The mark of a correlated EXISTS or IN subquery whose correlation is equalities (inner = outer) only, as left joins
    /// appended to <paramref name="input"/> (whose columns stay first): EXISTS is whether the subquery's distinct
    /// correlation keys hold the row's (a left join on them, so no row repeats). <c>x IN (SELECT e …)</c> follows SQL's
    /// NULL rules with a second left join on per-key counts: true when some row of the key has e = x; else false when the
    /// key has no rows; else NULL when x is NULL or some e is NULL; else false. Null when the subquery does not qualify.
    /// </summary>
    private static (LogicalPlan Plan, BoundExpr Mark)? Mark(LogicalPlan input, CorrelatedSubquery q)
    {
        var (plan, output) = Unproject(q.Plan);
        if (Pull(plan) is not var (inner, pulled) || pulled.Count == 0 || HasOuterRef(inner) || ContainsOuter(output)) return null;
        if (EqualityKeys(pulled, q) is not var (innerKeys, outerKeys)) return null;
        var boolean = Columnar.Types.DataType.Boolean;
        // A left join of input with the distinct (keys…, extra…) of the subquery on keys = outer keys (and extra = match).
        (LogicalPlan Joined, ColumnRef Found) Distinct(LogicalPlan left, List<BoundExpr> extra, List<BoundExpr> match)
        {
            var groups = innerKeys.Concat(extra).ToList();
            var distinct = new AggregateNode(inner, groups, groups.Select((_, i) => $"#k{i}").ToList(), []);
            var found = new ProjectNode(distinct,
                groups.Select((g, i) => (BoundExpr)new ColumnRef(i, $"#k{i}", g.Type)).Append(new Literal(true, boolean)).ToList(),
                groups.Select((_, i) => $"#k{i}").Append("#found").ToList());
            int at = left.Schema.Fields.Count;
            var on = outerKeys.Concat(match).Select((k, i) => ExpressionRewriter.Call("=", [k, new ColumnRef(at + i, $"#k{i}", groups[i].Type)], exact: true)).ToList();
            if (on.Any(x => x is null)) return (null!, null!);
            return (new JoinNode(left, found, JoinKind.Left, on.Aggregate(ExpressionRewriter.And!)!), new ColumnRef(at + groups.Count, "#found", boolean));
        }
        BoundExpr IsNotNull(BoundExpr e) => ExpressionRewriter.Call("IS NOT NULL", [e])!;
        if (q.Kind == SubqueryKind.Exists)
        {
            var (joined, found) = Distinct(input, [], []);
            return joined is null ? null : (joined, IsNotNull(found));
        }
        if (q.Value is not { } value || !value.Type.Equals(output.Type)) return null;
        var (withMatch, matched) = Distinct(input, [output], [value]);
        if (withMatch is null) return null;
        // Rows and non-NULL values per key: count(*) and count(e).
        var count = FunctionRegistry.Default.Aggregate("count")!;
        if (count.Resolve([]) is not { } star || count.Resolve([output.Type]) is not { } some) return null;
        var counted = new AggregateNode(inner, innerKeys, innerKeys.Select((_, i) => $"#k{i}").ToList(),
            [new AggregateCall(count, [], false, star, "#rows"), new AggregateCall(count, [output], false, some, "#values")]);
        int at = withMatch.Schema.Fields.Count;
        var on = outerKeys.Select((k, i) => ExpressionRewriter.Call("=", [k, new ColumnRef(at + i, $"#k{i}", innerKeys[i].Type)], exact: true)).ToList();
        if (on.Any(x => x is null)) return null;
        var joinedCounts = new JoinNode(withMatch, counted, JoinKind.Left, on.Aggregate(ExpressionRewriter.And!)!);
        var rows = new ColumnRef(at + innerKeys.Count, "#rows", star.Result);
        var values = new ColumnRef(at + innerKeys.Count + 1, "#values", some.Result);
        var unknown = ExpressionRewriter.Or(ExpressionRewriter.Call("IS NULL", [value])!, ExpressionRewriter.Call("<", [values, rows])!);
        var mark = new CaseWhen([
            (IsNotNull(matched), new Literal(true, boolean)),
            (ExpressionRewriter.Call("IS NULL", [rows])!, new Literal(false, boolean)),
            (unknown, new Literal(null, boolean)),
        ], new Literal(false, boolean), boolean);
        return (joinedCounts, mark);
    }

    private static LogicalPlan Rewrite(FilterNode f)
    {
        var joins = new List<(LogicalPlan Inner, JoinKind Kind, List<BoundExpr> Condition)>();
        var rest = new List<BoundExpr>();
        var scalars = new List<(BoundExpr Conjunct, CorrelatedSubquery Subquery, LogicalPlan Grouped, List<BoundExpr> OuterKeys, BoundExpr Value)>();
        int width = f.Input.Schema.Fields.Count;
        foreach (var c in ExpressionRewriter.Conjuncts(f.Predicate))
        {
            if (Decorrelate(c, width) is { } join) joins.Add(join);
            else if (Scalar(c) is { } scalar) scalars.Add((c, scalar.Subquery, scalar.Grouped, scalar.OuterKeys, scalar.Value));
            else rest.Add(c);
        }
        if (joins.Count == 0 && scalars.Count == 0) return f;
        // The filter's other conjuncts run first (they may link a join graph below), then the semi and anti joins.
        LogicalPlan result = rest.Count == 0 ? f.Input : Marked(new FilterNode(f.Input, rest.Aggregate(ExpressionRewriter.And)));
        foreach (var (inner, kind, condition) in joins)
            result = new JoinNode(result, inner, kind, condition.Aggregate(ExpressionRewriter.And));
        if (scalars.Count == 0) return result;
        // Each scalar subquery: a left join with its aggregate grouped by the correlated keys (one row per key, so no
        // row is repeated), whose value column replaces the subquery in its conjunct; then back to the input's columns.
        var rewritten = new List<BoundExpr>();
        foreach (var (conjunct, q, grouped, outerKeys, value) in scalars)
        {
            int at = result.Schema.Fields.Count;
            var keys = outerKeys.Select((k, i) =>
                ExpressionRewriter.Call("=", [k, new ColumnRef(at + i, grouped.Schema.Fields[i].Name, grouped.Schema.Fields[i].DataType)])!).ToList();
            result = new JoinNode(result, grouped, JoinKind.Left, keys.Aggregate(ExpressionRewriter.And));
            var column = ExpressionRewriter.RemapColumns(value, i => i + at);
            rewritten.Add(ExpressionRewriter.Rewrite(conjunct, x => ReferenceEquals(x, q) ? column : null));
        }
        result = new FilterNode(result, rewritten.Aggregate(ExpressionRewriter.And));
        return new ProjectNode(result, f.Input.Schema.Fields.Select((fl, i) => (BoundExpr)new ColumnRef(i, fl.Name, fl.DataType)).ToList(),
            f.Input.Schema.Fields.Select(fl => fl.Name).ToList());
    }

    /// <summary>Aggregates that give NULL over no rows, as a left join's missing match does.</summary>
    private static readonly HashSet<string> NullOnEmpty = new(StringComparer.OrdinalIgnoreCase)
        { "sum", "avg", "min", "max", "string_agg", "first", "any_value", "median", "quantile_cont", "quantile_disc", "quantile", "stddev", "stddev_samp",
          "stddev_pop", "variance", "var_samp", "var_pop", "arg_min", "arg_max", "bool_and", "bool_or" };

    /// <summary>A conjunct holding one correlated scalar subquery of the form Project*(Aggregate without groups over a
    /// plan correlated by equalities only): the aggregate grouped by the inner sides of those equalities, the outer
    /// sides, and the subquery's value over the grouped plan's columns.</summary>
    private static (CorrelatedSubquery Subquery, LogicalPlan Grouped, List<BoundExpr> OuterKeys, BoundExpr Value)? Scalar(BoundExpr conjunct)
    {
        if (Find(conjunct).ToList() is not [{ Kind: SubqueryKind.Scalar } q]) return null;
        var (plan, output) = Unproject(q.Plan);
        if (plan is not AggregateNode { Groups.Count: 0 } a || a.Aggregates.Any(x => !NullOnEmpty.Contains(x.Function.Name) && !IsCount(x)) || ContainsOuter(output)) return null;
        if (a.Aggregates.Any(x => x.Arguments.Any(ContainsOuter))) return null;
        if (Pull(a.Input) is not var (inner, pulled) || pulled.Count == 0 || HasOuterRef(inner)) return null;
        if (EqualityKeys(pulled, q) is not var (innerKeys, outerKeys)) return null;
        var grouped = new AggregateNode(inner, innerKeys, innerKeys.Select((_, i) => $"#k{i}").ToList(), a.Aggregates);
        var value = ExpressionRewriter.RemapColumns(output, i => i + innerKeys.Count);
        // A count over no rows is 0 where the left join finds no group: coalesce(count, 0).
        int keys = innerKeys.Count;
        value = ExpressionRewriter.Rewrite(value, x => x is ColumnRef c && c.Index >= keys && IsCount(a.Aggregates[c.Index - keys]) ? ZeroIfNull(c) : null);
        return (q, grouped, outerKeys, value);
    }

    /// <summary>The inner and outer sides of correlation predicates that are all equalities between an inner expression
    /// and one of outer references and constants (outer references replaced by the outer expressions they stand for);
    /// null when one is not.</summary>
    private static (List<BoundExpr> Inner, List<BoundExpr> Outer)? EqualityKeys(List<BoundExpr> pulled, CorrelatedSubquery q)
    {
        var innerKeys = new List<BoundExpr>();
        var outerKeys = new List<BoundExpr>();
        foreach (var c in pulled)
        {
            if (c is not Call { Function.Name: "=", Args: [var l, var r] }) return null;
            var (innerSide, outerSide) = OnlyOuter(l) && !ContainsOuter(r) ? (r, l) : OnlyOuter(r) && !ContainsOuter(l) ? (l, r) : (null, null);
            if (innerSide is null || outerSide is null) return null;
            innerKeys.Add(innerSide);
            outerKeys.Add(ExpressionRewriter.Rewrite(outerSide, x => x is OuterRef o ? q.OuterArgs[o.Slot] : null));
        }
        return (innerKeys, outerKeys);
    }

    private static bool IsCount(AggregateCall call) => call.Function.Name.Equals("count", StringComparison.OrdinalIgnoreCase);

    private static BoundExpr ZeroIfNull(BoundExpr count) => ExpressionRewriter.Call("coalesce", [count, new Literal(0L, count.Type)])!;

    private static IEnumerable<CorrelatedSubquery> Find(BoundExpr e) => e is CorrelatedSubquery q ? [q] : e.Children.SelectMany(Find);

    /// <summary>True for an expression of outer references and constants only (at least one outer reference).</summary>
    private static bool OnlyOuter(BoundExpr e) => ContainsOuter(e) && !ExpressionRewriter.Columns(e).Any();

    private static (LogicalPlan, JoinKind, List<BoundExpr>)? Decorrelate(BoundExpr c, int outerWidth)
    {
        var (q, kind) = c switch
        {
            CorrelatedSubquery { Kind: SubqueryKind.Exists } s => (s, JoinKind.Semi),
            Call { Function.Name: "NOT", Args: [CorrelatedSubquery { Kind: SubqueryKind.Exists } s] } => (s, JoinKind.Anti),
            CorrelatedSubquery { Kind: SubqueryKind.In, Value: not null } s => (s, JoinKind.Semi),
            Call { Function.Name: "NOT", Args: [CorrelatedSubquery { Kind: SubqueryKind.In, Value: not null } s] } => (s, JoinKind.Anti),
            _ => ((CorrelatedSubquery?)null, JoinKind.Inner),
        };
        if (q is null) return null;
        var (plan, output) = Unproject(q.Plan);
        if (Pull(plan) is not var (inner, pulled) || pulled.Count == 0) return null;
        if (HasOuterRef(inner) || ContainsOuter(output)) return null;
        BoundExpr Outer(BoundExpr e) => ExpressionRewriter.Rewrite(ExpressionRewriter.RemapColumns(e, i => i + outerWidth),
            x => x is OuterRef o ? q.OuterArgs[o.Slot] : null);
        var condition = pulled.Select(Outer).ToList();
        if (q.Kind == SubqueryKind.In)
        {
            var right = ExpressionRewriter.RemapColumns(output, i => i + outerWidth);
            if (!q.Value!.Type.Equals(right.Type) || ExpressionRewriter.Call("=", [q.Value, right]) is not { } match) return null;
            // x NOT IN (rows) in a WHERE keeps x only when no row equals it and neither x nor any row is NULL (else
            // the test is NULL), or when there are no rows: an anti join on x = e OR x IS NULL OR e IS NULL.
            if (kind == JoinKind.Anti)
                match = ExpressionRewriter.Or(ExpressionRewriter.Or(match, ExpressionRewriter.Call("IS NULL", [q.Value])!), ExpressionRewriter.Call("IS NULL", [right])!);
            condition.Insert(0, match);
        }
        return (inner, kind, condition);
    }

    /// <summary>The plan under a subquery's projections, which are dropped, and its first output column (the value of a
    /// scalar or IN subquery) as an expression over that plan.</summary>
    private static (LogicalPlan Plan, BoundExpr Output) Unproject(LogicalPlan plan)
    {
        BoundExpr output = new ColumnRef(0, plan.Schema.Fields[0].Name, plan.Schema.Fields[0].DataType);
        while (plan is ProjectNode p)
        {
            var exprs = p.Exprs;
            output = ExpressionRewriter.Rewrite(output, x => x is ColumnRef r ? exprs[r.Index] : null);
            plan = p.Input;
        }
        return (plan, output);
    }

    /// <summary>The plan without its predicates that read outer references, and those predicates (over the plan's
    /// output columns); null when an outer reference sits where it cannot be pulled out.</summary>
    private static (LogicalPlan Plan, List<BoundExpr> Pulled)? Pull(LogicalPlan p)
    {
        switch (p)
        {
            case ScanNode s:
            {
                var (keep, pulled) = Split(s.Filter);
                return (s with { Filter = keep }, pulled);
            }
            case FilterNode f:
            {
                if (Pull(f.Input) is not var (input, pulled)) return null;
                var (keep, mine) = Split(f.Predicate);
                pulled.AddRange(mine);
                return (keep is null ? input : new FilterNode(input, keep), pulled);
            }
            case JoinNode { Kind: JoinKind.Inner or JoinKind.Cross } j:
            {
                if (Pull(j.Left) is not var (left, pulled) || Pull(j.Right) is not var (right, fromRight)) return null;
                int lw = j.Left.Schema.Fields.Count;
                pulled.AddRange(fromRight.Select(e => ExpressionRewriter.RemapColumns(e, i => i + lw)));
                var (keep, mine) = Split(j.Condition);
                pulled.AddRange(mine);
                return (new JoinNode(left, right, keep is null ? JoinKind.Cross : JoinKind.Inner, keep) { Estimate = j.Estimate }, pulled);
            }
            case ProjectNode pr:
            {
                if (Pull(pr.Input) is not var (input, pulled)) return null;
                if (pulled.Count == 0) return (pr with { Input = input }, pulled);
                // Pulled predicates read the projection's input: each column they read must pass through unchanged.
                var map = new Dictionary<int, int>();
                for (int i = 0; i < pr.Exprs.Count; i++) if (pr.Exprs[i] is ColumnRef r) map.TryAdd(r.Index, i);
                if (pulled.SelectMany(ExpressionRewriter.Columns).Any(c => !map.ContainsKey(c))) return null;
                return (pr with { Input = input }, pulled.Select(e => ExpressionRewriter.RemapColumns(e, c => map[c])).ToList());
            }
            default:
                return HasOuterRef(p) ? null : (p, []);
        }
    }

    private static (BoundExpr? Keep, List<BoundExpr> Pulled) Split(BoundExpr? predicate)
    {
        var keep = new List<BoundExpr>();
        var pulled = new List<BoundExpr>();
        foreach (var c in ExpressionRewriter.Conjuncts(predicate)) (ContainsOuter(c) ? pulled : keep).Add(c);
        return (keep.Count == 0 ? null : keep.Aggregate(ExpressionRewriter.And), pulled);
    }

    private static bool ContainsOuter(BoundExpr e) => e is OuterRef || e is not CorrelatedSubquery && e.Children.Any(ContainsOuter)
        || e is CorrelatedSubquery q && q.OuterArgs.Any(ContainsOuter);

    /// <summary>True when any expression of the plan reads an outer reference (or the node is of a kind whose
    /// expressions this rule does not know, to be safe).</summary>
    private static bool HasOuterRef(LogicalPlan p)
    {
        IEnumerable<BoundExpr>? exprs = p switch
        {
            ScanNode s => s.Filter is null ? [] : [s.Filter],
            FilterNode f => [f.Predicate],
            ProjectNode pr => pr.Exprs,
            JoinNode j => j.Condition is null ? [] : [j.Condition],
            AggregateNode a => a.Groups.Concat(a.Aggregates.SelectMany(x => x.Arguments)),
            SortNode s => s.Keys.Select(k => k.Expr),
            TopKNode t => t.Keys.Select(k => k.Expr),
            ValuesNode v => v.Rows.SelectMany(r => r),
            LimitNode or DistinctNode or SetOperationNode or UnnestNode => [],
            SampleNode s => new[] { s.Key, s.Weight }.OfType<BoundExpr>(),
            WindowNode w => w.Calls.SelectMany(c => c.Arguments.Concat(c.PartitionBy).Concat(c.OrderBy.Select(k => k.Expr))),
            _ => null,
        };
        return exprs is null || exprs.Any(ContainsOuter) || p.Inputs.Any(HasOuterRef);
    }
}
