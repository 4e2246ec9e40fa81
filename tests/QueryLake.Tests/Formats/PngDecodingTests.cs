using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Formats.Images;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats;

/// <summary>PNG decoding (ImageSharp, through ImageCodec) against pngjs (an independent decoder) on real PNGs and on
/// pngjs re-encodings in every colour type and bit depth it writes: sizes, pixels and mean luma agree; corrupted PNGs
/// fail with a QueryLake error (FsCheck), never anything else.</summary>
public sealed class PngDecodingTests
{
    private static List<string> Files(TempDir dir)
    {
        var data = Path.GetDirectoryName(Oracles.VegaData("cars.json"))!;
        var originals = Directory.GetFiles(data, "*.png").Order(StringComparer.Ordinal).ToList();
        var variants = JsonSerializer.Deserialize<List<string>>(Oracles.RunNode("png-variants.mjs", originals[0], dir.Path))!;
        return [.. originals, .. variants];
    }

    [Fact]
    public void Pixels_and_brightness_match_pngjs()
    {
        using var dir = new TempDir();
        var files = Files(dir);
        var expected = JsonDocument.Parse(Oracles.RunNode("png-stats.mjs", [.. files])).RootElement;
        using var session = QueryLakeSession.Open();
        for (int i = 0; i < files.Count; i++)
        {
            var e = expected[i];
            var (w, h, rgba) = ImageCodec.Decode(File.ReadAllBytes(files[i]));
            Assert.Equal(e.GetProperty("width").GetInt32(), w);
            Assert.Equal(e.GetProperty("height").GetInt32(), h);
            Assert.Equal(e.GetProperty("first").EnumerateArray().Select(x => x.GetInt32()), rgba.Take(4).Select(x => (int)x));
            int mid = ((h >> 1) * w + (w >> 1)) * 4;
            Assert.Equal(e.GetProperty("middle").EnumerateArray().Select(x => x.GetInt32()), rgba.Skip(mid).Take(4).Select(x => (int)x));
            var brightness = (double)session.Query("SELECT image_brightness(@img)", new Dictionary<string, object?> { ["img"] = File.ReadAllBytes(files[i]) }).Rows().Single()[0]!;
            Assert.True(Math.Abs(brightness - e.GetProperty("brightness").GetDouble()) < 1e-9, $"{Path.GetFileName(files[i])}: {brightness} vs pngjs {e.GetProperty("brightness").GetDouble()}");
        }
    }

    [Fact]
    public void Corrupted_pngs_fail_cleanly_and_try_forms_give_null()
    {
        using var dir = new TempDir();
        var valid = File.ReadAllBytes(Files(dir)[0]);
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            var bytes = Corruptions.Apply(valid, c);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { ImageCodec.Decode(bytes); }
            catch (QueryLake.Errors.QueryLakeException) { }
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), property);
        using var session = QueryLakeSession.Open();
        var broken = valid[..(valid.Length / 2)];
        var row = session.Query("SELECT image_is_valid(@b), try_image_brightness(@b), image_is_valid(@g)", new Dictionary<string, object?> { ["b"] = broken, ["g"] = valid }).Rows().Single();
        Assert.Equal([false, null, true], row);
        var err = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => session.Query("SELECT image_brightness(@b)", new Dictionary<string, object?> { ["b"] = broken }));
        Assert.Contains("does not decode", err.Message);
    }

    [Fact]
    public void Stats_and_thumbnails_come_from_the_pixels()
    {
        using var dir = new TempDir();
        var png = File.ReadAllBytes(Files(dir)[0]);
        var (w, h, _) = ImageCodec.Decode(png);
        using var session = QueryLakeSession.Open();
        var p = new Dictionary<string, object?> { ["img"] = png };
        var stats = (Dictionary<string, object?>)session.Query("SELECT image_stats(@img)", p).Rows().Single()[0]!;
        Assert.Equal((long)w, stats["width"]);
        Assert.Equal((double)session.Query("SELECT image_brightness(@img)", p).Rows().Single()[0]!, (double)stats["brightness"]!, 12);
        Assert.InRange((double)stats["contrast"]!, 0.0, 0.5);
        var thumb = (byte[])session.Query("SELECT thumbnail(@img, 32)", p).Rows().Single()[0]!;
        var (tw, th, _) = ImageCodec.Decode(thumb); // a valid PNG again
        Assert.Equal(32, Math.Max(tw, th));
        var header = ImageHeader.Read(thumb)!.Value;
        Assert.Equal(("png", tw, th), (header.Format, header.Width, header.Height));
        // Mean brightness survives box-filter downscaling closely.
        var small = (double)session.Query("SELECT image_brightness(@t)", new Dictionary<string, object?> { ["t"] = thumb }).Rows().Single()[0]!;
        Assert.True(Math.Abs(small - (double)stats["brightness"]!) < 0.03, $"{small} vs {stats["brightness"]}");
    }
}
