using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Formats.Parquet;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>Corrupts valid Parquet files in FsCheck-generated ways (bit flips, extreme values, truncation, spliced
/// garbage): every read either succeeds or fails with a <see cref="CorruptFileException"/> naming the file, and never
/// crashes, hangs or allocates far beyond the file's size.</summary>
public sealed class ParquetFuzzTests
{
    private static byte[] Valid(string codec, bool v2, Schema? schema = null)
    {
        using var dir = new TempDir();
        var batch = SampleData.AllTypes(60, seed: 11, schema: schema);
        var path = dir.File("v.parquet");
        using (var w = new ParquetFileWriter(path, batch.Schema, new ParquetWriteOptions { Compression = codec, DataPageV2 = v2, RowGroupSize = 25, PageRows = 10 }))
        {
            w.Write(batch);
            w.Finish();
        }
        return File.ReadAllBytes(path);
    }

    private static void ReadEverything(string path)
    {
        var r = ParquetFileReader.Open(path);
        foreach (var b in r.ReadAll())
            for (int i = 0; i < b.Length; i++)
                foreach (var c in b.Columns) Canonical.Value(c, i);
        for (int g = 0; g < r.RowGroupCount; g++) r.RowGroupStatistics(g);
        // As a filtered scan reads (late materialization): some rows of every column, and a filtered read.
        var names = r.Schema.Fields.Select(f => f.Name).ToList();
        for (int g = 0; g < r.RowGroupCount; g++)
        {
            var picked = Enumerable.Range(0, (int)Math.Min(r.RowGroupRows(g), 10_000)).Where(i => i % 3 == 1).ToArray();
            var some = r.ReadRowGroupRows(g, names, picked, encoded: true);
            for (int i = 0; i < some.Length; i++)
                foreach (var c in some.Columns) Canonical.Value(c, i);
            r.ReadRowGroupWhere(g, names, [names[0]], b => Enumerable.Range(0, b.Length).Where(i => i % 5 == 2).ToArray(), null, encoded: true);
        }
    }

    [Theory]
    [InlineData("none", false)]
    [InlineData("zstd", true)]
    [InlineData("snappy", false)]
    [InlineData("gzip", true)]
    public void Corrupted_files_fail_cleanly_or_read(string codec, bool v2)
    {
        var valid = Valid(codec, v2);
        using var dir = new TempDir();
        var path = dir.File("fuzz.parquet");
        File.WriteAllBytes(path, valid);
        ReadEverything(path);
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            File.WriteAllBytes(path, Corruptions.Apply(valid, c));
            Assert.True(Bounded.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { ReadEverything(path); }
                catch (CorruptFileException e) { Assert.Contains("fuzz.parquet", e.Message); }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 64 << 20, $"reading a corrupted file allocated {allocated} bytes");
            }, TimeSpan.FromSeconds(10)), $"reading a corrupted file hung: {c}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Fact]
    public void A_damaged_fixed_list_size_fails_before_padding_null_lists()
    {
        // Found by the fuzzer: one flipped byte in the stored Arrow schema made a fixed-size list 3,932,162 wide, and
        // the reader padded every null list to that width (46 MB for 25 rows) before seeing that a list disagreed.
        var bytes = Valid("none", false, SampleData.AllTypesBeforeFixedBinary);
        bytes[33711] ^= 0x11;
        using var dir = new TempDir();
        var path = dir.File("fuzz.parquet");
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CorruptFileException>(() => ReadEverything(path));
        Assert.Contains("fixed-size lists of", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
    }

    [Fact]
    public void Errors_name_the_file_the_column_and_the_problem()
    {
        using var dir = new TempDir();
        var valid = Valid("none", false);
        File.WriteAllBytes(dir.File("half.parquet"), valid[..(valid.Length / 2)]);
        var e = Assert.Throws<CorruptFileException>(() => ParquetFileReader.Open(dir.File("half.parquet")));
        Assert.Equal($"{dir.File("half.parquet")}: the file does not end with the Parquet magic 'PAR1' (truncated?)", e.Message);
        File.WriteAllBytes(dir.File("text.parquet"), "hello, this is not parquet"u8.ToArray());
        e = Assert.Throws<CorruptFileException>(() => ParquetFileReader.Open(dir.File("text.parquet")));
        Assert.Contains("does not start with the Parquet magic", e.Message);
        // Damage the first data page of column 'i32' (the fifth leaf): the error names the row group and the column.
        var reader = ParquetFileReader.Open(WriteTo(dir.File("ok.parquet"), valid));
        var bytes = (byte[])valid.Clone();
        for (int i = 4; i < bytes.Length / 3; i++) bytes[i] = 0xFF;
        File.WriteAllBytes(dir.File("bad.parquet"), bytes);
        e = Assert.Throws<CorruptFileException>(() => ParquetFileReader.Open(dir.File("bad.parquet")).ReadAll().ToList());
        Assert.Matches(@"bad\.parquet: row group 0, column '\w+': ", e.Message);
        Assert.Equal(60, reader.RowCount);
    }

    private static string WriteTo(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
