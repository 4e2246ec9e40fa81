using System.Diagnostics;
using QueryLake.Demo;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary><c>querylake demo [DIR] [--force] [--embedding builtin|resnet18]</c>: refuses a DIR (or DIR-export) that is not empty unless given --force;
/// generates the synthetic driving scenes under DIR/raw (default ./demo-lake),
/// builds the lake in DIR, exports WebDataset shards to DIR-export/train, and prints each step of <see cref="DemoStory"/> with its statements and results.</summary>
internal static class Demo
{
    public static int Run(string? directory, bool force, string? embedding = null)
    {
        directory = Path.GetFullPath(directory ?? "demo-lake");
        // The export goes beside the lake: COPY never writes inside one.
        string export = directory + "-export";
        // A folder that holds anything may be someone's: the demo replaces it only when told to.
        foreach (var d in new[] { directory, export })
            if (Directory.Exists(d) && Directory.EnumerateFileSystemEntries(d).Any())
            {
                if (!force)
                {
                    Console.Error.WriteLine($"Error: QL-DEMO-EXISTS: {d} is not empty; the demo writes only into a new or empty folder. " +
                        "Name another folder (querylake demo DIR), or add --force to delete this one and everything in it.");
                    return 1;
                }
                Directory.Delete(d, recursive: true);
            }
        var clock = Stopwatch.StartNew();
        var files = new DrivingSceneGenerator().Generate(Path.Combine(directory, "raw"));
        Console.WriteLine($"Generated {files.Frames:N0} driving-scene frames ({files.Damaged} of them damaged or empty), labels and a toy model's predictions under {Path.Combine(directory, "raw")} in {clock.Elapsed.TotalSeconds:F1} s");
        using var session = QueryLakeSession.Open(directory);
        int number = 0;
        foreach (var step in DemoStory.Steps(files, Path.Combine(export, "train"), embedding))
        {
            Console.WriteLine();
            Console.WriteLine($"── {++number}. {step.Title}");
            foreach (var sql in step.Statements)
            {
                Console.WriteLine($"ql> {sql};");
                try
                {
                    foreach (var result in session.Execute(sql))
                    {
                        if (result.RowsAffected is { } n) Console.WriteLine($"→ {n:N0} rows");
                        else if (result.Schema.Fields is [{ Name: "result" }] && result.RowCount == 1) Console.WriteLine($"→ {result.Rows().First()[0]}");
                        else ResultPrinter.Print(Console.Out, result, OutputFormat.Table, maxRows: 16);
                    }
                }
                catch (QueryLakeException e)
                {
                    Console.Error.WriteLine($"Error: {e.Message}");
                    return 1;
                }
            }
        }
        Console.WriteLine($"\nThe lake is in {directory} ({clock.Elapsed.TotalSeconds:F1} s in all). Explore it: querylake {directory}");
        return 0;
    }
}
