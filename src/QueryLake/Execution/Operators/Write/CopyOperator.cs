using QueryLake.Columnar;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Streams its input's rows to a file sink (COPY … TO): Parquet, Arrow, CSV, JSON or WebDataset shards, written
/// as batches arrive. With <paramref name="columns"/>, its input is a scan whose batches it narrows to those columns
/// (the COPY query's projection of plain columns, done here so the scan's lent batches can be released).</summary>
internal sealed class CopyOperator(CopyNode node, PhysicalOperator input, bool lent = false, int[]? columns = null) : WriteOperator(node, input, lent)
{
    public override string Name => "Copy";
    public override string Detail => $"to '{node.Target}' ({node.Format}), streams{(Lent ? ", lent batches" : "")}"
        + (columns is null ? "" : $", takes [{string.Join(", ", node.Input.Schema.Fields.Select(f => f.Name))}]");

    /// <summary>Parquet re-encodes dictionaries from their entries, and CSV formats their values in place.</summary>
    protected override bool KeepsEncoding => node.Format is "parquet" or "csv";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx) =>
        node.Sink(node.Input.Schema, columns is null ? rows : rows.Select(b => new RecordBatch(node.Input.Schema, columns.Select(c => b.Columns[c]).ToArray(), b.Length)));
}
