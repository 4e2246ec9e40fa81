using QueryLake.Columnar;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Appends its input's rows to a dataset as one new version (<see cref="Storage.Dataset.Append(IEnumerable{RecordBatch})"/>:
/// data files are written as batches arrive, the version naming them last).</summary>
internal sealed class InsertOperator(InsertNode node, PhysicalOperator input) : WriteOperator(node, input)
{
    public override string Name => "Insert";
    public override string Detail => $"{node.Name} [{List(node.Input.Schema.Fields.Select(f => f.Name))}]" + (node.Define is null ? "" : ", defines its columns") + ", one commit";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx)
    {
        long written = 0;
        var counted = rows.Select(b => { written += b.Length; return b; });
        if (node.Define is { } schema) node.Target.DefineAndAppend(schema, counted);
        else node.Target.Append(counted);
        return written;
    }
}
