using FsCheck;
using FsCheck.Fluent;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using QueryLake.Display;
using QueryLake.Interactive;
using QueryLake.Sessions;
using QueryLake.Tests.Formats;
using QueryLake.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using Xunit.Abstractions;

namespace QueryLake.Tests.Notebooks;

/// <summary>The notebook kernel in process (a composite kernel with a QueryLake kernel in it): cells display results,
/// fail with QueryLake's code and message only, keep named results for other kernels, plot; thumbnails of real
/// photographs stay under 8 KB and keep the picture's colours; the histogram counts every value once.</summary>
public sealed class QueryLakeKernelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private CompositeKernel Kernel(bool readOnly = false)
    {
        QueryLakeKernelExtension.RegisterFormatters();
        var session = QueryLakeSession.Open(_dir.File("lake"));
        session.ReadOnly = readOnly;
        return new CompositeKernel { new QueryLakeKernel("lake", session) };
    }

    private static string Html(KernelCommandResult result) => string.Join("\n", result.Events.OfType<DisplayEvent>()
        .SelectMany(e => e.FormattedValues).Where(v => v.MimeType == "text/html").Select(v => v.Value));

    [Fact]
    public async Task Cells_display_results_keep_them_by_name_and_fail_with_QueryLake_errors()
    {
        using var kernel = Kernel();
        var created = await kernel.SendAsync(new SubmitCode("#!lake\nCREATE DATASET t AS SELECT range AS x, CASE WHEN range % 3 = 0 THEN NULL ELSE range END AS y FROM range(10);\nSELECT * FROM t ORDER BY x"));
        Assert.DoesNotContain(created.Events, e => e is CommandFailed);
        var html = Html(created);
        Assert.Contains("querylake-result", html);
        Assert.Contains("ql-null", html);
        Assert.Contains("10 rows", html);

        var named = await kernel.SendAsync(new SubmitCode("#!lake --name total\nSELECT sum(x) AS s FROM t"));
        Assert.DoesNotContain(named.Events, e => e is CommandFailed);
        var value = await kernel.SendAsync(new RequestValue("total", targetKernelName: "lake"));
        var produced = Assert.Single(value.Events.OfType<ValueProduced>());
        var shared = Assert.IsType<QueryResult>(produced.Value);
        Assert.Equal(45L, shared.Rows().Single()[0]);
        var json = await kernel.SendAsync(new RequestValue("total", mimeType: "application/json", targetKernelName: "lake"));
        Assert.Equal("[{\"s\":45}]", json.Events.OfType<ValueProduced>().Single().FormattedValue.Value);
        var infos = await kernel.SendAsync(new RequestValueInfos("lake"));
        Assert.Contains(infos.Events.OfType<ValueInfosProduced>().Single().ValueInfos, i => i.Name == "total");

        var missing = await kernel.SendAsync(new RequestValue("nothing", targetKernelName: "lake"));
        Assert.Contains("no result named 'nothing'", missing.Events.OfType<CommandFailed>().Single().Message);

        var failed = await kernel.SendAsync(new SubmitCode("#!lake\nSELECT nope FROM t"));
        var message = failed.Events.OfType<CommandFailed>().Single().Message;
        Assert.StartsWith("QL-COLUMN-NOT-FOUND: ", message);
        Assert.Null(ErrorTextScan.Offending(message));
        var syntax = await kernel.SendAsync(new SubmitCode("#!lake\nSELEC 1"));
        Assert.StartsWith("QL-SYNTAX", syntax.Events.OfType<CommandFailed>().Single().Message);
    }

    [Fact]
    public async Task Plots_and_read_only_lakes()
    {
        using (var writer = Kernel())
            Assert.DoesNotContain((await writer.SendAsync(new SubmitCode("#!lake\nCREATE DATASET t AS SELECT range AS x FROM range(100)"))).Events, e => e is CommandFailed);
        using var kernel = Kernel(readOnly: true);
        var histogram = Html(await kernel.SendAsync(new SubmitCode("#!lake --plot\nSELECT x FROM t")));
        Assert.Contains("<svg class=\"querylake-plot\"", histogram);
        Assert.Contains("100 values, 0 to 99", histogram);
        var wrongShape = await kernel.SendAsync(new SubmitCode("#!lake --plot\nSELECT 'a' AS a, 'b' AS b"));
        Assert.StartsWith("QL-BAD-ARGUMENT: a plot needs", wrongShape.Events.OfType<CommandFailed>().Single().Message);
        var refused = await kernel.SendAsync(new SubmitCode("#!lake\nINSERT INTO t VALUES (1)"));
        Assert.StartsWith("QL-READ-ONLY", refused.Events.OfType<CommandFailed>().Single().Message);
    }

    [Fact]
    public void A_histogram_counts_every_value_once_and_leaves_out_nulls()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<double?[]>(), values =>
        {
            using var session = QueryLakeSession.Open();
            var rows = values.Select(v => v is { } d && double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "NULL").ToList();
            var sql = rows.Count == 0 ? "SELECT CAST(1.0 AS DOUBLE) AS v WHERE false" : "SELECT CAST(v AS DOUBLE) AS v FROM (VALUES " + string.Join(", ", rows.Select(r => $"({r})")) + ") t(v)";
            var result = session.Query(sql);
            var svg = ResultPlot.Svg(result.Schema, result.Batches, out _)!;
            long finite = values.Count(v => v is { } d && double.IsFinite(d));
            long counted = System.Text.RegularExpressions.Regex.Matches(svg, @"<title>[^<]*: (\d+)</title>").Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            return counted == finite && (finite == values.Length || svg.Contains($"{values.Length - finite} NULL or NaN left out"));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Thumbnails_of_photographs_are_small_and_keep_their_colours()
    {
        long total = 0;
        foreach (var file in JpegDecodingTests.Photographs())
        {
            var bytes = File.ReadAllBytes(file);
            var (format, thumb) = ResultHtml.Thumbnail(bytes)!.Value;
            Assert.InRange(thumb.Length, 200, ResultHtml.MaxThumbnailBytes);
            using var original = Image.Load<Rgb24>(bytes);
            using var small = Image.Load<Rgb24>(thumb);
            Assert.Equal(ResultHtml.ThumbnailSize, Math.Max(small.Width, small.Height));
            var (a, b) = (Mean(original), Mean(small));
            for (int c = 0; c < 3; c++) Assert.True(Math.Abs(a[c] - b[c]) < 4, $"{file}: channel {c} mean {a[c]:F1} against {b[c]:F1} ({format})");
            total += thumb.Length;
        }
        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET photos (content BLOB)");
        foreach (var file in JpegDecodingTests.Photographs().Concat(JpegDecodingTests.Photographs()).Take(60).Concat(Enumerable.Repeat(JpegDecodingTests.Photographs().First(), 60)).Take(60))
            session.Execute("INSERT INTO photos VALUES (@c)", new Dictionary<string, object?> { ["c"] = File.ReadAllBytes(file) });
        var html = ResultHtml.Render(session.Query("SELECT content FROM photos").Schema, session.Query("SELECT content FROM photos").Batches, maxRows: 60);
        output.WriteLine($"{total / JpegDecodingTests.Photographs().Count()} bytes per thumbnail; 60 photograph rows: {html.Length / 1024} KB of HTML, {html.Length / 60} bytes per row");
        Assert.True(html.Length < 60 * 12 * 1024, $"{html.Length} bytes of HTML for 60 rows");
    }

    private static double[] Mean(Image<Rgb24> image)
    {
        var sum = new double[3];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y)) { sum[0] += p.R; sum[1] += p.G; sum[2] += p.B; }
        });
        return sum.Select(s => s / (image.Width * (double)image.Height)).ToArray();
    }
}
