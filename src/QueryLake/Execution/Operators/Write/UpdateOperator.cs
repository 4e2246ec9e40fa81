using QueryLake.Columnar;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Sets columns of the rows its input names by id to the new values beside them, in one new version
/// (<see cref="Storage.Dataset.UpdateRows"/>: each fragment with a changed row is rewritten whole, so row ids stay
/// stable). A row named twice (UPDATE … FROM with two matching source rows) fails with QL-AMBIGUOUS-UPDATE.</summary>
internal sealed class UpdateOperator(UpdateNode node, PhysicalOperator input) : WriteOperator(node, input)
{
    public override string Name => "Update";
    public override string Detail => $"{node.Name} [{List(node.Columns)}], rewrites the fragments it changes, one commit";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx)
    {
        long written = 0;
        node.Target.UpdateRows(node.Columns, rows.Select(b =>
        {
            // The new values are held until the commit rewrites the fragments they change.
            ctx.Reserve(QueryContext.SizeOf(b), "UPDATE's new values");
            written += b.Length;
            return b;
        }));
        return written;
    }
}
