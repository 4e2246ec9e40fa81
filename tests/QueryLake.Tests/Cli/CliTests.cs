using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cli;

/// <summary>The querylake command as a user runs it: arguments, output formats, exit codes, errors on stderr.</summary>
public sealed class CliTests
{
    private static readonly string Cli = Programs.Dll("QueryLake.Cli", "querylake");

    [Fact]
    public void Runs_statements_in_order_and_prints_csv_with_empty_nulls()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = Programs.Run(Cli, null, dir.Path,
            "-c", "CREATE DATASET t (a INTEGER, b VARCHAR)",
            "-c", "INSERT INTO t VALUES (1, 'x,y'), (2, NULL)",
            "-c", "SELECT a, b FROM t ORDER BY a", "--format", "csv");
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.EndsWith("a,b\n1,\"x,y\"\n2,\n", stdout.Replace("\r", ""));
        // The lake persists between runs.
        (exit, stdout, _) = Programs.Run(Cli, null, dir.Path, "-c", "SELECT count(*) AS n FROM t", "--format", "json");
        Assert.Equal(0, exit);
        Assert.Equal("[{\"n\":2}]", stdout.Trim());
    }

    [Fact]
    public void The_demo_tells_its_story_into_a_lake_that_stays()
    {
        using var dir = new TempDir();
        var lake = Path.Combine(dir.Path, "demo-lake");
        // A folder that holds a user's file is refused, and the file stays; --force replaces the folder.
        Directory.CreateDirectory(lake);
        File.WriteAllText(Path.Combine(lake, "notes.txt"), "mine");
        var (exit, stdout, stderr) = Programs.Run(Cli, null, "demo", lake);
        Assert.Equal(1, exit);
        Assert.Contains("QL-DEMO-EXISTS", stderr);
        Assert.Contains("--force", stderr);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(lake, "notes.txt")));
        (exit, stdout, stderr) = Programs.Run(Cli, null, "demo", lake, "--force");
        Assert.True(exit == 0, stderr + stdout);
        Assert.False(File.Exists(Path.Combine(lake, "notes.txt")));
        Assert.Contains("── 13. Where everything came from", stdout);
        Assert.Contains("drives_on_both_sides", stdout);
        // The CLI ships QueryLake.Onnx, so the frames are embedded with ResNet18.
        Assert.Contains("an embedding from ResNet18 (ONNX Runtime)", stdout);
        Assert.Contains("ADD COLUMN embedding AS image_embedding_resnet18(content)", stdout);
        (exit, _, stderr) = Programs.Run(Cli, null, "demo", lake, "--embedding", "vgg");
        Assert.Equal(1, exit);
        Assert.Contains("--embedding builtin|resnet18", stderr);
        (exit, stdout, _) = Programs.Run(Cli, null, lake, "-c", "SELECT count(*) AS n FROM drives.holdout WHERE drive IN (SELECT drive FROM drives.train)", "--format", "csv");
        Assert.Equal(0, exit);
        Assert.EndsWith("n\n0\n", stdout.Replace("\r", ""));
    }

    [Fact]
    public void Piped_statements_end_at_semicolons_outside_quotes_and_comments_and_each_result_prints()
    {
        // 'a;' does not end the first statement; the comment's ';' does not end the second; the third fails after the
        // first two printed their results.
        var input = "SELECT 'a;\nb' AS x;\nSELECT 2 AS y -- not yet;\n;\nSELECT nope;\n";
        var (exit, stdout, stderr) = Programs.Run(Cli, input, "--format", "csv");
        Assert.Equal(1, exit);
        Assert.Contains("x\n\"a;\nb\"\n", stdout.Replace("\r", ""));
        Assert.Contains("y\n2\n", stdout.Replace("\r", ""));
        Assert.Contains("column 'nope' does not exist", stderr);
    }

    [Fact]
    public void Dot_commands_redirect_output_import_files_and_show_settings()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), "name,score\nann,3\nbob,5\n");
        var input = string.Join("\n",
            "CREATE DATASET t AS SELECT range AS id FROM range(5);",
            ".mode csv",
            ".headers off",
            $".once '{dir.File("once.csv")}'",
            "SELECT id FROM t ORDER BY id;",
            "SELECT 42 AS after_once;",
            $".output {dir.File("all.csv")}",
            "SELECT count(*) AS n FROM t;",
            "SELECT 7 AS seven;",
            ".output",
            $".import '{dir.File("in.csv")}' scores",
            $".import '{dir.File("in.csv")}' scores",
            ".headers on",
            "SELECT count(*) AS imported, sum(score) AS total FROM scores;",
            ".schema",
            ".show",
            ".mode duckbox",
            "SELECT 1 AS boxed;",
            ".mode nonsense",
            "");
        var (exit, stdout, stderr) = Programs.Run(Cli, input, dir.File("lake"));
        stdout = stdout.Replace("\r", "");
        Assert.Equal("0\n1\n2\n3\n4\n", File.ReadAllText(dir.File("once.csv")));
        Assert.Equal("5\n7\n", File.ReadAllText(dir.File("all.csv")));
        Assert.Contains("42\n", stdout);
        Assert.DoesNotContain("\n5\n", stdout);
        Assert.Contains("imported,total\n4,16\n", stdout); // imported twice: appended the second time
        Assert.Contains("scores", stdout);
        Assert.Contains("column_name,column_type,null\nname,VARCHAR,YES", stdout);
        Assert.Contains("headers: on", stdout);
        Assert.Contains("mode: csv", stdout);
        Assert.Contains("│ boxed ", stdout);
        Assert.Contains("unknown mode 'nonsense'", stderr);
        Assert.Equal(0, exit);
    }

    private static (int Exit, string Output) Exec(string file, params string[] args)
    {
        var (exit, stdout, stderr) = Programs.Exec(file, null, args);
        return (exit, stdout + stderr);
    }

    [Fact]
    public void The_cli_packs_as_a_dotnet_tool_that_installs_the_querylake_command()
    {
        using var dir = new TempDir();
        // Only the folder the package is packed into is a source: nothing is downloaded.
        File.WriteAllText(dir.File("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{dir.File("pkg")}" /></packageSources></configuration>
            """);
        string config = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var (exit, output) = Exec("dotnet", "pack", Path.Combine(Oracles.Root, "src", "QueryLake.Cli", "QueryLake.Cli.csproj"), "-c", config, "--no-build", "-o", dir.File("pkg"), "-v", "quiet");
        Assert.True(exit == 0, output);
        (exit, output) = Exec("dotnet", "tool", "install", "querylake", "--tool-path", dir.File("tools"), "--configfile", dir.File("nuget.config"));
        Assert.True(exit == 0, output);
        (exit, output) = Exec(dir.File("tools/querylake"), "-c", "SELECT 40 + 2 AS answer", "--format", "csv");
        Assert.Equal(0, exit);
        Assert.Equal("answer\n42\n", output.Replace("\r", ""));
    }

    [Fact]
    public void Json_output_keeps_text_readable_and_valid()
    {
        var (exit, stdout, _) = Programs.Run(Cli, null, "-c", "SELECT '<png 96×64, 14 KB>' AS v, 'say \"hi\"' AS q", "--format", "json");
        Assert.Equal(0, exit);
        Assert.Contains("\"<png 96×64, 14 KB>\"", stdout);
        Assert.DoesNotContain("\\u003C", stdout);
        var row = System.Text.Json.JsonDocument.Parse(stdout).RootElement[0];
        Assert.Equal("<png 96×64, 14 KB>", row.GetProperty("v").GetString());
        Assert.Equal("say \"hi\"", row.GetProperty("q").GetString());
    }

    [Fact]
    public void Errors_go_to_stderr_with_exit_code_1()
    {
        var (exit, stdout, stderr) = Programs.Run(Cli, null, "-c", "SELECT 1", "-c", "SELEC 2");
        Assert.Equal(1, exit);
        Assert.StartsWith("Error: 1:1: syntax error", stderr);
        Assert.Contains("1 row", stdout);
        // A misspelt keyword is named, and a caret points at the place.
        Assert.Contains("did you mean 'SELECT'?", stderr);
        Assert.Contains("  SELEC 2\n  ^", stderr.Replace("\r", ""));
        // Many possible tokens: a few likely ones, and how many more.
        (exit, _, stderr) = Programs.Run(Cli, null, "-c", "SELECT (1, 2\nFROM x");
        Assert.Equal(1, exit);
        Assert.Contains("2:1: syntax error near 'FROM'; expected ')', ','", stderr);
        Assert.Contains("  FROM x\n  ^", stderr.Replace("\r", ""));
        (_, _, stderr) = Programs.Run(Cli, null, "-c", "SELECT a FROM t ORDER LIMIT 3");
        Assert.Contains("expected BY", stderr);
        (_, _, stderr) = Programs.Run(Cli, null, "-c", "ALTER ;");
        Assert.DoesNotContain("expecting", stderr);
        Assert.True(stderr.Split(',').Length <= 6, stderr);
    }

    [Fact]
    public void Reads_statements_from_a_file_and_prints_tables_and_markdown()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("q.sql"), "SELECT 42 AS answer;\nSELECT 'a' AS s, NULL AS n;");
        var (exit, stdout, _) = Programs.Run(Cli, null, "-f", dir.File("q.sql"));
        Assert.Equal(0, exit);
        Assert.Contains("│ answer │", stdout);
        Assert.Contains("│     42 │", stdout);
        (exit, stdout, _) = Programs.Run(Cli, null, "-f", dir.File("q.sql"), "--format", "markdown");
        Assert.Contains("| a | NULL |", stdout);
    }

    [Fact]
    public void Without_commands_it_reads_statements_from_stdin()
    {
        var (exit, stdout, _) = Programs.Run(Cli, "SELECT 1 +\n 1 AS two;\nSELECT 'done' AS s;\n", "--format", "csv");
        Assert.Equal(0, exit);
        Assert.Equal("two\n2\ns\ndone\n", stdout.Replace("\r", ""));
    }

    [Fact]
    public void Bad_arguments_are_explained()
    {
        var (exit, _, stderr) = Programs.Run(Cli, null, "--format", "xml", "-c", "SELECT 1");
        Assert.Equal(1, exit);
        Assert.Contains("unknown format 'xml'", stderr);
    }
}
