using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Deletes the rows whose ids its input holds, in one new version (deletion vectors: data files are untouched).</summary>
internal sealed class DeleteOperator(DeleteNode node, PhysicalOperator input) : WriteOperator(node, input)
{
    public override string Name => "Delete";
    public override string Detail => $"{node.Name}, by row id, one commit";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx)
    {
        var ids = new List<long>();
        foreach (var b in rows)
        {
            ctx.Reserve(8L * b.Length, "DELETE's row ids");
            var column = (PrimitiveArray<long>)b.Columns[0];
            for (int r = 0; r < b.Length; r++) ids.Add(column[r]);
        }
        if (ids.Count > 0) node.Target.Delete(ids);
        return ids.Count;
    }
}
