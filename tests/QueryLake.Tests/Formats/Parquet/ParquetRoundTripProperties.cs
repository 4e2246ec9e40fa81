using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>Whatever QueryLake writes it reads back to the same values, for every type, null rate, codec, page
/// version, row group size and page size (FsCheck picks them).</summary>
public sealed class ParquetRoundTripProperties
{
    public sealed record Case(int Seed, int Rows, double NullRate, string Codec, bool V2, int GroupRows, int PageRows);

    private static readonly Gen<Case> Cases =
        from seed in Gen.Choose(0, 1_000_000)
        from rows in Gen.Choose(0, 700)
        from nulls in Gen.Elements(0.0, 0.1, 0.5, 1.0)
        from codec in Gen.Elements("none", "snappy", "gzip", "zstd", "lz4", "brotli")
        from v2 in Gen.Elements(false, true)
        from groups in Gen.Choose(1, 400)
        from pages in Gen.Choose(1, 200)
        select new Case(seed, rows, nulls, codec, v2, groups, pages);

    private static DataType Plain(DataType t) => t switch
    {
        DictionaryType d => d.ValueType,
        VariableBinaryType { Id: TypeId.LargeUtf8 } => DataType.Utf8,
        VariableBinaryType { Id: TypeId.LargeBinary } => DataType.Binary,
        _ => t,
    };

    [Fact]
    public void Written_files_read_back_to_the_same_values()
    {
        using var dir = new TempDir();
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var batch = SampleData.AllTypes(c.Rows, c.Seed, c.NullRate);
            var path = dir.File($"rt-{c.Seed}.parquet");
            using (var w = new ParquetFileWriter(path, batch.Schema, new ParquetWriteOptions { Compression = c.Codec, DataPageV2 = c.V2, RowGroupSize = c.GroupRows, PageRows = c.PageRows }))
            {
                // Two writes, so row groups span batch boundaries.
                int half = c.Rows / 2;
                w.Write(batch.Slice(0, half));
                w.Write(batch.Slice(half, c.Rows - half));
                w.Finish();
            }
            var reader = ParquetFileReader.Open(path);
            // The ARROW:schema entry gives back every type Parquet cannot say (extension types, fixed-size lists) and the
            // metadata; only large and dictionary strings come back as plain ones, with the same values.
            Assert.Equal(batch.Schema.Fields.Select(f => $"{f.Name}: {Plain(f.DataType)} {string.Join(",", f.Metadata)}"),
                reader.Schema.Fields.Select(f => $"{f.Name}: {f.DataType} {string.Join(",", f.Metadata)}"));
            Assert.Equal(batch.Schema.Metadata, reader.Schema.Metadata);
            Assert.Equal(c.Rows, reader.RowCount);
            Assert.Equal((c.Rows + c.GroupRows - 1) / c.GroupRows, reader.RowGroupCount);
            int r = 0;
            foreach (var b in reader.ReadAll())
                for (int i = 0; i < b.Length; i++, r++)
                    for (int col = 0; col < b.Columns.Count; col++)
                    {
                        var expected = Canonical.Value(batch.Columns[col], r)?.ToJsonString();
                        var actual = Canonical.Value(b.Columns[col], i)?.ToJsonString();
                        Assert.True(expected == actual, $"{c}: row {r} column {batch.Schema.Fields[col].Name}: wrote {expected}, read {actual}");
                    }
            Assert.Equal(c.Rows, r);
            File.Delete(path);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    /// <summary>Late materialization: a filter's other columns decoded for the rows it picks only (pages without a
    /// picked row skipped, the picked rows' levels and values taken from the others) equal those rows of a full read,
    /// for every type and null rate, codec, page version and page size, whatever rows are picked (none, a sparse few,
    /// most, all); and a filtered read (<c>ReadRowGroupWhere</c>) returns exactly the rows its selector picks, whether
    /// it picks few (decoded by picking) or many (read whole and listed).</summary>
    [Fact]
    public void Picked_rows_read_as_a_full_read_has_them()
    {
        using var dir = new TempDir();
        var property = Prop.ForAll(Cases.ToArbitrary(), Gen.Elements(0.0, 0.01, 0.1, 0.3, 0.9, 1.0).ToArbitrary(), (c, density) =>
        {
            var batch = SampleData.AllTypes(c.Rows, c.Seed, c.NullRate);
            var path = dir.File($"pick-{c.Seed}.parquet");
            using (var w = new ParquetFileWriter(path, batch.Schema, new ParquetWriteOptions { Compression = c.Codec, DataPageV2 = c.V2, RowGroupSize = c.GroupRows, PageRows = c.PageRows }))
            {
                w.Write(batch);
                w.Finish();
            }
            var reader = ParquetFileReader.Open(path);
            var names = batch.Schema.Fields.Select(f => f.Name).ToList();
            var rng = new Random(c.Seed);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var full = reader.ReadRowGroup(g, names, null, encoded: true)!;
                var picked = Enumerable.Range(0, full.Length).Where(_ => rng.NextDouble() < density).ToArray();
                var some = reader.ReadRowGroupRows(g, names, picked, encoded: true);
                AssertRows(full, picked, some, $"{c} density {density} row group {g}");
                // A filtered read keyed on one column: the selector sees that column and picks the same rows.
                var filterColumn = names[rng.Next(names.Count)];
                var where = reader.ReadRowGroupWhere(g, names, [filterColumn], b => { Assert.Equal(full.Length, b.Length); return picked; }, null, encoded: true);
                if (picked.Length == 0) { Assert.Null(where); continue; }
                var (read, rows) = where!.Value;
                AssertRows(full, picked, rows is null ? read : QueryLake.Kernels.Gather.Rows(read, rows), $"{c} density {density} row group {g} filtered on {filterColumn}");
            }
            File.Delete(path);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    private static void AssertRows(RecordBatch full, int[] picked, RecordBatch some, string what)
    {
        Assert.Equal(picked.Length, some.Length);
        for (int k = 0; k < picked.Length; k++)
            for (int col = 0; col < full.Columns.Count; col++)
            {
                var expected = Canonical.Value(full.Columns[col], picked[k])?.ToJsonString();
                var actual = Canonical.Value(some.Columns[col], k)?.ToJsonString();
                Assert.True(expected == actual, $"{what}: picked row {picked[k]} column {full.Schema.Fields[col].Name}: full read {expected}, picked read {actual}");
            }
    }
}
