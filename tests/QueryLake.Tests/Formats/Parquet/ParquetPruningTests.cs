using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>Row-group statistics and the page index really skip data: only pages whose bounds admit the filter are
/// decoded, and the answer stays exact.</summary>
public sealed class ParquetPruningTests
{
    private static string Sorted(TempDir dir)
    {
        var schema = new Schema([new Field("id", DataType.Int64, false), new Field("label", DataType.Utf8)]);
        var ids = new PrimitiveBuilder<long>(DataType.Int64);
        var labels = new BinaryBuilder(DataType.Utf8);
        for (long i = 0; i < 10_000; i++) { ids.Append(i); labels.Append("row " + i); }
        var path = dir.File("sorted.parquet");
        using var w = new ParquetFileWriter(path, schema, new ParquetWriteOptions { RowGroupSize = 5_000, PageRows = 1_000 });
        w.Write(new RecordBatch(schema, [ids.Build(), labels.Build()], 10_000));
        w.Finish();
        return path;
    }

    private static bool Overlaps(QueryLake.Columnar.Statistics.IPrunable f, long lo, long hi) =>
        !f.Statistics.TryGetValue("id", out var s) || ((long)s.Max! >= lo && (long)s.Min! <= hi);

    [Fact]
    public void Row_groups_and_pages_outside_a_range_are_skipped()
    {
        using var dir = new TempDir();
        var reader = ParquetFileReader.Open(Sorted(dir));
        Assert.Equal(2, reader.RowGroupCount);
        Assert.Equal(0L, reader.RowGroupStatistics(0)["id"].Min);
        Assert.Equal(4_999L, reader.RowGroupStatistics(0)["id"].Max);
        // Rows 4500..4600 lie on the fifth page of the first row group: only its 1000 rows are decoded.
        var batch = reader.ReadRowGroup(0, ["id", "label"], f => Overlaps(f, 4_500, 4_600))!;
        Assert.Equal(1_000, batch.Length);
        Assert.Equal(4_000L, ((PrimitiveArray<long>)batch.Columns[0])[0]);
        Assert.Equal("row 4999", ((BinaryArray)batch.Columns[1]).GetString(999));
        // A range spanning two pages keeps both; one outside the row group decodes nothing.
        Assert.Equal(2_000, reader.ReadRowGroup(0, ["label"], f => Overlaps(f, 1_999, 2_000))!.Length);
        Assert.Null(reader.ReadRowGroup(1, ["id"], f => Overlaps(f, 100, 200)));
    }

    [Fact]
    public void Pruned_queries_answer_exactly()
    {
        using var dir = new TempDir();
        var path = Sorted(dir);
        using var session = QueryLakeSession.Open();
        var row = session.Query($"SELECT count(*), min(id), max(label) FROM '{path}' WHERE id BETWEEN 4500 AND 5100").Rows().Single();
        Assert.Equal(601L, row[0]);
        Assert.Equal(4_500L, row[1]);
        Assert.Equal("row 5100", row[2]);
        Assert.Equal(0L, session.Query($"SELECT count(*) FROM '{path}' WHERE id > 20000").Rows().Single()[0]);
    }
}
