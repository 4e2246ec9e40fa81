using System.Diagnostics;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Formats.Images;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats;

/// <summary>JPEG decoding (ImageSharp, through ImageCodec) against jpeg-js (an independent decoder) on the @stdlib photographs, and, where
/// libjpeg-turbo's tools are installed (tests/run.sh installs them), on progressive, subsampled and restart-marker
/// re-encodings: a progressive file from jpegtran holds the same coefficients, so it must decode to exactly the
/// baseline's pixels. Corrupted JPEGs fail with a QueryLake error only.</summary>
public sealed class JpegDecodingTests
{
    public static IEnumerable<string> Photographs() =>
        Directory.GetDirectories(Path.Combine(Oracles.OraclesDir, "node_modules", "@stdlib"), "datasets-img-*")
            .SelectMany(d => Directory.GetFiles(d, "*.jpg", SearchOption.AllDirectories)).Order(StringComparer.Ordinal);

    private static (double MeanAbs, double Brightness) Compare(byte[] jpeg, JsonElement oracle)
    {
        var (w, h, rgba) = ImageCodec.Decode(jpeg);
        Assert.Equal(oracle.GetProperty("width").GetInt32(), w);
        Assert.Equal(oracle.GetProperty("height").GetInt32(), h);
        var theirs = Convert.FromBase64String(oracle.GetProperty("rgba").GetString()!);
        long diff = 0;
        double luma = 0;
        for (int i = 0; i < rgba.Length; i += 4)
        {
            for (int k = 0; k < 3; k++) diff += Math.Abs(rgba[i + k] - theirs[i + k]);
            luma += 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
        }
        return (diff / (rgba.Length / 4.0 * 3), luma / (w * (double)h) / 255);
    }

    [Fact]
    public void Photographs_decode_as_jpeg_js_decodes_them()
    {
        var files = Photographs().ToList();
        Assert.True(files.Count >= 5, "the @stdlib photographs are installed by tests/run.sh");
        var oracle = JsonDocument.Parse(Oracles.RunNode("jpeg-stats.mjs", [.. files])).RootElement;
        for (int i = 0; i < files.Count; i++)
        {
            var (meanAbs, brightness) = Compare(File.ReadAllBytes(files[i]), oracle[i]);
            // Both are exact to within IDCT rounding: a level or so per sample on average.
            Assert.True(meanAbs < 1.5, $"{files[i]}: mean absolute difference {meanAbs}");
            Assert.True(Math.Abs(brightness - oracle[i].GetProperty("brightness").GetDouble()) < 0.003, $"{files[i]}: brightness {brightness}");
        }
        using var session = QueryLake.Sessions.QueryLakeSession.Open();
        var row = session.Query("SELECT image_is_valid(@j), image_brightness(@j), image_width(thumbnail(@j, 64))",
            new Dictionary<string, object?> { ["j"] = File.ReadAllBytes(files[0]) }).Rows().Single();
        Assert.Equal(true, row[0]);
        Assert.True(Math.Abs((double)row[1]! - oracle[0].GetProperty("brightness").GetDouble()) < 0.003);
        Assert.Equal(64L, row[2]);
    }

    private static bool Tool(string name) => File.Exists("/usr/bin/" + name);

    private static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} failed: {p.StandardError.ReadToEnd()}");
    }

    [Fact]
    public void Progressive_subsampled_and_restart_encodings_decode()
    {
        Assert.True(Tool("jpegtran") && Tool("cjpeg") && Tool("djpeg"), "libjpeg-turbo-progs is installed by tests/run.sh");
        using var dir = new TempDir();
        var source = Photographs().First();
        var progressive = dir.File("progressive.jpg");
        Run("jpegtran", "-progressive", "-outfile", progressive, source);
        Assert.Equal(ImageCodec.Decode(File.ReadAllBytes(source)).Rgba, ImageCodec.Decode(File.ReadAllBytes(progressive)).Rgba);
        // Re-encode with 4:2:0 and 4:2:2 subsampling, restart markers, greyscale, progressive: compare with jpeg-js.
        var ppm = dir.File("source.ppm");
        Run("djpeg", "-outfile", ppm, source);
        var variants = new List<string>();
        foreach (var (name, args) in new[]
        {
            ("s420", new[] { "-sample", "2x2" }), ("s422", ["-sample", "2x1"]), ("restart", ["-restart", "3"]),
            ("grey", ["-grayscale"]), ("prog420", ["-progressive", "-sample", "2x2", "-restart", "1"]),
        })
        {
            var file = dir.File(name + ".jpg");
            Run("cjpeg", [.. args, "-outfile", file, ppm]);
            variants.Add(file);
        }
        var oracle = JsonDocument.Parse(Oracles.RunNode("jpeg-stats.mjs", [.. variants])).RootElement;
        for (int i = 0; i < variants.Count; i++)
        {
            var (meanAbs, _) = Compare(File.ReadAllBytes(variants[i]), oracle[i]);
            // Chroma upsampling differs between decoders (nearest here, smoothing in jpeg-js): allow a few levels.
            Assert.True(meanAbs < 4, $"{Path.GetFileName(variants[i])}: mean absolute difference {meanAbs}");
        }
    }

    [Fact]
    public void Corrupted_jpegs_fail_cleanly()
    {
        var valid = File.ReadAllBytes(Photographs().First());
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            var bytes = Corruptions.Apply(valid, c);
            Assert.True(Bounded.Run(() =>
            {
                try { ImageCodec.Decode(bytes); }
                catch (QueryLake.Errors.QueryLakeException) { }
            }, TimeSpan.FromSeconds(20)), $"decoding a corrupted JPEG hung: {c}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
