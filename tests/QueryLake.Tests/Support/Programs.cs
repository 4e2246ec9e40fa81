using System.Diagnostics;
using Xunit;

namespace QueryLake.Tests.Support;

/// <summary>Runs the repository's own executables (built alongside the tests) as child processes.</summary>
public static class Programs
{
    public static string Dll(string project, string assembly)
    {
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string tfm = Path.GetFileName(baseDir), config = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        var folder = project is "QueryLake.CrashWriter" or "QueryLake.FlightReader" ? "tests" : "src";
        var dll = Path.Combine(Oracles.Root, folder, project, "bin", config, tfm, assembly + ".dll");
        Assert.True(File.Exists(dll), $"{assembly} is not built at {dll}");
        return dll;
    }

    public static (int Exit, string Stdout, string Stderr) Run(string dll, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
