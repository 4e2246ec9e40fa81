using QueryLake.Columnar;
using QueryLake.Functions;
using QueryLake.Planning.Expressions;

namespace QueryLake.Planning.Logical;

/// <summary>Reads <see cref="Columns"/> of a source; filters, fragment pruning and limits may be pushed into it.</summary>
internal sealed record ScanNode(ITableSource Source, IReadOnlyList<string> Columns, BoundExpr? Filter = null, long? Limit = null) : LogicalPlan
{
    protected override Schema ComputeSchema() => new(Columns.Select(c => Source.Schema[c]).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;
    public override long? EstimatedRows => Source.EstimatedRows is { } n
        ? Math.Min(Limit ?? long.MaxValue, Math.Max(1, (long)(n * Optimizer.Cardinality.Selectivity(Filter, this))))
        : Limit;
    public override string Label() =>
        $"Scan: {Source.Name} [{string.Join(", ", Columns)}]" + (Filter is null ? "" : $" filter={Filter}") + (Limit is null ? "" : $" limit={Limit}");
}

/// <summary>Literal rows.</summary>
internal sealed record ValuesNode(Schema OutputSchema, IReadOnlyList<IReadOnlyList<BoundExpr>> Rows) : LogicalPlan
{
    protected override Schema ComputeSchema() => OutputSchema;
    public override IReadOnlyList<LogicalPlan> Inputs => [];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;
    public override long? EstimatedRows => Rows.Count;
    public override string Label() => $"Values: {Rows.Count} row(s) [{string.Join(", ", Schema.Fields.Select(f => f.Name))}]";
}

/// <summary>Keeps rows where the predicate is true.</summary>
internal sealed record FilterNode(LogicalPlan Input, BoundExpr Predicate) : LogicalPlan
{
    protected override Schema ComputeSchema() => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override long? EstimatedRows => Input.EstimatedRows is { } n ? Math.Max(1, (long)(n * Optimizer.Cardinality.Selectivity(Predicate, Input as ScanNode))) : null;
    public override string Label() => $"Filter: {Predicate}";
}

/// <summary>Computes output columns from input rows.</summary>
internal sealed record ProjectNode(LogicalPlan Input, IReadOnlyList<BoundExpr> Exprs, IReadOnlyList<string> Names) : LogicalPlan
{
    protected override Schema ComputeSchema() => new(Exprs.Zip(Names, (e, n) => new Field(n, e.Type, Nullability.MayBeNull(e, Input.Schema))).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Project: {string.Join(", ", Exprs.Zip(Names, (e, n) => e is ColumnRef c && c.Name == n ? n : $"{e} AS {n}"))}";
}

/// <summary>One aggregate of an aggregation: the function, its arguments (none for count(*)) and DISTINCT.</summary>
internal sealed record AggregateCall(AggregateFunction Function, IReadOnlyList<BoundExpr> Arguments, bool Distinct, AggregateResolution Resolution, string Name)
{
    public override string ToString() => $"{Function.Name}({(Distinct ? "DISTINCT " : "")}{(Arguments.Count == 0 ? "*" : string.Join(", ", Arguments))})";
}

/// <summary>Groups rows by <see cref="Groups"/> and computes <see cref="Aggregates"/>; outputs the group keys, then the aggregates.</summary>
internal sealed record AggregateNode(LogicalPlan Input, IReadOnlyList<BoundExpr> Groups, IReadOnlyList<string> GroupNames, IReadOnlyList<AggregateCall> Aggregates) : LogicalPlan
{
    protected override Schema ComputeSchema() => new(
        Groups.Zip(GroupNames, (g, n) => new Field(n, g.Type, Nullability.MayBeNull(g, Input.Schema)))
            .Concat(Aggregates.Select(a => new Field(a.Name, a.Resolution.Result, Nullability.MayBeNull(a)))).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override long? EstimatedRows => Groups.Count == 0 ? 1 : Input.EstimatedRows is { } n ? Math.Max(1, n / 10) : null;
    public override string Label() => $"Aggregate: groups=[{string.Join(", ", Groups)}] aggregates=[{string.Join(", ", Aggregates)}]";
}

/// <summary>One sort key.</summary>
internal sealed record SortKey(BoundExpr Expr, bool Descending, bool NullsFirst)
{
    public override string ToString() => $"{Expr} {(Descending ? "DESC" : "ASC")} NULLS {(NullsFirst ? "FIRST" : "LAST")}";
}

/// <summary>Sorts all rows.</summary>
internal sealed record SortNode(LogicalPlan Input, IReadOnlyList<SortKey> Keys) : LogicalPlan
{
    protected override Schema ComputeSchema() => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Sort: {string.Join(", ", Keys)}";
}

/// <summary>The first <see cref="K"/> rows in key order, without sorting everything.</summary>
internal sealed record TopKNode(LogicalPlan Input, IReadOnlyList<SortKey> Keys, long K, long Offset) : LogicalPlan
{
    protected override Schema ComputeSchema() => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override long? EstimatedRows => K;
    public override string Label() => $"TopK: k={K}{(Offset > 0 ? $" offset={Offset}" : "")} {string.Join(", ", Keys)}";
}

/// <summary>Skips <see cref="Offset"/> rows, then passes at most <see cref="Limit"/>.</summary>
internal sealed record LimitNode(LogicalPlan Input, long? Limit, long Offset) : LogicalPlan
{
    protected override Schema ComputeSchema() => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override long? EstimatedRows => Limit;
    public override string Label() => $"Limit: {(Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all")}{(Offset > 0 ? $" offset={Offset}" : "")}";
}

/// <summary>Joins two inputs; the condition is over the left columns followed by the right columns.</summary>
internal sealed record JoinNode(LogicalPlan Left, LogicalPlan Right, JoinKind Kind, BoundExpr? Condition) : LogicalPlan
{
    protected override Schema ComputeSchema() => Kind is JoinKind.Semi or JoinKind.Anti ? Left.Schema
        : new(Left.Schema.Fields.Select(f => Kind is JoinKind.Right or JoinKind.Full ? f.AsNullable() : f)
            .Concat(Right.Schema.Fields.Select(f => Kind is JoinKind.Left or JoinKind.Full ? f.AsNullable() : f)).ToList().Let(Dedupe));
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Left = inputs[0], Right = inputs[1] };
    /// <summary>The rows the join planner expects (null: not planned by it; then the larger input's rows).</summary>
    public long? Estimate { get; init; }

    public override long? EstimatedRows => Estimate ?? (Kind is JoinKind.Semi or JoinKind.Anti ? Left.EstimatedRows
        : Left.EstimatedRows is { } l && Right.EstimatedRows is { } r
            ? Kind == JoinKind.Cross ? (long)Math.Min((double)l * r, long.MaxValue / 2) : Math.Max(l, r) : null);
    /// <summary>Runtime filters this join fills from its build side once its hash table is built: which equality key
    /// (in the order <see cref="Expressions.JoinCondition.Split"/> gives) and the filter's id (the
    /// <c>runtime_join_filters</c> rule).</summary>
    public IReadOnlyList<(int Key, int Id)> Publishes { get; init; } = [];

    /// <summary>Runtime filters published by a join above that this one applies to its left rows before probing: the
    /// left column and the filter's id.</summary>
    public IReadOnlyList<(int Column, int Id)> Applies { get; init; } = [];

    public override string Label() => $"Join: {Kind.ToString().ToLowerInvariant()}{(Condition is null ? "" : $" on {Condition}")}"
        + (Publishes.Count == 0 ? "" : $" publishes [{string.Join(", ", Publishes.Select(p => $"f{p.Id}"))}]")
        + (Applies.Count == 0 ? "" : $" applies [{string.Join(", ", Applies.Select(a => $"f{a.Id} to {Left.Schema.Fields[a.Column].Name}"))}]");

    /// <summary>Join outputs may repeat column names (a.id, b.id); the schema needs unique names, so repeats get a suffix.</summary>
    private static List<Field> Dedupe(List<Field> fields)
    {
        var seen = new HashSet<string>();
        return fields.Select(f =>
        {
            var name = f.Name;
            for (int k = 1; !seen.Add(name); k++) name = $"{f.Name}_{k}";
            return name == f.Name ? f : f.WithName(name);
        }).ToList();
    }
}

/// <summary>The kinds of join.</summary>
internal enum JoinKind { Inner, Left, Right, Full, Semi, Anti, Cross }

/// <summary>UNION, INTERSECT or EXCEPT, with or without ALL.</summary>
internal sealed record SetOperationNode(LogicalPlan Left, LogicalPlan Right, string Op, bool All) : LogicalPlan
{
    protected override Schema ComputeSchema() =>
        new(Left.Schema.Fields.Zip(Right.Schema.Fields, (l, r) => r.Nullable && Op == "UNION" ? l.AsNullable() : l).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Left = inputs[0], Right = inputs[1] };
    public override long? EstimatedRows => Left.EstimatedRows is { } l && Right.EstimatedRows is { } r ? l + r : null;
    public override string Label() => $"{Op}{(All ? " ALL" : "")}";
}

/// <summary>Removes duplicate rows.</summary>
internal sealed record DistinctNode(LogicalPlan Input) : LogicalPlan
{
    protected override Schema ComputeSchema() => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => "Distinct";
}

internal static class PlanExtensions
{
    public static TOut Let<TIn, TOut>(this TIn value, Func<TIn, TOut> f) => f(value);
}

/// <summary>One window function call: the function, its arguments, the partition and order keys and the frame.</summary>
internal sealed record WindowCall(string Function, IReadOnlyList<BoundExpr> Arguments, IReadOnlyList<BoundExpr> PartitionBy,
    IReadOnlyList<SortKey> OrderBy, WindowFrameSpec Frame, Columnar.Types.DataType ResultType, string Name)
{
    public override string ToString() =>
        $"{Function}({string.Join(", ", Arguments)}) OVER (" +
        (PartitionBy.Count > 0 ? $"PARTITION BY {string.Join(", ", PartitionBy)}" : "") +
        (OrderBy.Count > 0 ? $"{(PartitionBy.Count > 0 ? " " : "")}ORDER BY {string.Join(", ", OrderBy)}" : "") + $" {Frame})";
}

/// <summary>A window frame: ROWS or RANGE between two bounds; an offset is a row count (null: unbounded or current row).</summary>
/// <summary>A window frame: ROWS offsets count rows; RANGE offsets (<see cref="StartRange"/>, <see cref="EndRange"/>)
/// are distances between ORDER BY key values.</summary>
internal sealed record WindowFrameSpec(bool Rows, Language.Ast.FrameBoundKind StartKind, long StartOffset, Language.Ast.FrameBoundKind EndKind, long EndOffset,
    double StartRange = 0, double EndRange = 0)
{
    public override string ToString() => $"{(Rows ? "ROWS" : "RANGE")} {StartKind}{Offset(StartOffset, StartRange)} AND {EndKind}{Offset(EndOffset, EndRange)}";

    private string Offset(long rows, double range) => Rows ? (rows > 0 ? $" {rows}" : "") : range > 0 ? $" {range.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "";
}

/// <summary>Computes window functions: outputs the input columns, then one column per call.</summary>
internal sealed record WindowNode(LogicalPlan Input, IReadOnlyList<WindowCall> Calls) : LogicalPlan
{
    protected override Schema ComputeSchema() =>
        new(Input.Schema.Fields.Concat(Calls.Select((c, i) => new Field($"{c.Name}#w{i}", c.ResultType, Nullability.MayBeNull(c)))).ToList()); // unique: two calls may read alike
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Window: {string.Join(", ", Calls)}";
}

/// <summary>Keeps a seeded, reproducible sample of its input's rows (in input order): BERNOULLI and SYSTEM percentages,
/// n rows (optionally per key, or weighted, with or without replacement), or an exact percentage (optionally
/// stratified by a key, largest-remainder rounding per stratum).</summary>
internal sealed record SampleNode(LogicalPlan Input, string Method, double Amount, long Seed, BoundExpr? Key, BoundExpr? Weight, bool WithReplacement) : LogicalPlan
{
    protected override Schema ComputeSchema() => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override long? EstimatedRows => Method == "ROWS" ? (long)Amount : Input.EstimatedRows is { } n ? (long)(n * Amount / 100) : null;
    public override string Label() => Method switch
    {
        "ROWS" => $"Sample: {Amount} rows{(Key is null ? "" : $" per {Key}")}{(Weight is null ? "" : $" weighted by {Weight}{(WithReplacement ? " with replacement" : "")}")} seed {Seed}",
        "PERCENT" => $"Sample: {Amount}% exactly{(Key is null ? "" : $" stratified by {Key}")} seed {Seed}",
        _ => $"Sample: {Method} {Amount}% seed {Seed}",
    };
}

/// <summary>unnest(list) in a select list: one output row per element of <see cref="Column"/>'s list, the other
/// columns repeated; NULL and empty lists give no rows (as in DuckDB).</summary>
internal sealed record UnnestNode(LogicalPlan Input, int Column) : LogicalPlan
{
    protected override Schema ComputeSchema()
    {
        var fields = Input.Schema.Fields.ToList();
        var item = Functions.Scalar.TensorFunctions.Item(fields[Column].DataType)!;
        fields[Column] = new Field(fields[Column].Name, item);
        return new Schema(fields);
    }

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override long? EstimatedRows => null;
    public override string Label() => $"Unnest: {Input.Schema.Fields[Column].Name}";
}
