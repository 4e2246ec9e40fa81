using DuckDB.NET.Data;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>Struct columns and lists of structs written to Parquet by DuckDB read back through every field-access
/// spelling, with DuckDB's answers over the same file.</summary>
public sealed class StructParquetTests
{
    [Fact]
    public void Struct_fields_of_a_DuckDB_parquet_file_read_as_DuckDB_reads_them()
    {
        using var dir = new TempDir();
        var file = dir.File("labels.parquet");
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using (var cmd = duck.CreateCommand())
        {
            cmd.CommandText = $"""
                COPY (SELECT i AS id, {'{'}'w': i * 1.5, 'p': 'p' || i{'}'} AS rec,
                             [{'{'}'category': CASE WHEN i % 3 = 0 THEN 'pedestrian' ELSE 'car' END, 'bbox': [i, i + 1, i * 7 % 100, 5]::DOUBLE[]{'}'}] AS objects
                      FROM range(1, 40) t(i)) TO '{file}' (FORMAT parquet)
                """;
            cmd.ExecuteNonQuery();
        }
        using var s = QueryLakeSession.Open();
        foreach (var (ours, theirs) in new[]
        {
            ($"SELECT id, rec.w, rec['p'], struct_extract(rec, 'w') FROM '{file}' ORDER BY id", $"SELECT id, rec.w, rec['p'], struct_extract(rec, 'w') FROM '{file}' ORDER BY id"),
            ($"SELECT t.rec.p FROM read_parquet('{file}') t WHERE t.rec.w > 30 ORDER BY 1", $"SELECT t.rec.p FROM read_parquet('{file}') t WHERE t.rec.w > 30 ORDER BY 1"),
            ($"SELECT DISTINCT id FROM (SELECT id, unnest(objects) AS o FROM '{file}') WHERE o.category = 'pedestrian' AND o.bbox[3] > 50 ORDER BY id",
             $"SELECT DISTINCT id FROM (SELECT id, unnest(objects) AS o FROM '{file}') WHERE o.category = 'pedestrian' AND o.bbox[3] > 50 ORDER BY id"),
        })
        {
            var expected = new List<string>();
            using (var cmd = duck.CreateCommand())
            {
                cmd.CommandText = theirs;
                using var r = cmd.ExecuteReader();
                while (r.Read()) expected.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(c => DuckValueText.Of(r.GetValue(c)))));
            }
            var actual = s.Query(ours).Rows().Select(row => string.Join("|", row.Select(DuckValueText.Of))).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, actual);
        }
    }
}
