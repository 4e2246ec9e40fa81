using QueryLake.Columnar;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.HashAggregate;

/// <summary>An aggregation whose aggregates all take DISTINCT of one argument x, or ignore duplicates as min(x) and
/// max(x) do, can run in two steps: the distinct (groups, x) pairs, then the aggregates without DISTINCT over them. The
/// pairs are plain group keys, which a hash aggregation spills by partitions; the DISTINCT set kept per group cannot
/// be split. <see cref="HashAggregateOperator"/> switches to the two steps when the sets outgrow the memory limit, so
/// <c>count(DISTINCT user) … GROUP BY country</c> over more values than memory holds completes, and costs nothing
/// when they fit.</summary>
/// <remarks>Only aggregates that skip NULL inputs qualify: a group whose x values are all NULL keeps one (groups, NULL)
/// pair, which they skip (count gives 0, as in one step). Constant arguments after x (the quantile's q, string_agg's
/// separator) stay as they are.</remarks>
internal sealed record DistinctSplit(AggregateNode Pairs, AggregateNode Outer, Schema PairSchema)
{
    /// <summary>The two steps for <paramref name="node"/>, or null when it does not qualify.</summary>
    public static DistinctSplit? For(AggregateNode node)
    {
        var x = node.Aggregates.FirstOrDefault(c => c.Distinct && c.Arguments.Count > 0)?.Arguments[0];
        if (x is null) return null;
        string text = x.ToString();
        foreach (var call in node.Aggregates)
        {
            if (call.Function.KeepsNulls || call.Arguments.Count == 0 || call.Arguments[0].ToString() != text) return null;
            if (call.Arguments.Skip(1).Any(e => e is not Literal)) return null;
            if (!call.Distinct && !call.Function.IgnoresDuplicates) return null;
        }
        int n = node.Groups.Count;
        // The pairs arrive as columns (the groups' values, then x), already computed.
        var names = node.GroupNames.Append("#distinct").ToList();
        var columns = node.Groups.Append(x).Select((e, i) => (BoundExpr)new ColumnRef(i, names[i], e.Type)).ToList();
        var schema = new Schema(columns.Select((c, i) => new Field(names[i], c.Type)).ToList());
        var pairs = new AggregateNode(node.Input, columns, names, []);
        var outer = new AggregateNode(pairs, columns.Take(n).ToList(), node.GroupNames,
            node.Aggregates.Select(c => c with { Distinct = false, Arguments = [columns[n], .. c.Arguments.Skip(1)] }).ToList());
        return new DistinctSplit(pairs, outer, schema);
    }
}
