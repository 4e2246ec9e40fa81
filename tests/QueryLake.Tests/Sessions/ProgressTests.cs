using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sessions;

/// <summary>Long statements report progress: rows so far, and the total when the source knows it.</summary>
public sealed class ProgressTests
{
    private sealed class Recorder : IProgress<StatementProgress>
    {
        public List<StatementProgress> Reports { get; } = [];
        public void Report(StatementProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Import_and_copy_report_rows_and_totals()
    {
        using var dir = new TempDir();
        var schema = new Schema([new Field("id", DataType.Int64, false)]);
        var ids = new PrimitiveBuilder<long>(DataType.Int64);
        for (long i = 0; i < 300_000; i++) ids.Append(i);
        using (var w = new ParquetFileWriter(dir.File("ids.parquet"), schema, new ParquetWriteOptions { RowGroupSize = 10_000 }))
        {
            w.Write(new RecordBatch(schema, [ids.Build()], 300_000));
            w.Finish();
        }
        using var session = QueryLakeSession.Open();
        var recorder = new Recorder();
        session.Progress = recorder;
        session.Execute($"IMPORT PARQUET '{dir.File("ids.parquet")}' INTO ids");
        var last = recorder.Reports[^1];
        Assert.Equal("import", last.Operation);
        Assert.Equal(300_000, last.Rows);
        Assert.Equal(300_000, last.TotalRows);
        Assert.Equal(1.0, last.Fraction);
        Assert.True(recorder.Reports.Zip(recorder.Reports.Skip(1)).All(p => p.First.Rows <= p.Second.Rows));
        recorder.Reports.Clear();
        session.Execute($"COPY (SELECT id FROM ids WHERE id % 2 = 0) TO '{dir.File("even.csv")}'");
        Assert.Equal(("copy", 150_000L), (recorder.Reports[^1].Operation, recorder.Reports[^1].Rows));
    }
}
