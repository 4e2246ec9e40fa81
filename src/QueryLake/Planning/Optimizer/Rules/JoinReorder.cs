using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Turns every tree of inner and cross joins, with the filters between and above them, into one join graph and plans
/// it again: comma joins, <c>JOIN … ON</c>, <c>USING</c> and WHERE predicates alike. A predicate over one input filters
/// that input; a predicate over several becomes the condition of the lowest join that has them all, so every equality
/// between two inputs is a hash-join key, and a cross product remains only where no predicate links two inputs. The
/// order is chosen by estimated cost (the sum of intermediate result sizes): dynamic programming over connected
/// subgraphs for up to <see cref="DynamicProgrammingLimit"/> inputs, a greedy order beyond. The smaller side of each
/// join is its build (right) side. A projection restores the original column order.
/// </summary>
internal sealed class JoinReorder : IOptimizerRule
{
    /// <summary>Join graphs with more inputs than this are ordered greedily.</summary>
    public const int DynamicProgrammingLimit = 12;

    public string Name => "join_reorder";

    public LogicalPlan Apply(LogicalPlan plan) => Rewrite(plan);

    private static LogicalPlan Rewrite(LogicalPlan plan)
    {
        if (IsRegion(plan))
        {
            var graph = new List<LogicalPlan>();
            var predicates = new List<BoundExpr>();
            Flatten(plan, 0, graph, predicates);
            if (graph.Count is >= 2 and <= 62)
                return Plan(graph.Select(Rewrite).ToList(), predicates, plan.Schema.Fields.Select(f => f.Name).ToList());
        }
        var inputs = plan.Inputs.Select(Rewrite).ToList();
        return inputs.Count == 0 || inputs.SequenceEqual(plan.Inputs, ReferenceEqualityComparer.Instance) ? plan : plan.WithInputs(inputs);
    }

    private static bool IsJoin(LogicalPlan p) => p is JoinNode { Kind: JoinKind.Inner or JoinKind.Cross };

    private static bool IsRegion(LogicalPlan p) => IsJoin(p) || p is FilterNode f && IsRegion(f.Input);

    /// <summary>Collects the inputs of a join tree (in column order) and its predicates, over columns numbered from
    /// <paramref name="offset"/> in the tree's output.</summary>
    private static void Flatten(LogicalPlan p, int offset, List<LogicalPlan> inputs, List<BoundExpr> predicates)
    {
        switch (p)
        {
            case FilterNode f when IsRegion(f.Input):
                predicates.AddRange(ExpressionRewriter.Conjuncts(f.Predicate).Select(c => ExpressionRewriter.RemapColumns(c, i => i + offset)));
                Flatten(f.Input, offset, inputs, predicates);
                break;
            case JoinNode j when IsJoin(j):
                predicates.AddRange(ExpressionRewriter.Conjuncts(j.Condition).Select(c => ExpressionRewriter.RemapColumns(c, i => i + offset)));
                Flatten(j.Left, offset, inputs, predicates);
                Flatten(j.Right, offset + j.Left.Schema.Fields.Count, inputs, predicates);
                break;
            default:
                inputs.Add(p);
                break;
        }
    }

    /// <summary>A predicate over several inputs of the graph, with the inputs it reads (a bit set).</summary>
    private sealed record Edge(BoundExpr Expr, long Inputs);

    private static LogicalPlan Plan(List<LogicalPlan> inputs, List<BoundExpr> predicates, IReadOnlyList<string> names)
    {
        int n = inputs.Count;
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + inputs[i].Schema.Fields.Count;
        int InputOf(int column) { int k = Array.BinarySearch(start, column); return k >= 0 ? (k == n ? n - 1 : k) : ~k - 1; }

        // Predicates over one input filter it; those over none (constants) or holding a subquery stay above the joins.
        var perInput = new List<BoundExpr>[n];
        for (int i = 0; i < n; i++) perInput[i] = [];
        var edges = new List<Edge>();
        var top = new List<BoundExpr>();
        foreach (var p in predicates)
        {
            long set = 0;
            foreach (int c in ExpressionRewriter.Columns(p)) set |= 1L << InputOf(c);
            bool subquery = ExpressionRewriter.Contains<CorrelatedSubquery>(p);
            if (set == 0) top.Add(p);
            else if ((set & (set - 1)) == 0) perInput[InputOf(ExpressionRewriter.Columns(p).First())].Add(ExpressionRewriter.RemapColumns(p, c => c - start[InputOf(c)]));
            else if (subquery) top.Add(p);
            else
            {
                edges.Add(new Edge(p, set));
                // An OR over several inputs implies, for each input every branch constrains, the OR of those
                // constraints: (n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY' AND n2 = 'FRANCE') filters n1 and
                // n2 to the two names before any join. The OR itself stays as the join condition.
                foreach (var (input, implied) in Implied(p, InputOf))
                    perInput[input].Add(ExpressionRewriter.RemapColumns(implied, c => c - start[input]));
            }
        }
        var leaves = inputs.Select((p, i) => perInput[i].Count == 0 ? p : new FilterNode(p, perInput[i].Aggregate(ExpressionRewriter.And))).ToArray();
        var rows = leaves.Select(l => (double)Math.Max(1, l.EstimatedRows ?? 1000)).ToArray();
        var distinct = inputs.Select(p => (double)Math.Max(1, Cardinality.UnfilteredRows(p) ?? 1000)).ToArray();

        // Rows of a set of inputs joined: the product of their rows and of the selectivities of the predicates inside it.
        // An equality between two inputs' columns keeps 1/min(distinct values of the two sides) (a foreign key meeting
        // its key keeps one match per row); any other predicate over several inputs keeps a third.
        var selectivity = edges.Select(e => Equi(e.Expr, InputOf) is var (a, b) ? 1 / Math.Min(Distinct(e.Expr, a), Distinct(e.Expr, b)) : 0.33).ToArray();
        // The distinct values on one side of an equality: the input's unfiltered rows, or fewer when the side is an
        // integer column whose statistics span a narrower range.
        double Distinct(BoundExpr equality, int input)
        {
            var arg = ((Call)equality).Args.FirstOrDefault(x => ExpressionRewriter.Columns(x).Select(InputOf).All(i => i == input));
            if (arg is ColumnRef c && Cardinality.DistinctBound(inputs[input], c.Index - start[input]) is { } bound) return Math.Max(1, bound);
            return distinct[input];
        }
        // Several equalities between the same two inputs (a composite key, partsupp's (partkey, suppkey)) are not
        // independent: together they keep at least one match per row of the smaller input, so their product is bounded
        // by 1/min(unfiltered rows of the two).
        var pairOf = edges.Select(e => Equi(e.Expr, InputOf) is var (a, b) ? (Math.Min(a, b), Math.Max(a, b)) : (-1, -1)).ToArray();
        double Rows(long set)
        {
            double r = 1;
            for (int i = 0; i < n; i++) if ((set >> i & 1) != 0) r *= rows[i];
            Dictionary<(int, int), double>? pairs = null;
            for (int e = 0; e < edges.Count; e++)
            {
                if ((edges[e].Inputs & ~set) != 0) continue;
                if (pairOf[e].Item1 < 0) { r *= selectivity[e]; continue; }
                pairs ??= [];
                pairs[pairOf[e]] = pairs.GetValueOrDefault(pairOf[e], 1.0) * selectivity[e];
            }
            if (pairs is not null)
                foreach (var ((a, b), product) in pairs) r *= Math.Max(product, 1 / Math.Min(distinct[a], distinct[b]));
            return Math.Max(1, r);
        }
        bool Connected(long a, long b) => edges.Any(e => (e.Inputs & a) != 0 && (e.Inputs & b) != 0 && (e.Inputs & ~(a | b)) == 0);

        var tree = n <= DynamicProgrammingLimit ? DynamicProgramming(n, Rows, Connected) : Greedy(n, Rows, Connected);

        // Build the plan: each join takes the predicates that it is the first to cover.
        var used = new bool[edges.Count];
        (LogicalPlan Plan, List<int> Order) Build(Tree t)
        {
            if (t.Input >= 0) return (leaves[t.Input], [t.Input]);
            var (l, lo) = Build(t.Left!);
            var (r, ro) = Build(t.Right!);
            var order = lo.Concat(ro).ToList();
            var local = Local(order);
            var conds = new List<BoundExpr>();
            for (int e = 0; e < edges.Count; e++)
                if (!used[e] && (edges[e].Inputs & ~t.Set) == 0) { used[e] = true; conds.Add(ExpressionRewriter.RemapColumns(edges[e].Expr, c => local[c])); }
            var condition = conds.Count == 0 ? null : conds.Aggregate(ExpressionRewriter.And);
            return (new JoinNode(l, r, condition is null ? JoinKind.Cross : JoinKind.Inner, condition) { Estimate = (long)Math.Min(long.MaxValue / 2, Rows(t.Set)) }, order);
        }
        Dictionary<int, int> Local(List<int> order)
        {
            var map = new Dictionary<int, int>();
            int at = 0;
            foreach (int i in order)
                for (int c = start[i]; c < start[i + 1]; c++) map[c] = at++;
            return map;
        }
        var (joined, finalOrder) = Build(tree);
        LogicalPlan result = joined;
        if (top.Count > 0)
        {
            var local = Local(finalOrder);
            result = new FilterNode(result, top.Select(p => ExpressionRewriter.RemapColumns(p, c => local[c])).Aggregate(ExpressionRewriter.And));
        }
        if (!finalOrder.SequenceEqual(Enumerable.Range(0, n)) || !result.Schema.Fields.Select(f => f.Name).SequenceEqual(names))
        {
            var local = Local(finalOrder);
            var exprs = Enumerable.Range(0, start[n]).Select(c =>
            {
                var f = result.Schema.Fields[local[c]];
                return (BoundExpr)new ColumnRef(local[c], f.Name, f.DataType);
            }).ToList();
            result = new ProjectNode(result, exprs, names);
        }
        return result;
    }

    /// <summary>For an OR, the inputs that every branch constrains on its own, each with the OR of those constraints.</summary>
    private static IEnumerable<(int Input, BoundExpr Implied)> Implied(BoundExpr e, Func<int, int> inputOf)
    {
        if (e is not Call { Function.Name: "OR" }) yield break;
        var branches = ExpressionRewriter.Disjuncts(e).Select(d => ExpressionRewriter.Conjuncts(d).ToList()).ToList();
        var inputs = branches.SelectMany(b => b).SelectMany(c => ExpressionRewriter.Columns(c)).Select(inputOf).Distinct().ToList();
        foreach (int input in inputs)
        {
            var parts = new List<BoundExpr>();
            foreach (var branch in branches)
            {
                var mine = branch.Where(c => ExpressionRewriter.Columns(c).Any() && ExpressionRewriter.Columns(c).All(x => inputOf(x) == input)
                    && !ExpressionRewriter.Contains<CorrelatedSubquery>(c)).ToList();
                if (mine.Count == 0) { parts.Clear(); break; }
                parts.Add(mine.Aggregate(ExpressionRewriter.And));
            }
            if (parts.Count == branches.Count) yield return (input, parts.Aggregate(ExpressionRewriter.Or));
        }
    }

    /// <summary>The two inputs an equality between two columns links, or null.</summary>
    private static (int, int)? Equi(BoundExpr e, Func<int, int> inputOf) =>
        e is Call { Function.Name: "=", Args: [var a, var b] } && ExpressionRewriter.Columns(a).Select(inputOf).Distinct().ToList() is [var x]
            && ExpressionRewriter.Columns(b).Select(inputOf).Distinct().ToList() is [var y] && x != y ? (x, y) : null;

    /// <summary>A join tree: a leaf (an input) or a join of two trees, with the set of inputs it covers.</summary>
    private sealed record Tree(long Set, int Input, Tree? Left, Tree? Right, double Cost);

    private static Tree Join(Tree a, Tree b, Func<long, double> rows)
    {
        // The smaller side builds the hash table (the right input).
        var (l, r) = rows(a.Set) >= rows(b.Set) ? (a, b) : (b, a);
        long set = a.Set | b.Set;
        return new Tree(set, -1, l, r, a.Cost + b.Cost + rows(set));
    }

    /// <summary>The cheapest bushy tree by dynamic programming over subsets, joining only connected halves while the
    /// subset has a connected split (cross products only where the graph is disconnected).</summary>
    private static Tree DynamicProgramming(int n, Func<long, double> rows, Func<long, long, bool> connected)
    {
        var best = new Tree?[1 << n];
        for (int i = 0; i < n; i++) best[1 << i] = new Tree(1L << i, i, null, null, 0);
        var rowCache = new double[1 << n];
        double Rows(long s) => rowCache[s] != 0 ? rowCache[s] : rowCache[s] = rows(s);
        for (int set = 1; set < 1 << n; set++)
        {
            if ((set & (set - 1)) == 0) continue;
            Tree? linked = null, crossed = null;
            // Each split once: the half holding the lowest input of the set is the first.
            int low = set & -set;
            for (int sub = (set - 1) & set; sub > 0; sub = (sub - 1) & set)
            {
                if ((sub & low) == 0) continue;
                var a = best[sub];
                var b = best[set ^ sub];
                if (a is null || b is null) continue;
                var t = Join(a, b, Rows);
                if (connected(sub, set ^ sub)) { if (linked is null || t.Cost < linked.Cost) linked = t; }
                else if (crossed is null || CrossFirst(t, crossed, Rows)) crossed = t;
            }
            best[set] = linked ?? crossed;
        }
        return best[(1 << n) - 1]!;
    }

    /// <summary>Whether cross product <paramref name="a"/> goes before <paramref name="b"/>: the one whose build side (the
    /// smaller half, held in memory) is smaller, then the cheaper. Every cross product then builds one small input and
    /// streams the rest through it (left-deep), instead of materializing a product of many inputs as a build side,
    /// which the sum of intermediate sizes alone would prefer.</summary>
    private static bool CrossFirst(Tree a, Tree b, Func<long, double> rows)
    {
        double ba = rows(a.Right!.Set), bb = rows(b.Right!.Set);
        return ba < bb || ba == bb && a.Cost < b.Cost;
    }

    /// <summary>For large graphs: repeatedly joins the two trees whose join is smallest, preferring connected pairs;
    /// without a connected pair, the largest tree takes the smallest as its build side (a left-deep cross product).</summary>
    private static Tree Greedy(int n, Func<long, double> rows, Func<long, long, bool> connected)
    {
        var trees = Enumerable.Range(0, n).Select(i => new Tree(1L << i, i, null, null, 0)).ToList();
        while (trees.Count > 1)
        {
            (int A, int B, bool Linked, double Rows) pick = (-1, -1, false, double.MaxValue);
            for (int a = 0; a < trees.Count; a++)
                for (int b = a + 1; b < trees.Count; b++)
                {
                    bool linked = connected(trees[a].Set, trees[b].Set);
                    double r = rows(trees[a].Set | trees[b].Set);
                    if (pick.A < 0 || linked && !pick.Linked || linked == pick.Linked && r < pick.Rows) pick = (a, b, linked, r);
                }
            if (!pick.Linked)
            {
                // Only cross products are left: the largest tree with the smallest.
                var bySize = Enumerable.Range(0, trees.Count).OrderBy(i => rows(trees[i].Set)).ThenBy(i => i).ToList();
                pick = (Math.Min(bySize[0], bySize[^1]), Math.Max(bySize[0], bySize[^1]), false, 0);
            }
            var joined = Join(trees[pick.A], trees[pick.B], rows);
            trees.RemoveAt(pick.B);
            trees[pick.A] = joined;
        }
        return trees[0];
    }
}
