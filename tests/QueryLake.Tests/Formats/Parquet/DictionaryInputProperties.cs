using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Formats.Parquet;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>The writer dictionary-encodes dictionary-encoded text from its dictionaries' entries instead of hashing every
/// value; the file must be the one it writes for the same values given plain, byte for byte: across batches with
/// different dictionaries, NULLs, row groups that start mid-batch, dictionaries that outgrow the size limit, and a plain
/// batch between encoded ones.</summary>
public sealed class DictionaryInputProperties
{
    [Fact]
    public void Encoded_text_writes_the_same_file_as_the_same_text_plain()
    {
        using var dir = new TempDir();
        var cases = from rows in Gen.Choose(1, 3000)
                    from seed in Gen.Choose(1, 10_000)
                    from nullRate in Gen.Elements(0.0, 0.2, 1.0)
                    from rowGroup in Gen.Elements(100, 1000, 100_000)
                    from maxDictionary in Gen.Elements(2, 5, 1 << 16)
                    select (rows, seed, nullRate, rowGroup, maxDictionary);
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // Batches of different sizes, each with its own dictionary (the dict column is dictionary-encoded).
            // As the engine carries them: the dict column's field is utf8, its arrays dictionary-encoded.
            var schema = QueryLake.Kernels.Vectors.EngineSchema(SampleData.AllTypesSchema);
            var batches = Enumerable.Range(0, 3).Select(k => QueryLake.Kernels.Vectors.ForEngine(SampleData.AllTypes(c.rows / (k + 1) + 1, c.seed + k, c.nullRate), schema)).ToList();
            Assert.IsType<QueryLake.Columnar.Arrays.DictionaryArray>(batches[0].Column("dict"));
            byte[] Write(IEnumerable<RecordBatch> input, string name)
            {
                var path = dir.File(name);
                using (var w = new ParquetFileWriter(path, schema, new ParquetWriteOptions { RowGroupSize = c.rowGroup, MaxDictionarySize = c.maxDictionary }))
                {
                    foreach (var b in input) w.Write(b);
                    w.Finish();
                }
                return File.ReadAllBytes(path);
            }
            var encoded = Write(batches, $"e-{c.seed}.parquet");
            // A plain batch between encoded ones: the leaf leaves dictionary mode mid-row-group.
            var mixed = Write(batches.Select((b, k) => k == 1 ? QueryLake.Kernels.Vectors.Plain(b) : b), $"m-{c.seed}.parquet");
            var plain = Write(batches.Select(QueryLake.Kernels.Vectors.Plain), $"p-{c.seed}.parquet");
            Assert.True(encoded.AsSpan().SequenceEqual(plain), $"{c}: the files differ");
            Assert.True(mixed.AsSpan().SequenceEqual(plain), $"{c}: the file from mixed input differs");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }
}
