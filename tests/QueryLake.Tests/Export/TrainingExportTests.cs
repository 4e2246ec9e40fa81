using System.Diagnostics;
using System.Text.Json.Nodes;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Export;

/// <summary>Training output: COPY … (FORMAT arrow|parquet|json|csv|webdataset, SHARDS n, SHUFFLE SEED s). Shards
/// together hold every row once, differ in size by at most one, and the same seed writes the same files; WebDataset
/// shards are tar files GNU tar reads, one file per field; DuckDB reads the Parquet shards.</summary>
public sealed class TrainingExportTests
{
    private static QueryLakeSession Scenes()
    {
        var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET scenes (id BIGINT, lighting VARCHAR, image BLOB, emb EMBEDDING(3))");
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC");
        s.Execute("CREATE DATASET ids AS SELECT * FROM (VALUES " + string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"({i})")) + ") v(id)");
        s.Execute("INSERT INTO scenes SELECT id, CASE WHEN id % 3 = 0 THEN 'night' ELSE 'day' END, @img, @emb FROM ids",
            new Dictionary<string, object?> { ["img"] = png, ["emb"] = new float[] { 1, 2, 3 } });
        return s;
    }

    private static List<long> Ids(QueryLakeSession s, string file) => s.Query($"SELECT id FROM '{file}'").Rows().Select(r => (long)r[0]!).ToList();

    [Theory]
    [InlineData("parquet", "parquet")]
    [InlineData("arrow", "arrow")]
    [InlineData("json", "jsonl")]
    [InlineData("csv", "csv")]
    public void Shards_hold_every_row_once_and_the_seed_fixes_the_order(string format, string ext)
    {
        using var s = Scenes();
        using var dir = new TempDir();
        string Export(string name, string shuffle) =>
            s.Query($"COPY (SELECT id, lighting FROM scenes) TO '{dir.File(name)}' (FORMAT {format}, SHARDS 3{shuffle})").Rows().Single()[0]!.ToString()!;
        Assert.Equal("1000", Export("a", ", SHUFFLE SEED 11"));
        Export("b", ", SHUFFLE SEED 11");
        Export("c", ", SHUFFLE SEED 12");
        Export("plain", "");
        var shards = Enumerable.Range(0, 3).Select(i => $"part-{i:D5}-of-00003.{ext}").ToList();
        Assert.Equal(shards, Directory.GetFiles(dir.File("a")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var a = shards.Select(f => Ids(s, Path.Combine(dir.File("a"), f))).ToList();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), a.SelectMany(x => x).Order());
        Assert.True(a.Max(x => x.Count) - a.Min(x => x.Count) <= 1);
        Assert.NotEqual(Enumerable.Range(0, 334).Select(i => (long)i), a[0]); // shuffled
        foreach (var f in shards) Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), f)), File.ReadAllBytes(Path.Combine(dir.File("b"), f)));
        Assert.NotEqual(a[0], Ids(s, Path.Combine(dir.File("c"), shards[0])));
        // Without a shuffle, rows are dealt round-robin in order.
        for (int i = 0; i < 3; i++)
            Assert.Equal(Enumerable.Range(0, 1000).Where(x => x % 3 == i).Select(x => (long)x), Ids(s, Path.Combine(dir.File("plain"), shards[i])));
    }

    [Fact]
    public void DuckDB_reads_the_parquet_shards()
    {
        using var s = Scenes();
        using var dir = new TempDir();
        s.Execute($"COPY (SELECT id, lighting, emb FROM scenes) TO '{dir.File("out")}' (FORMAT parquet, SHARDS 4, SHUFFLE SEED 3)");
        var files = Directory.GetFiles(dir.File("out")).Order(StringComparer.Ordinal).ToArray();
        var read = DuckDbParquetMatrix.Read(files);
        Assert.Equal(1000, read.Sum(f => f!["rows"]!.AsArray().Count));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            read.SelectMany(f => f!["rows"]!.AsArray().Select(r => (string)r![0]!)).OrderBy(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([1.0, 2.0, 3.0], read[0]!["rows"]![0]![2]!.AsArray().Select(x => (double)x!));
        // Our own reader gives the embedding type back (the ARROW:schema footer entry).
        Assert.Equal("embedding<3>", ParquetFileReader.Open(files[0]).Schema.Fields[2].DataType.ToString());
    }

    [Fact]
    public void Webdataset_shards_are_tar_files_with_one_file_per_field()
    {
        using var s = Scenes();
        using var dir = new TempDir();
        s.Execute("UPDATE scenes SET lighting = NULL WHERE id = 5");
        s.Execute($"COPY (SELECT id AS __key__, lighting, image, emb FROM scenes WHERE id < 10) TO '{dir.File("wds")}' (FORMAT webdataset, SHARDS 2)");
        var extracted = dir.File("x");
        Directory.CreateDirectory(extracted);
        foreach (var tar in Directory.GetFiles(dir.File("wds")))
        {
            var psi = new ProcessStartInfo("tar") { RedirectStandardError = true };
            foreach (var a in new[] { "-xf", tar, "-C", extracted }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"GNU tar could not read {tar}: {p.StandardError.ReadToEnd()}");
        }
        var names = Directory.GetFiles(extracted).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("0.image.png", names);
        Assert.Contains("0.emb.npy", names);
        Assert.Equal("night", File.ReadAllText(Path.Combine(extracted, "0.lighting.txt")));
        Assert.DoesNotContain("5.lighting.txt", names); // NULL fields are left out
        Assert.Equal(10 * 3 - 1, names.Count);
        var npy = File.ReadAllBytes(Path.Combine(extracted, "3.emb.npy"));
        Assert.Equal("\u0093NUMPY", System.Text.Encoding.Latin1.GetString(npy, 0, 6));
        Assert.Equal(0, (npy.Length - 12) % 4);
        Assert.Equal([1f, 2f, 3f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(npy.AsSpan(npy.Length - 12)).ToArray());
        Assert.Equal(Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"),
            File.ReadAllBytes(Path.Combine(extracted, "7.image.png")));
    }

    [Fact]
    public void Bad_training_options_are_named()
    {
        using var s = Scenes();
        var e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Query("COPY (SELECT 1) TO '/tmp/x' (FORMAT parquet, SHARDS 0)"));
        Assert.Contains("SHARDS must be a positive integer", e.Message);
        e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Query("COPY (SELECT 1) TO '/tmp/x' (FORMAT tfrecord)"));
        Assert.Contains("unknown COPY format 'tfrecord'", e.Message);
        e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Query("COPY (SELECT 1) TO '/tmp/x' (SHUFFLE SEED 1, SHUFFLE)"));
        Assert.Contains("SHUFFLE is given twice", e.Message);
    }
}
