using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;

namespace QueryLake.Kernels;

/// <summary>Gathers rows by index into new arrays; runs of consecutive indices are copied in bulk.</summary>
internal static class Take
{
    public static ArrowArray Rows(ArrowArray source, ReadOnlySpan<int> indices)
    {
        var b = ArrayBuilder.Create(source.Type);
        int i = 0;
        while (i < indices.Length)
        {
            int start = indices[i], run = 1;
            while (i + run < indices.Length && indices[i + run] == start + run) run++;
            if (run == 1) b.AppendFrom(source, start);
            else b.AppendRange(source, start, run);
            i += run;
        }
        return b.Build();
    }

    public static RecordBatch Rows(RecordBatch batch, ReadOnlySpan<int> indices)
    {
        var columns = new ArrowArray[batch.Columns.Count];
        for (int c = 0; c < columns.Length; c++) columns[c] = Rows(batch.Columns[c], indices);
        return new RecordBatch(batch.Schema, columns, indices.Length);
    }
}
