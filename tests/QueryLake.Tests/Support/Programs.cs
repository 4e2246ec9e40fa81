using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace QueryLake.Tests.Support;

/// <summary>Runs the repository's own executables (built alongside the tests) as child processes.</summary>
public static class Programs
{
    /// <summary>
    /// The program's DLL: the ReadyToRun copy that tests/run.sh publishes (it starts in a third of the time, which
    /// counts when a test starts hundreds of children) while it comes from the current build, else the plain build.
    /// </summary>
    public static string Dll(string project, string assembly)
    {
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string tfm = Path.GetFileName(baseDir), config = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        var folder = project is "QueryLake.CrashWriter" or "QueryLake.FlightReader" ? "tests" : "src";
        var dll = Path.Combine(Oracles.Root, folder, project, "bin", config, tfm, assembly + ".dll");
        Assert.True(File.Exists(dll), $"{assembly} is not built at {dll}");
        return ReadyToRunCopy(dll) ?? dll;
    }

    /// <summary>
    /// A published copy (bin/CONFIG/TFM/RID/publish) that matches the plain build: every QueryLake library in it has
    /// the module version id of the plain build's (a deterministic build changes it exactly when the code changes),
    /// and the program itself was published after the plain build last wrote it.
    /// </summary>
    private static string? ReadyToRunCopy(string dll)
    {
        var plain = Path.GetDirectoryName(dll)!;
        foreach (var rid in Directory.EnumerateDirectories(plain))
        {
            var published = Path.Combine(rid, "publish", Path.GetFileName(dll));
            if (!File.Exists(published) || File.GetLastWriteTimeUtc(published) < File.GetLastWriteTimeUtc(dll)) continue;
            var libraries = Directory.EnumerateFiles(plain, "QueryLake.*.dll").ToList();
            if (libraries.Count > 0 && libraries.All(l => File.Exists(Path.Combine(rid, "publish", Path.GetFileName(l))) && Mvid(l) == Mvid(Path.Combine(rid, "publish", Path.GetFileName(l)))))
                return published;
        }
        return null;
    }

    private static Guid Mvid(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.GetGuid(reader.GetModuleDefinition().Mvid);
    }

    public static (int Exit, string Stdout, string Stderr) Run(string dll, string? stdin, params string[] args) => Exec("dotnet", stdin, [dll, .. args]);

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> (and <paramref name="stdin"/> as its input, if
    /// given) to its end; returns its exit code and output.</summary>
    public static (int Exit, string Stdout, string Stderr) Exec(string file, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
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
