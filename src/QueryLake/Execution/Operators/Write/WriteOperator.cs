using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Execution.Physical;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>The top of a statement's plan that changes the lake (<see cref="WriteNode"/>): it pulls its input's batches
/// (decoded, as storage takes them), commits once, and returns the rows written as one <c>Count</c> row. The statement's
/// timeout, cancellation and memory limit hold while it pulls, since its input is the same pipeline a query runs.</summary>
internal abstract class WriteOperator(WriteNode node, PhysicalOperator input, bool lent = false) : PhysicalOperator(node, input)
{
    /// <summary>Whether the input's batches are lent (released here once the writer is done with each).</summary>
    protected bool Lent => lent;

    /// <summary>Whether the writer takes dictionary-encoded columns as they come (a file writer that encodes them again
    /// faster from their dictionaries); otherwise they are decoded first.</summary>
    protected virtual bool KeepsEncoding => false;

    /// <summary>Writes and commits; the rows written.</summary>
    protected abstract long Write(IEnumerable<RecordBatch> rows, QueryContext ctx);

    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx)
    {
        long written = Write(Rows(ctx), ctx);
        yield return new RecordBatch(WriteNode.CountSchema, [ArrayBuilder.Build(Columnar.Types.DataType.Int64, [written])], 1);
    }

    /// <summary>The input's non-empty batches, decoded, with the rows read so far reported (<see cref="QueryContext.Progress"/>).
    /// When the input's batches are lent, each is released once the writer asks for the next.</summary>
    private IEnumerable<RecordBatch> Rows(QueryContext ctx)
    {
        long rows = 0;
        foreach (var b in Children[0].Open(ctx))
        {
            try
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                rows += b.Length;
                ctx.Progress?.Invoke(rows, false);
                yield return KeepsEncoding ? b : Kernels.Vectors.Plain(b);
            }
            finally
            {
                if (lent) b.Release();
            }
        }
        ctx.Progress?.Invoke(rows, true);
    }
}
