using QueryLake.Columnar;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Creates a dataset holding its input's rows, or replaces an existing one's columns and rows, in one commit:
/// the rows are written first and the version naming them last, so a failure, a timeout or a killed process leaves no
/// new dataset (or the old one as it was).</summary>
internal sealed class CreateAsOperator(CreateAsNode node, PhysicalOperator input) : WriteOperator(node, input)
{
    public override string Name => node.Replace ? "Replace" : "Create";
    public override string Detail => $"{node.Name} [{List(node.Input.Schema.Fields.Select(f => f.Name))}], one commit";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx)
    {
        long written = 0;
        var counted = rows.Select(b => { written += b.Length; return b; });
        if (node.Replace) node.Lake.OpenDataset(node.Name).Replace(node.Columns, counted);
        else node.Lake.CreateDataset(node.Name, node.Columns, rows: counted);
        return written;
    }
}
