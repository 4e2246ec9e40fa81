using QueryLake.Columnar.Types;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Ingest;

/// <summary>IMPORT FILES: one row per file with its kind and format sniffed from the bytes, image sizes from the
/// header, and unreadable or empty files recorded without stopping the import.</summary>
public sealed class ImportFilesTests
{
    private sealed class Recorder : IProgress<StatementProgress>
    {
        public List<StatementProgress> Reports { get; } = [];
        public void Report(StatementProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Files_become_rows_with_kinds_formats_sizes_and_errors()
    {
        using var dir = new TempDir();
        var data = Path.GetDirectoryName(Oracles.VegaData("cars.json"))!;
        var pngs = Directory.GetFiles(data, "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(pngs);
        Directory.CreateDirectory(dir.File("raw/sub"));
        foreach (var p in pngs) File.Copy(p, dir.File("raw/" + Path.GetFileName(p)));
        File.Copy(Oracles.VegaData("cars.json"), dir.File("raw/sub/cars.json"));
        File.WriteAllBytes(dir.File("raw/sub/empty.jpg"), []);
        File.WriteAllBytes(dir.File("raw/sub/sound.wav"), [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVEfmt "u8]);
        File.CreateSymbolicLink(dir.File("raw/sub/broken.png"), dir.File("nowhere.png"));
        using var s = QueryLakeSession.Open();
        var progress = new Recorder();
        s.Progress = progress;
        Assert.Equal(pngs.Count + 4L, s.Query($"IMPORT FILES '{dir.File("raw")}/**' INTO raw").RowsAffected);
        var kinds = s.Query("SELECT kind, format, count(*) FROM raw GROUP BY ALL ORDER BY 1, 2").Rows().Select(r => $"{r[0]} {r[1] ?? "-"} {r[2]}").ToList();
        Assert.Equal(["audio wav 1", "blob - 1", "empty - 1", $"image png {pngs.Count}", "unreadable - 1"], kinds);
        var broken = s.Query("SELECT error, content FROM raw WHERE kind = 'unreadable'").Rows().Single();
        Assert.Contains("broken.png", (string)broken[0]!);
        Assert.Null(broken[1]);
        var first = s.Query($"SELECT size, width, height, content FROM raw WHERE path = '{dir.File("raw/" + Path.GetFileName(pngs[0]))}'").Rows().Single();
        var bytes = File.ReadAllBytes(pngs[0]);
        Assert.Equal((long)bytes.Length, first[0]);
        Assert.Equal((long)System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), first[1]);
        Assert.Equal(bytes, (byte[])first[3]!);
        var facts = s.Query($"SELECT image_format(content), image_width(content), image_height(content), image_channels(content) FROM raw WHERE path = '{dir.File("raw/" + Path.GetFileName(pngs[0]))}'").Rows().Single();
        Assert.Equal("png", facts[0]);
        Assert.Equal(first[1], facts[1]);
        Assert.Equal(first[2], facts[2]);
        Assert.Equal((long)(bytes[25] switch { 0 => 1, 2 => 3, 3 => 3, 4 => 2, _ => 4 }), facts[3]);
        Assert.Null(s.Query("SELECT image_width(content) FROM raw WHERE kind = 'audio'").Rows().Single()[0]);
        Assert.Equal(pngs.Count + 4L, progress.Reports[^1].Rows);
        Assert.Equal(pngs.Count + 4L, progress.Reports[^1].TotalRows);
        // Only images: the content column is IMAGE.
        s.Execute($"IMPORT FILES '{dir.File("raw")}/*.png' INTO images");
        Assert.IsType<ImageType>(s.Lake.OpenDataset("images").Schema.Fields[8].DataType);
        // Importing again appends (one new version), matching columns by name.
        s.Execute($"IMPORT FILES '{dir.File("raw")}/*.png' INTO images");
        Assert.Equal(2L * pngs.Count, s.Query("SELECT count(*) FROM images").Rows().Single()[0]);
        var e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => s.Execute($"IMPORT FILES '{dir.File("raw")}/*.tiff' INTO none"));
        Assert.Contains("no file matches", e.Message);
    }
}
