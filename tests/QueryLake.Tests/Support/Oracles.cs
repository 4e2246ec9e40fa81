using System.Diagnostics;
using System.Text.Json;

namespace QueryLake.Tests.Support;

/// <summary>Runs the Node scripts in tests/oracles, which call implementations QueryLake did not write.</summary>
public static class Oracles
{
    public static string Root { get; } = FindRoot();

    public static string OraclesDir => Path.Combine(Root, "tests", "oracles");

    public static string VegaData(string file) => Path.Combine(OraclesDir, "node_modules", "vega-datasets", "data", file);

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "QueryLake.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (QueryLake.sln)");
    }

    /// <summary>Runs a node script and returns its stdout; fails the test with stderr on a non-zero exit.</summary>
    public static string RunNode(string script, params string[] args)
    {
        if (!Directory.Exists(Path.Combine(OraclesDir, "node_modules")))
            throw new InvalidOperationException("tests/oracles/node_modules is missing: run `bash tests/run.sh` (the README's test command), which installs it");
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = OraclesDir };
        psi.ArgumentList.Add(Path.Combine(OraclesDir, script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"node {script} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    public static JsonElement ArrowDump(string path) => JsonDocument.Parse(RunNode("arrow-dump.mjs", path)).RootElement.Clone();
}
