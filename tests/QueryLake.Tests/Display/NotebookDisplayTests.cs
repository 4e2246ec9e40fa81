using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Microsoft.Playwright;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Display;

/// <summary>Notebook display as .NET Interactive finds it (by the attribute's name) and as a browser shows it: the
/// HTML renders in headless Chromium (Debian's, installed by tests/run.sh) with a decodable image thumbnail, a
/// summarised embedding, marked NULLs and a row count, checked in the DOM and in a screenshot.</summary>
public sealed class NotebookDisplayTests
{
    /// <summary>A w×h PNG of one colour, made by hand (signature, IHDR, one zlib IDAT, IEND).</summary>
    private static byte[] Png(int w, int h, byte r, byte g, byte b)
    {
        static void Chunk(Stream s, string type, byte[] data)
        {
            var len = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            s.Write(len);
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            s.Write(typed);
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
            s.Write(crc);
        }
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        Chunk(ms, "IHDR", ihdr);
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++) { raw.WriteByte(0); for (int x = 0; x < w; x++) { raw.WriteByte(r); raw.WriteByte(g); raw.WriteByte(b); } }
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);
        Chunk(ms, "IDAT", z.ToArray());
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    /// <summary>What .NET Interactive does: find the attribute by name, create the source, pick the formatter.</summary>
    private static string FormatAs(object value, string mime)
    {
        var attribute = value.GetType().GetCustomAttributes().Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = (IEnumerable<object>)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!;
        var formatter = formatters.Single(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)! == mime
            && ((Type)f.GetType().GetProperty("Type")!.GetValue(f)!).IsInstanceOfType(value));
        using var w = new StringWriter();
        Assert.True((bool)formatter.GetType().GetMethod("Format")!.Invoke(formatter, [value, w])!);
        return w.ToString();
    }

    [Fact]
    public async Task Results_render_as_html_tables_with_thumbnails_in_Chromium()
    {
        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET scenes (id BIGINT, label VARCHAR, image BLOB, emb EMBEDDING(8))");
        session.Execute("INSERT INTO scenes VALUES (1, 'night <hail>', @img, @emb), (2, NULL, NULL, NULL)",
            new Dictionary<string, object?> { ["img"] = Png(8, 8, 255, 0, 0), ["emb"] = new float[] { 0.12f, -0.03f, 0.5f, 1, 2, 3, 4, 5 } });
        var result = session.Query("SELECT * FROM scenes ORDER BY id");
        var html = FormatAs(result, "text/html");
        var text = FormatAs(result, "text/plain");
        Assert.Contains("<embedding 8: 0.12, -0.03, 0.5, …>", text);
        Assert.Contains("<png 8×8, ", text);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 800, Height = 300 } });
        await page.SetContentAsync("<html><body style=\"margin:0;background:#fff\">" + html + "</body></html>");
        Assert.Equal(4, await page.Locator("thead th").CountAsync());
        Assert.StartsWith("emb", await page.Locator("thead th:nth-child(4)").InnerTextAsync());
        Assert.Equal(2, await page.Locator("tbody tr").CountAsync());
        Assert.Equal("night <hail>", await page.Locator("tbody tr:nth-child(1) td:nth-child(2)").InnerTextAsync());
        Assert.StartsWith("<embedding 8: 0.12, -0.03", await page.Locator("tbody tr:nth-child(1) td:nth-child(4)").InnerTextAsync());
        Assert.Equal(3, await page.Locator("tbody tr:nth-child(2) td.ql-null").CountAsync());
        Assert.Equal("2 rows", await page.Locator(".ql-count").InnerTextAsync());
        // The thumbnail is a real image to the browser: it decodes to 8×8 red pixels.
        var img = page.Locator("img");
        Assert.Equal(8, await img.EvaluateAsync<int>("i => i.naturalWidth"));
        Assert.Equal(new[] { 255, 0, 0 }, await img.EvaluateAsync<int[]>("i => { const c = document.createElement('canvas'); c.width = 8; c.height = 8; const x = c.getContext('2d'); x.drawImage(i, 0, 0); return Array.from(x.getImageData(4, 4, 1, 1).data.slice(0, 3)); }"));
        // And on screen: a screenshot of the cell, decoded by the browser, shows the red thumbnail.
        var shot = await img.ScreenshotAsync();
        var box = (await img.BoundingBoxAsync())!;
        Assert.True(box.Width >= 8 && box.Height >= 8, $"the thumbnail is {box.Width}×{box.Height}");
        var centre = await page.EvaluateAsync<int[]>("async (b64) => { const i = new Image(); i.src = 'data:image/png;base64,' + b64; await i.decode(); const c = document.createElement('canvas'); c.width = i.width; c.height = i.height; const x = c.getContext('2d'); x.drawImage(i, 0, 0); return Array.from(x.getImageData(i.width >> 1, i.height >> 1, 1, 1).data.slice(0, 3)); }", Convert.ToBase64String(shot));
        Assert.True(centre[0] > 200 && centre[1] < 60 && centre[2] < 60, $"the screenshot's centre is rgb({string.Join(",", centre)})");
    }
}
