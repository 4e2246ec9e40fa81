using QueryLake.Columnar;
using QueryLake.Storage;

namespace QueryLake.Planning.Logical;

/// <summary>The top of a statement that changes the lake: it consumes its input's rows, commits once, and returns the
/// number of rows it wrote (one row, one column <c>Count</c>). The write operators are in
/// <c>Execution/Operators/Write</c>.</summary>
internal abstract record WriteNode : LogicalPlan
{
    /// <summary>The rows the statement writes, as the operator takes them.</summary>
    public abstract LogicalPlan Input { get; init; }

    /// <summary>The one column every write returns.</summary>
    public static Schema CountSchema { get; } = new([new Field("Count", Columnar.Types.DataType.Int64, false)]);

    protected override Schema ComputeSchema() => CountSchema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override long? EstimatedRows => 1;
}

/// <summary>INSERT (and IMPORT into an existing dataset): appends the input's rows, in the dataset's columns and types
/// (its derived columns computed by the plan), as one new version.</summary>
internal sealed record InsertNode(LogicalPlan Input, Dataset Target, string Name) : WriteNode
{
    public override LogicalPlan Input { get; init; } = Input;

    /// <summary>For a dataset created without columns: the columns this first insert gives it, in the same commit.</summary>
    public Schema? Define { get; init; }
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Insert: {Name} [{string.Join(", ", Input.Schema.Fields.Select(f => f.Name))}]";
}

/// <summary>CREATE [OR REPLACE] DATASET … AS (and IMPORT into a new dataset): a new dataset, or a new version of an existing
/// one that replaces its columns and rows, holding the input's rows, in one commit.</summary>
internal sealed record CreateAsNode(LogicalPlan Input, Lake Lake, string Name, bool Replace) : WriteNode
{
    public override LogicalPlan Input { get; init; } = Input;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };

    /// <summary>The new dataset's columns: the input's names and types, every one nullable (a query's NOT NULL is what
    /// it proved of its rows, not a constraint the dataset keeps, as in DuckDB's CREATE TABLE … AS).</summary>
    public Schema Columns => new(Input.Schema.Fields.Select(f => f.AsNullable()).ToList(), Input.Schema.Metadata);

    public override string Label() => $"{(Replace ? "Replace" : "Create")}: {Name} [{string.Join(", ", Input.Schema.Fields.Select(f => f.Name))}]";
}

/// <summary>DELETE: deletes the rows whose ids the input's one column holds, in one new version.</summary>
internal sealed record DeleteNode(LogicalPlan Input, Dataset Target, string Name) : WriteNode
{
    public override LogicalPlan Input { get; init; } = Input;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Delete: {Name}";
}

/// <summary>UPDATE (with or without FROM): the input holds row ids and then the new values of <see cref="Columns"/>
/// (derived columns recomputed by the plan); they are set in one new version.</summary>
internal sealed record UpdateNode(LogicalPlan Input, Dataset Target, string Name, IReadOnlyList<string> Columns) : WriteNode
{
    public override LogicalPlan Input { get; init; } = Input;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Update: {Name} [{string.Join(", ", Columns)}]";
}

/// <summary>MERGE: the input holds, per source row joined with the dataset row it matches (none: NULL), the dataset row's
/// id, the new values of <see cref="UpdateColumns"/> and, when it inserts, a whole new row (<see cref="Inserts"/>).
/// Matched rows are updated or deleted (<see cref="Delete"/>), unmatched ones inserted, all in one new version.</summary>
internal sealed record MergeNode(LogicalPlan Input, Dataset Target, string Name, IReadOnlyList<string> UpdateColumns, bool Delete, bool Inserts) : WriteNode
{
    public override LogicalPlan Input { get; init; } = Input;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Merge: {Name}" + (UpdateColumns.Count > 0 ? $" update [{string.Join(", ", UpdateColumns)}]" : "")
        + (Delete ? " delete" : "") + (Inserts ? " insert" : "");
}

/// <summary>COPY (query) TO 'target': the input's rows go to <see cref="Sink"/>, which writes them in
/// <see cref="Format"/> (the session's exporter, with the statement's lineage) and returns how many it wrote.
/// <see cref="KeepsNothing"/>: the sink is done with each batch once it asks for the next (a streamed COPY; a shuffled
/// one holds its rows).</summary>
internal sealed record CopyNode(LogicalPlan Input, string Target, string Format, Func<Schema, IEnumerable<RecordBatch>, long> Sink, bool KeepsNothing = false) : WriteNode
{
    public override LogicalPlan Input { get; init; } = Input;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this with { Input = inputs[0] };
    public override string Label() => $"Copy: to '{Target}' ({Format})";
}
