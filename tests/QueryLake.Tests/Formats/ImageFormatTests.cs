using QueryLake.Errors;
using QueryLake.Formats.Images;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace QueryLake.Tests.Formats;

/// <summary>Every format ImageSharp decodes for QueryLake, written by independent encoders (netpbm's pamtotiff, pamtogif,
/// ppmtobmp, pamtotga; libwebp's cwebp), decodes to exactly the pixels they were given; the transforms cut, pad and
/// re-encode pixels exactly (WebP checked with libwebp's dwebp); hostile headers are refused before allocation.</summary>
public sealed class ImageFormatTests : IDisposable
{
    private const int W = 37, H = 23;
    private readonly TempDir _dir = new();
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public void Dispose()
    {
        _session.Dispose();
        _dir.Dispose();
    }

    /// <summary>A picture with at most 64 colours (so GIF's palette holds it exactly), as RGB bytes.</summary>
    private static byte[] Pixels()
    {
        var rgb = new byte[W * H * 3];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = (y * W + x) * 3;
                rgb[i] = (byte)(x * 7 % 4 * 85); rgb[i + 1] = (byte)(y * 5 % 4 * 85); rgb[i + 2] = (byte)((x + y) % 4 * 85);
            }
        return rgb;
    }

    private string Ppm(byte[] rgb)
    {
        var path = _dir.File("source.ppm");
        using var f = File.Create(path);
        f.Write(System.Text.Encoding.ASCII.GetBytes($"P6\n{W} {H}\n255\n"));
        f.Write(rgb);
        return path;
    }

    private static string Tool(string name) =>
        File.Exists("/usr/bin/" + name) ? "/usr/bin/" + name : throw new InvalidOperationException($"{name} is installed by tests/run.sh (netpbm, webp)");

    /// <summary>Runs a netpbm-style filter: input on stdin, the file on stdout.</summary>
    private byte[] Filter(string tool, string input, params string[] args)
    {
        var output = _dir.File(Path.GetFileName(tool) + ".out");
        var sh = $"{Tool(tool)} {string.Join(' ', args)} < '{input}' > '{output}'";
        var (exit, _, err) = Programs.Exec("/bin/sh", null, "-c", sh);
        Assert.True(exit == 0, $"{tool}: {err}");
        return File.ReadAllBytes(output);
    }

    private static void SamePixels(byte[] rgb, (int W, int H, byte[] Rgba) decoded, string what)
    {
        Assert.Equal((W, H), (decoded.W, decoded.H));
        for (int p = 0; p < W * H; p++)
        {
            Assert.True(rgb[p * 3] == decoded.Rgba[p * 4] && rgb[p * 3 + 1] == decoded.Rgba[p * 4 + 1] && rgb[p * 3 + 2] == decoded.Rgba[p * 4 + 2],
                $"{what}: pixel {p % W},{p / W} is {decoded.Rgba[p * 4]},{decoded.Rgba[p * 4 + 1]},{decoded.Rgba[p * 4 + 2]}, not {rgb[p * 3]},{rgb[p * 3 + 1]},{rgb[p * 3 + 2]}");
            Assert.Equal(255, decoded.Rgba[p * 4 + 3]);
        }
    }

    [Fact]
    public void Tiff_gif_bmp_tga_webp_and_pbm_decode_to_the_pixels_they_were_written_with()
    {
        var rgb = Pixels();
        var ppm = Ppm(rgb);
        var files = new (string Format, byte[] Bytes)[]
        {
            ("tiff", Filter("pamtotiff", ppm)),
            ("gif", Filter("pamtogif", ppm)),
            ("bmp", Filter("ppmtobmp", ppm)),
            ("tga", Filter("pamtotga", ppm)),
            ("pbm", File.ReadAllBytes(ppm)),
        };
        var webp = _dir.File("lossless.webp");
        var (exit, _, err) = Programs.Exec(Tool("cwebp"), null, "-quiet", "-lossless", "-exact", ppm, "-o", webp);
        Assert.True(exit == 0, err);
        files = [.. files, ("webp", File.ReadAllBytes(webp))];
        foreach (var (format, bytes) in files)
        {
            SamePixels(rgb, ImageCodec.Decode(bytes), format);
            var row = _session.Query("SELECT image_format(@b), image_width(@b), image_height(@b), image_is_valid(@b)",
                new Dictionary<string, object?> { ["b"] = bytes }).Rows().Single();
            Assert.Equal([format, (long)W, (long)H, true], row);
        }
    }

    private byte[] Png() => ImageCodec.Encode(SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(Pixels(), W, H), "png");

    private byte[] Blob(string sql, byte[] png) =>
        (byte[])_session.Query(sql, new Dictionary<string, object?> { ["p"] = png }).Rows().Single()[0]!;

    [Fact]
    public void Crops_take_exactly_the_pixels_asked_for_and_center_crop_pads_as_torchvision()
    {
        var png = Png();
        var source = ImageCodec.Decode(png);
        var crop = ImageCodec.Decode(Blob("SELECT image_crop(@p, 5, 3, 10, 7)", png));
        Assert.Equal((10, 7), (crop.W, crop.H));
        for (int y = 0; y < 7; y++)
            Assert.Equal(source.Rgba.AsSpan(((y + 3) * W + 5) * 4, 40).ToArray(), crop.Rgba.AsSpan(y * 40, 40).ToArray());
        // 37 × 23 to 21: left = round(8) = 8, top = round(1) = 1.
        var center = ImageCodec.Decode(Blob("SELECT image_center_crop(@p, 21)", png));
        Assert.Equal((21, 21), (center.W, center.H));
        Assert.Equal(source.Rgba.AsSpan((1 * W + 8) * 4, 21 * 4).ToArray(), center.Rgba.AsSpan(0, 21 * 4).ToArray());
        // 37 × 23 to 31: the rows above and below are padded black (top = round(-4) = -4).
        var padded = ImageCodec.Decode(Blob("SELECT image_center_crop(@p, 31)", png));
        Assert.Equal([0, 0, 0, 255], padded.Rgba.AsSpan(0, 4).ToArray());
        Assert.Equal(source.Rgba.AsSpan((0 * W + 3) * 4, 31 * 4).ToArray(), padded.Rgba.AsSpan(4 * 31 * 4, 31 * 4).ToArray());
        var e = Assert.ThrowsAny<QueryLakeException>(() => Blob("SELECT image_crop(@p, 30, 0, 10, 5)", png));
        Assert.Equal("QL-BAD-ARGUMENT", e.Code);
        Assert.Contains("37 × 23", e.Message);
    }

    [Fact]
    public void Resize_gives_the_size_asked_for_and_nearest_doubling_repeats_pixels()
    {
        var png = Png();
        var source = ImageCodec.Decode(png);
        foreach (var method in new[] { "bilinear", "bicubic", "nearest" })
        {
            var r = ImageCodec.Decode(Blob($"SELECT image_resize(@p, 50, 9, '{method}')", png));
            Assert.Equal((50, 9), (r.W, r.H));
        }
        var doubled = ImageCodec.Decode(Blob("SELECT image_resize(@p, 74, 46, 'nearest')", png));
        for (int y = 0; y < 46; y++)
            for (int x = 0; x < 74; x++)
                Assert.Equal(source.Rgba.AsSpan(((y / 2) * W + x / 2) * 4, 4).ToArray(), doubled.Rgba.AsSpan((y * 74 + x) * 4, 4).ToArray());
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLakeException>(() => Blob("SELECT image_resize(@p, 5, 5, 'lanczos9')", png)).Code);
        Assert.Equal((64L, 40L), ((long)_session.Query("SELECT image_width(thumbnail(image_resize(@p, 370, 230), 64))", new Dictionary<string, object?> { ["p"] = png }).Rows().Single()[0]!, 40L));
    }

    [Fact]
    public void Image_to_tensor_scales_and_normalizes_as_torchvision_in_either_layout()
    {
        var png = Png();
        var rgb = Pixels();
        var p = new Dictionary<string, object?> { ["p"] = png };
        var row = _session.Query("SELECT image_to_tensor(@p), image_to_tensor(@p, 'hwc', [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), " +
            "shape(image_to_tensor(@p)), typeof(image_to_tensor(@p))", p).Rows().Single();
        var chw = (IReadOnlyDictionary<string, object?>)row[0]!;
        var hwc = (IReadOnlyDictionary<string, object?>)row[1]!;
        Assert.Equal([3, H, W], ((object?[])chw["shape"]!).Select(Convert.ToInt32));
        Assert.Equal([H, W, 3], ((object?[])hwc["shape"]!).Select(Convert.ToInt32));
        Assert.Equal([3L, (long)H, (long)W], (object?[])row[2]!);
        Assert.Equal("TENSOR<FLOAT>(rank 3)", row[3]);
        var a = ((object?[])chw["data"]!).Select(Convert.ToSingle).ToArray();
        var b = ((object?[])hwc["data"]!).Select(Convert.ToSingle).ToArray();
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        for (int px = 0; px < W * H; px++)
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal((float)(rgb[px * 3 + c] / 255.0), a[c * W * H + px]);
                Assert.Equal((float)((rgb[px * 3 + c] / 255.0 - mean[c]) / std[c]), b[px * 3 + c]);
            }
        // NumPy-style indexing of the variable-shape tensor, checked against each row's shape: a pixel, a row of one channel.
        var picked = _session.Query("SELECT image_to_tensor(@p)[1, 5, 7], image_to_tensor(@p, 'hwc')[-1, 2:5, 0], try(image_to_tensor(@p)[0, 99, 0]) " +
            "FROM (SELECT 1) t", p).Rows().Single();
        Assert.Equal((float)(rgb[(5 * W + 7) * 3 + 1] / 255.0), picked[0]);
        var slice = (IReadOnlyDictionary<string, object?>)picked[1]!;
        Assert.Equal([3], ((object?[])slice["shape"]!).Select(Convert.ToInt32));
        Assert.Equal(Enumerable.Range(2, 3).Select(x => (float)(rgb[((H - 1) * W + x) * 3] / 255.0)), ((object?[])slice["data"]!).Select(Convert.ToSingle));
        Assert.Null(picked[2]);
        Assert.Equal("QL-BAD-INDEX", Assert.ThrowsAny<QueryLakeException>(() => _session.Query("SELECT image_to_tensor(@p)[0, 99, 0] FROM (SELECT 1) t", p).Materialize()).Code);
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLakeException>(() => _session.Query("SELECT image_to_tensor(@p, 'nchw')", p).Materialize()).Code);
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLakeException>(() => _session.Query("SELECT image_to_tensor(@p, [0.5, 0.5], [1, 1])", p).Materialize()).Code);
        Assert.Null(_session.Query("SELECT try(image_to_tensor(CAST('no image' AS BLOB)))").Rows().Single()[0]);
    }

    [Fact]
    public void Encoding_as_webp_and_jpeg_reads_back_with_libwebp_and_libjpeg()
    {
        var png = Png();
        var webp = Blob("SELECT image_encode(@p, 'webp')", png);
        File.WriteAllBytes(_dir.File("x.webp"), webp);
        var (exit, _, err) = Programs.Exec(Tool("dwebp"), null, "-quiet", _dir.File("x.webp"), "-ppm", "-o", _dir.File("back.ppm"));
        Assert.True(exit == 0, err);
        var back = File.ReadAllBytes(_dir.File("back.ppm"));
        Assert.Equal(Pixels(), back[^(W * H * 3)..]);
        var jpeg = Blob("SELECT image_encode(@p, 'jpeg', 95)", png);
        File.WriteAllBytes(_dir.File("x.jpg"), jpeg);
        (exit, _, err) = Programs.Exec(Tool("djpeg"), null, "-outfile", _dir.File("j.ppm"), _dir.File("x.jpg"));
        Assert.True(exit == 0, err);
        Assert.StartsWith($"P6\n{W} {H}\n", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(_dir.File("j.ppm")), 0, 12));
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLakeException>(() => Blob("SELECT image_encode(@p, 'heic')", png)).Code);
    }

    [Fact]
    public void The_statement_timeout_stops_image_work_within_a_batch()
    {
        // 400 rows of 3000 × 3000 resizes in one batch: minutes of work, cut off by the timeout between rows (and inside
        // the decoder).
        _session.Execute("CREATE DATASET frames AS SELECT @p AS img FROM range(400)", new Dictionary<string, object?> { ["p"] = Png() });
        _session.StatementTimeout = TimeSpan.FromSeconds(1);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.ThrowsAny<QueryLakeException>(() => _session.Query("SELECT sum(image_width(image_resize(img, 3000, 3000))) FROM frames").Materialize());
        Assert.Equal("QL-TIMEOUT", e.Code);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"the timeout took {sw.Elapsed}");
        _session.StatementTimeout = null;
    }

    [Fact]
    public void Decoded_pixels_count_against_the_memory_limit_and_are_given_back_after_each_row()
    {
        // A 4000 × 3000 PNG of one colour: a few KB encoded, 48 MB decoded.
        using var big = new Image<Rgba32>(4000, 3000, new Rgba32(10, 200, 30, 255));
        using var encoded = new MemoryStream();
        big.SaveAsPng(encoded);
        var p = new Dictionary<string, object?> { ["big"] = encoded.ToArray(), ["small"] = Png() };
        _session.Execute("CREATE DATASET bigone AS SELECT @big AS img", p);
        _session.Execute("SET memory_limit = '32MB'");
        foreach (var sql in new[] { "SELECT image_brightness(img) FROM bigone", "SELECT try(image_brightness(img)) FROM bigone", "SELECT image_is_valid(img) FROM bigone", "SELECT thumbnail(img, 64) FROM bigone" })
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => _session.Query(sql).Materialize());
            Assert.True(e.Code == "QL-OUT-OF-MEMORY", $"{sql}: {e.Code} {e.Message}");
            Assert.Contains("4000 × 3000", e.Message);
        }
        // 400 rows of a small image (37 × 23, 3.4 KB decoded each) run under 1 MB: each row gives its pixels back.
        _session.Execute("SET memory_limit = '1MB'");
        _session.Execute("CREATE DATASET many AS SELECT @small AS img, range AS i FROM range(400)", p);
        Assert.Equal(400L, _session.Query("SELECT count(image_brightness(img)) FROM many").Rows().Single()[0]);
        _session.Execute("SET memory_limit = 'none'");
        Assert.NotNull(_session.Query("SELECT image_brightness(img) FROM bigone").Rows().Single()[0]);
    }

    [Fact]
    public void A_header_claiming_a_huge_image_is_refused_before_any_pixels_are_allocated()
    {
        var png = Png();
        // IHDR's width and height (bytes 16..24) set to 100000 × 100000; the CRC no longer matches, so only the size is read.
        var bomb = (byte[])png.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(20), 100_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<QueryLakeException>(() => ImageCodec.Decode(bomb));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "pixels were allocated");
        Assert.True(e.Code is "QL-IMAGE-TOO-LARGE" or "QL-IMAGE-CORRUPT", e.Code);
        var row = _session.Query("SELECT image_is_valid(@b), try(image_brightness(@b)), image_is_valid(@g)",
            new Dictionary<string, object?> { ["b"] = bomb, ["g"] = "not an image"u8.ToArray() }).Rows().Single();
        Assert.Equal([false, null, false], row);
    }
}
