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

    /// <summary>libpng's view of a PNG (netpbm's pngtopam, linked to libpng16) as RGBA bytes: grey repeated into R, G
    /// and B, samples scaled to 0–255 (16-bit ones by their high byte, rounded), opaque where there is no alpha.</summary>
    private static (int W, int H, byte[] Rgba) Libpng(string png)
    {
        var (exit, _, err) = Programs.Exec("/bin/sh", null, "-c", $"/usr/bin/pngtopam -alphapam '{png}' > '{png}.pam'");
        Assert.True(exit == 0, $"pngtopam: {err}");
        var pam = File.ReadAllBytes(png + ".pam");
        int end = System.Text.Encoding.ASCII.GetString(pam, 0, Math.Min(pam.Length, 512)).IndexOf("ENDHDR\n", StringComparison.Ordinal) + 7;
        var header = System.Text.Encoding.ASCII.GetString(pam, 0, end).Split('\n').Select(l => l.Split(' ')).Where(p => p.Length >= 2).ToDictionary(p => p[0], p => p[1]);
        int w = int.Parse(header["WIDTH"], System.Globalization.CultureInfo.InvariantCulture), h = int.Parse(header["HEIGHT"], System.Globalization.CultureInfo.InvariantCulture);
        int depth = int.Parse(header["DEPTH"], System.Globalization.CultureInfo.InvariantCulture), max = int.Parse(header["MAXVAL"], System.Globalization.CultureInfo.InvariantCulture);
        int bytes = max > 255 ? 2 : 1;
        var rgba = new byte[w * h * 4];
        for (int p = 0; p < w * h; p++)
        {
            int Sample(int k)
            {
                int at = end + (p * depth + k) * bytes;
                int v = bytes == 2 ? pam[at] << 8 | pam[at + 1] : pam[at];
                return (int)Math.Round(v * 255.0 / max);
            }
            bool grey = depth <= 2, alpha = depth is 2 or 4;
            for (int c = 0; c < 3; c++) rgba[p * 4 + c] = (byte)Sample(grey ? 0 : c);
            rgba[p * 4 + 3] = (byte)(alpha ? Sample(depth - 1) : 255);
        }
        return (w, h, rgba);
    }

    [Fact]
    public void Pixels_match_libpng_in_every_colour_type_and_depth()
    {
        Assert.True(File.Exists("/usr/bin/pngtopam"), "netpbm (pngtopam, on libpng) is installed by tests/run.sh");
        using var dir = new TempDir();
        foreach (var file in Files(dir))
        {
            var ours = ImageCodec.Decode(File.ReadAllBytes(file));
            var theirs = Libpng(file);
            Assert.Equal((theirs.W, theirs.H), (ours.W, ours.H));
            int worst = 0;
            for (int i = 0; i < ours.Rgba.Length; i++) worst = Math.Max(worst, Math.Abs(ours.Rgba[i] - theirs.Rgba[i]));
            // 8-bit samples agree exactly; a 16-bit sample may round its low byte the other way.
            Assert.True(worst <= 1, $"{Path.GetFileName(file)}: a sample differs by {worst} from libpng's");
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
