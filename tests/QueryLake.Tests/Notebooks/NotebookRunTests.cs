using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using QueryLake.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace QueryLake.Tests.Notebooks;

/// <summary>
/// docs/querylake.dib as shipped, every cell in order, headless through <c>dotnet interactive stdio</c> (the tool from
/// the repository's tool manifest, installed from the registry when missing), after the set-up its first cell
/// describes (the two packages packed into artifacts/packages). No cell may fail or write an error; the SQL cells show
/// QueryLake's HTML (NULLs marked, a row count), the --plot cells SVG charts, the pictures thumbnails of at most 8 KB,
/// and shared results reach C# as QueryResult values that display the same way.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed partial class NotebookRunTests(ITestOutputHelper output)
{
    private sealed record CellRun(string Code, List<string> Html, List<string> Errors);

    [Fact]
    public void The_sample_notebook_runs_top_to_bottom_headless()
    {
        var root = Oracles.Root;
        Run(root, "dotnet", "tool", "restore");
        var packages = Path.Combine(root, "artifacts", "packages");
        Directory.CreateDirectory(packages);
        foreach (var old in Directory.EnumerateFiles(packages, "QueryLake.*.nupkg")) File.Delete(old);
        foreach (var state in new[] { "notebook-lake", "notebook-pictures" })
            if (Directory.Exists(Path.Combine(root, "artifacts", state))) Directory.Delete(Path.Combine(root, "artifacts", state), recursive: true);
        // A version of its own, so that the notebook's #r never takes a package cached from an earlier build.
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        foreach (var project in new[] { "src/QueryLake", "src/QueryLake.Interactive" })
            Run(root, "dotnet", "pack", project, "-c", "Release", "--no-build", "-o", packages, $"-p:PackageVersion={version}");
        try
        {
            var cells = Cells(File.ReadAllText(Path.Combine(root, "docs", "querylake.dib")));
            var runs = RunCells(Path.Combine(root, "docs"), cells);
            foreach (var run in runs)
                Assert.True(run.Errors.Count == 0, $"cell\n{run.Code}\nfailed:\n{string.Join("\n", run.Errors)}");

            CellRun Cell(string start) => runs.Single(r => r.Code.StartsWith(start, StringComparison.Ordinal));
            var readings = Cell("#!lake\nDROP DATASET IF EXISTS readings").Html.Last(h => h.Contains("querylake-result"));
            Assert.Contains("ql-null", readings);
            Assert.Contains("8 rows", readings);
            Assert.Contains("<svg class=\"querylake-plot\"", Cell("#!lake --plot\nSELECT value").Html.Single());
            var bars = Cell("#!lake --plot --name per_weather").Html.Single();
            Assert.Equal(4, Regex.Matches(bars, "<rect ").Count);

            var pictures = Cell("#!lake --name pictures").Html.Last(h => h.Contains("querylake-result"));
            var thumbnails = DataUri().Matches(pictures).Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
            Assert.Equal(6, thumbnails.Count);
            Assert.All(thumbnails, t => Assert.InRange(t.Length, 100, 8 * 1024));
            output.WriteLine($"notebook HTML: {pictures.Length / 6.0:F0} bytes per row with a 640 × 480 picture; {readings.Length / 8.0:F0} bytes per row of numbers");

            var shared = Cell("#!share --from lake per_weather");
            Assert.Contains(shared.Html, h => h.Contains("querylake-result") && h.Contains("mean_value"));
            Assert.Contains(shared.Html, h => h.Contains(">4<"));
            Assert.Contains(Cell("#!share --from lake pictures").Html, h => h.Contains("content"));
        }
        finally
        {
            foreach (var stale in Directory.EnumerateFiles(packages, $"*.{version}.nupkg")) File.Delete(stale);
        }
    }

    /// <summary>The code cells of a .dib file (csharp cells; markdown is skipped), in order.</summary>
    private static List<string> Cells(string dib)
    {
        var cells = new List<string>();
        string? kernel = null;
        var current = new List<string>();
        void Flush()
        {
            if (kernel == "csharp" && current.Any(l => l.Trim().Length > 0)) cells.Add(string.Join("\n", current).Trim());
            current.Clear();
        }
        foreach (var line in dib.Replace("\r", "").Split('\n'))
        {
            if (line is "#!csharp" or "#!markdown" or "#!meta") { Flush(); kernel = line[2..]; continue; }
            current.Add(line);
        }
        Flush();
        return cells;
    }

    private List<CellRun> RunCells(string folder, List<string> cells)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "tool", "run", "dotnet-interactive", "--", "stdio", "--default-kernel", "csharp" }) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(psi)!;
        var events = new BlockingCollection<JsonNode>();
        var stderr = new ConcurrentQueue<string>();
        var reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith('{')) { try { events.Add(JsonNode.Parse(line)!); } catch (JsonException) { } }
            events.CompleteAdding();
        }) { IsBackground = true };
        reader.Start();
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) stderr.Enqueue(e.Data); };
        process.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(8);
            Next(events, deadline, e => (string?)e["eventType"] == "KernelReady");
            var runs = new List<CellRun>();
            for (int i = 0; i < cells.Count; i++)
            {
                var token = $"cell{i}";
                var envelope = new JsonObject
                {
                    ["commandType"] = "SubmitCode",
                    ["command"] = new JsonObject { ["code"] = cells[i], ["targetKernelName"] = "csharp" },
                    ["token"] = token,
                };
                process.StandardInput.WriteLine(envelope.ToJsonString());
                process.StandardInput.Flush();
                var run = new CellRun(cells[i], [], []);
                while (true)
                {
                    var e = Next(events, deadline, _ => true);
                    var t = (string?)e["command"]?["token"] ?? "";
                    if (t != token && !t.StartsWith(token + ".", StringComparison.Ordinal)) continue;
                    var type = (string?)e["eventType"];
                    if (type is "DisplayedValueProduced" or "ReturnValueProduced" or "DisplayedValueUpdated")
                        foreach (var v in e["event"]?["formattedValues"]?.AsArray() ?? [])
                            if ((string?)v?["mimeType"] == "text/html") run.Html.Add((string?)v["value"] ?? "");
                    if (type is "CommandFailed" or "ErrorProduced") run.Errors.Add($"{type}: {e["event"]?["message"]}");
                    if (type is "StandardErrorValueProduced")
                        run.Errors.Add($"stderr: {e["event"]?["formattedValues"]?[0]?["value"]}");
                    if (t == token && type is "CommandSucceeded" or "CommandFailed") break;
                }
                runs.Add(run);
                output.WriteLine($"cell {i}: {run.Html.Count} displays, {run.Errors.Count} errors");
            }
            return runs;
        }
        finally
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            foreach (var line in stderr) output.WriteLine($"stderr: {line}");
        }
    }

    private static JsonNode Next(BlockingCollection<JsonNode> events, DateTime deadline, Func<JsonNode, bool> wanted)
    {
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !events.TryTake(out var e, left))
                throw new TimeoutException(events.IsAddingCompleted ? "dotnet interactive exited" : "dotnet interactive did not answer in time");
            if (wanted(e)) return e;
        }
    }

    private void Run(string folder, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(600_000), $"{file} {string.Join(' ', args)} did not finish");
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed:\n{stdout.Result}\n{stderr.Result}");
    }

    [GeneratedRegex("src=\"data:image/[a-z]+;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex DataUri();
}
