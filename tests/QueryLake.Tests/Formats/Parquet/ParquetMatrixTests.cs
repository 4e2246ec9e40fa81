using System.Text.Json.Nodes;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>DuckDB writes files for every codec, format version, type and nesting it supports; QueryLake reads each
/// and must give DuckDB's own reading of it.</summary>
public sealed class ParquetMatrixTests : IClassFixture<ParquetMatrixTests.Matrix>
{
    public sealed class Matrix : IDisposable
    {
        public TempDir Dir { get; } = new();
        public JsonArray Files { get; }

        public Matrix()
        {
            Files = DuckDbParquetMatrix.Write(Dir.Path);
        }

        public void Dispose() => Dir.Dispose();
    }

    private readonly Matrix _m;

    public ParquetMatrixTests(Matrix m) => _m = m;

    public static TheoryData<string, string> Variants()
    {
        var d = new TheoryData<string, string>();
        foreach (var c in DuckDbParquetMatrix.Codecs)
            foreach (var v in new[] { "V1", "V2" }) d.Add(c, v);
        return d;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_type_and_nesting_reads_as_DuckDB_reads_it(string codec, string version)
    {
        var entry = _m.Files.Single(f => (string)f!["codec"]! == codec && (string)f["version"]! == version)!;
        var reader = ParquetFileReader.Open((string)entry["file"]!);
        var columns = entry["columns"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(columns, reader.Schema.Fields.Select(f => f.Name).ToList());
        var expected = entry["rows"]!.AsArray();
        // Read twice: decoded (the public API), and as the query engine reads it, with dictionary-encoded text kept as
        // indices (then also decoded by the engine's own decoder).
        var decoded = reader.ReadAll().ToList();
        var encoded = Enumerable.Range(0, reader.RowGroupCount).Select(g => reader.ReadRowGroup(g, null, null, encoded: true)!).ToList();
        Assert.Contains(encoded, b => b.Columns.Any(c => c is QueryLake.Columnar.Arrays.DictionaryArray));
        foreach (var (batches, how) in new[] { (decoded, "decoded"), (encoded, "encoded"), (encoded.Select(QueryLake.Kernels.Vectors.Plain).ToList(), "encoded then decoded") })
        {
            int r = 0;
            foreach (var batch in batches)
                for (int i = 0; i < batch.Length; i++, r++)
                {
                    var actual = ParquetCanonical.Row(batch, i);
                    for (int c = 0; c < columns.Count; c++)
                        ParquetCanonical.AssertEqual(expected[r]![c], actual[c], $"{how}: {Path.GetFileName((string)entry["file"]!)} row {r} column {columns[c]} ({entry["types"]![c]})");
                }
            Assert.Equal(expected.Count, r);
        }
        // And as a filtered scan reads a filter's other columns (late materialization): only some rows of each row group,
        // a third of them and a sparse few, decoded straight from the pages that hold them.
        foreach (int step in new[] { 3, 97 })
        {
            int first = 0, checkedRows = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                int rows = (int)reader.RowGroupRows(g);
                var picked = Enumerable.Range(0, rows).Where(i => (first + i) % step == step / 2).ToArray();
                var batch = reader.ReadRowGroupRows(g, columns, picked, encoded: true);
                Assert.Equal(picked.Length, batch.Length);
                for (int k = 0; k < picked.Length; k++, checkedRows++)
                {
                    var actual = ParquetCanonical.Row(batch, k);
                    for (int c = 0; c < columns.Count; c++)
                        ParquetCanonical.AssertEqual(expected[first + picked[k]]![c], actual[c], $"picked 1 in {step}: {Path.GetFileName((string)entry["file"]!)} row {first + picked[k]} column {columns[c]} ({entry["types"]![c]})");
                }
                first += rows;
            }
            Assert.True(checkedRows > 0);
        }
    }

    [Fact]
    public void Text_kept_as_dictionary_indices_turns_into_values_when_a_plain_page_follows()
    {
        var dictionary = new QueryLake.Formats.Parquet.Reading.ValueBuffer(0);
        foreach (var v in new[] { "red", "green", "blue" }) dictionary.AppendBinary(System.Text.Encoding.UTF8.GetBytes(v));
        var kept = new QueryLake.Formats.Parquet.Reading.ValueBuffer(0);
        kept.AppendIndices(dictionary, [2, 0, 0, 1]);
        Assert.Same(dictionary, kept.Dictionary);
        Assert.Equal(4, kept.Count);
        kept.Materialize(); // a PLAIN page after dictionary pages (writers fall back when the dictionary grows too big)
        kept.AppendBinary("cyan"u8);
        Assert.Null(kept.Dictionary);
        Assert.Equal(["blue", "red", "red", "green", "cyan"], Enumerable.Range(0, kept.Count).Select(i => System.Text.Encoding.UTF8.GetString(kept.Binary(i))));
        Assert.Throws<QueryLake.Formats.Parquet.ParquetFormatException>(() => new QueryLake.Formats.Parquet.Reading.ValueBuffer(0).AppendIndices(dictionary, [3]));
    }

    [Fact]
    public void DuckDB_reads_the_files_QueryLake_writes_as_the_rows_they_came_from()
    {
        var source = _m.Files.Single(f => (string)f!["codec"]! == "zstd" && (string)f["version"]! == "V1")!;
        var reader = ParquetFileReader.Open((string)source["file"]!);
        var batches = reader.ReadAll().ToList();
        var written = new List<string>();
        foreach (var codec in new[] { "none", "snappy", "gzip", "zstd", "lz4", "brotli" })
            foreach (bool v2 in new[] { false, true })
            {
                var path = Path.Combine(_m.Dir.Path, $"ql-{codec}-{(v2 ? "v2" : "v1")}.parquet");
                using (var w = new ParquetFileWriter(path, reader.Schema, new ParquetWriteOptions { Compression = codec, DataPageV2 = v2, RowGroupSize = 1100, PageRows = 300 }))
                {
                    foreach (var b in batches) w.Write(b);
                    w.Finish();
                }
                written.Add(path);
            }
        var duck = DuckDbParquetMatrix.Read(written);
        var expected = source["rows"]!.AsArray();
        var columns = source["columns"]!.AsArray().Select(c => (string)c!).ToList();
        foreach (var f in duck)
        {
            var name = Path.GetFileName((string)f!["file"]!);
            Assert.Equal(columns, f["columns"]!.AsArray().Select(c => (string)c!).ToList());
            var rows = f["rows"]!.AsArray();
            Assert.Equal(expected.Count, rows.Count);
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < columns.Count; c++)
                    ParquetCanonical.AssertEqual(expected[r]![c], rows[r]![c], $"DuckDB reading {name} row {r} column {columns[c]}");
            // And QueryLake reads its own file back to the same rows.
            int k = 0;
            foreach (var batch in ParquetFileReader.Open((string)f["file"]!).ReadAll())
                for (int i = 0; i < batch.Length; i++, k++)
                    for (int c = 0; c < columns.Count; c++)
                        ParquetCanonical.AssertEqual(expected[k]![c], ParquetCanonical.Value(batch.Columns[c], i), $"QueryLake reading {name} row {k} column {columns[c]}");
            Assert.Equal(expected.Count, k);
        }
    }

    [Fact]
    public void The_matrix_covers_the_encodings_DuckDB_writes()
    {
        var used = _m.Files.SelectMany(f => f!["encodings"]!.AsArray().Select(e => (string)e!)).ToHashSet();
        foreach (var e in new[] { "PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "BYTE_STREAM_SPLIT" })
            Assert.Contains(e, used);
    }

    [Fact]
    public void Projection_and_filters_through_SQL_match_a_full_read()
    {
        var file = (string)_m.Files[0]!["file"]!;
        using var session = QueryLakeSession.Open();
        var rows = session.Query($"SELECT id, s_dict, li FROM read_parquet('{file}') WHERE id >= 2990 ORDER BY id").Rows().ToList();
        Assert.Equal(10, rows.Count);
        Assert.Equal(2990L, rows[0][0]);
        Assert.Equal("label_10", rows[0][1]);
    }
}
