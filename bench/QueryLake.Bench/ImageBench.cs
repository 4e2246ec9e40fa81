using System.Diagnostics;
using QueryLake.Demo;
using QueryLake.Formats.Images;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// Image decoding through ImageSharp (ImageCodec) on the @stdlib photographs (tests/oracles) and on demo PNGs:
/// images/s and MB/s of compressed input, the decoded pixels' write rate next to the machine's memory copy
/// bandwidth, and libjpeg-turbo's djpeg on the same JPEGs (one process per file, so its start is counted:
/// an upper bound). Then thumbnail and image_resize through SQL on the demo PNGs.
/// </summary>
internal static class ImageBench
{
    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        int pngs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        Console.WriteLine($"CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; ImageSharp 2.1.13 through ImageCodec");
        double copy = Limits.MemoryCopyBytesPerSecond();
        Console.WriteLine($"memory copy bandwidth (one core): {copy / 1e9:F1} GB/s");

        var root = Path.Combine(FindRepo(), "tests", "oracles", "node_modules", "@stdlib");
        var photos = Directory.GetDirectories(root, "datasets-img-*")
            .SelectMany(d => Directory.GetFiles(d, "*.jpg", SearchOption.AllDirectories)).Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).ToList();
        Report("@stdlib photographs (JPEG)", photos, repeat, copy);
        NotebookHtml("@stdlib photographs", photos);
        if (File.Exists("/usr/bin/djpeg"))
        {
            var files = Directory.GetDirectories(root, "datasets-img-*")
                .SelectMany(d => Directory.GetFiles(d, "*.jpg", SearchOption.AllDirectories)).Order(StringComparer.Ordinal).ToList();
            double djpeg = Measure.MedianSeconds(repeat, () =>
            {
                foreach (var f in files)
                {
                    using var p = Process.Start(new ProcessStartInfo("/usr/bin/djpeg", ["-outfile", "/dev/null", f]))!;
                    p.WaitForExit();
                }
            });
            Console.WriteLine($"  peer libjpeg-turbo djpeg (a process per file): {djpeg * 1000:F0} ms for {files.Count}, {files.Count / djpeg:F1} images/s");
        }

        var demo = DemoPngs(pngs);
        Report($"{pngs:N0} demo PNGs ({SceneRenderer.Width} × {SceneRenderer.Height})", demo, repeat, copy);
        NotebookHtml("demo PNGs (the first 60)", demo.Take(60).ToList());

        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET frames (image BLOB)");
        for (int start = 0; start < demo.Count; start += 500)
        {
            var chunk = demo.Skip(start).Take(500).ToList();
            var p = chunk.Select((b, i) => ($"b{i}", (object?)b)).ToDictionary(x => x.Item1, x => x.Item2);
            session.Execute("INSERT INTO frames VALUES " + string.Join(", ", chunk.Select((_, i) => $"(@b{i})")), p);
        }
        foreach (var sql in new[]
                 {
                     "SELECT sum(image_brightness(image)) FROM frames",
                     "SELECT sum(image_width(thumbnail(image, 32))) FROM frames",
                     "SELECT sum(image_width(image_resize(image, 224, 224, 'bilinear'))) FROM frames",
                 })
        {
            double s = Measure.MedianSeconds(repeat, () => session.Query(sql).Rows().ToList());
            Console.WriteLine($"  {sql}: {s * 1000:F0} ms, {pngs / s:F0} images/s");
        }
    }

    /// <summary>Notebook HTML per row for a table of the images: thumbnails downscaled and re-encoded (now) against the
    /// whole file inlined as base64, as the HTML did before (what the row would take).</summary>
    private static void NotebookHtml(string what, List<byte[]> images)
    {
        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET shown (content BLOB)");
        foreach (var b in images) session.Execute("INSERT INTO shown VALUES (@c)", new Dictionary<string, object?> { ["c"] = b });
        var result = session.Query("SELECT content FROM shown");
        var clock = Stopwatch.StartNew();
        var html = QueryLake.Display.ResultHtml.Render(result.Schema, result.Batches, maxRows: images.Count);
        double seconds = clock.Elapsed.TotalSeconds;
        double inlined = images.Average(b => 4.0 * ((b.Length + 2) / 3));
        Console.WriteLine($"  notebook HTML for {what}: {html.Length / (double)images.Count:F0} bytes per row with downscaled thumbnails " +
                          $"(rendered in {seconds * 1000 / images.Count:F1} ms a row); the whole image inlined would take {inlined:F0}");
    }

    private static void Report(string what, List<byte[]> images, int repeat, double copy)
    {
        long compressed = images.Sum(b => (long)b.Length), pixels = 0;
        foreach (var b in images) { var (w, h, _) = ImageCodec.Decode(b); pixels += (long)w * h; }
        double s = Measure.MedianSeconds(repeat, () => { foreach (var b in images) ImageCodec.Decode(b); });
        Console.WriteLine($"{what}: {images.Count} images, {compressed / 1e6:F2} MB compressed, {pixels / 1e6:F1} Mpixels");
        Console.WriteLine($"  ImageSharp decode: {s * 1000:F0} ms, {images.Count / s:F1} images/s, {compressed / s / 1e6:F1} MB/s in, " +
                          $"{pixels * 4 / s / 1e9:F2} GB/s of RGBA out ({pixels * 4 / s / copy * 100:F1}% of memory copy bandwidth)");
    }

    /// <summary>Demo frames (random lighting and weather, seed 7) as PNGs, as the demo renders them.</summary>
    public static List<byte[]> DemoPngs(int count)
    {
        var rng = new Random(7);
        string[] lightings = ["day", "night", "dusk"], weathers = ["clear", "rain", "hail", "fog"];
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (rgba, _) = SceneRenderer.Render(lightings[rng.Next(3)], weathers[rng.Next(4)], rng);
            return PngEncoder.Encode(SceneRenderer.Width, SceneRenderer.Height, rgba);
        }).ToList();
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "QueryLake.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("run from inside the repository");
    }
}
