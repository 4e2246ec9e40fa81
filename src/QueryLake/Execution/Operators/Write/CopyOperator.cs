using QueryLake.Columnar;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Streams its input's rows to a file sink (COPY … TO): Parquet, Arrow, CSV, JSON or WebDataset shards, written
/// as batches arrive.</summary>
internal sealed class CopyOperator(CopyNode node, PhysicalOperator input) : WriteOperator(node, input)
{
    public override string Name => "Copy";
    public override string Detail => $"to '{node.Target}' ({node.Format}), streams";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx) => node.Sink(node.Input.Schema, rows);
}
