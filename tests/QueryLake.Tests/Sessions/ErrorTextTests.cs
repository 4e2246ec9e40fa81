using System.Text.Json;
using QueryLake.Errors;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sessions;

/// <summary>Failures below QueryLake (JSON parsers, the OS, decoders) described in QueryLake's words, with where.</summary>
public sealed class ErrorTextTests
{
    private sealed class Named
    {
        public string Name { get; init; } = "";
        public int Count { get; init; }
    }

    private sealed record Positional(string Name);

    private static string Describe(Action fail)
    {
        try { fail(); }
        catch (Exception e) { return ErrorText.Describe(e); }
        throw new InvalidOperationException("expected a failure");
    }

    private static void NoDotNetText(string text) =>
        Assert.True(ErrorTextScan.Offending(text) is null, $".NET text in: {text}");

    [Fact]
    public void A_json_value_of_the_wrong_kind_names_the_kind_expected_and_where()
    {
        var text = Describe(() => JsonSerializer.Deserialize<Named>("{\n  \"Name\": 7, \"Count\": 1 }"));
        Assert.Equal("a value of the wrong kind (expected a string) at $.Name, line 2, byte 12", text);
        text = Describe(() => JsonSerializer.Deserialize<Named>("{\"Name\": \"a\", \"Count\": \"many\"}"));
        Assert.StartsWith("a value of the wrong kind (expected a number) at $.Count, line 1", text);
        NoDotNetText(text);
        // Where the parser names no kind, the error names none.
        Assert.Equal("a value of the wrong kind at $.Name, line 1, byte 11", Describe(() => JsonSerializer.Deserialize<Positional>("{\"Name\": 7}")));
    }

    [Fact]
    public void Malformed_json_says_what_the_reader_found_and_where()
    {
        var text = Describe(() => JsonSerializer.Deserialize<Named>("{\"Name\": nope}"));
        Assert.StartsWith("malformed JSON: ", text);
        Assert.EndsWith("at $.Name, line 1, byte 11", text);
        NoDotNetText(text);
    }

    [Fact]
    public void A_full_disk_is_called_a_full_disk()
    {
        if (!File.Exists("/dev/full")) return; // Linux's always-full device
        var text = Describe(() =>
        {
            using var f = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            f.Write(new byte[4096]);
            f.Flush();
        });
        Assert.Equal("the disk is full", text);
    }

    [Fact]
    public void Files_and_folders_that_are_missing_or_closed()
    {
        using var dir = new TempDir();
        Assert.Equal("a folder on the path does not exist", Describe(() => File.ReadAllBytes(Path.Combine(dir.Path, "no", "such.parquet"))));
        Assert.Equal($"the file '{dir.File("gone.json")}' does not exist", Describe(() => File.ReadAllBytes(dir.File("gone.json"))));
        Assert.Equal("a size, count or offset is out of range", Describe(() => checked((int)Random.Shared.NextInt64(long.MaxValue / 2, long.MaxValue)).ToString()));
        Assert.Equal("a size, count or offset points outside the data", Describe(() => { var a = new int[1]; _ = a[Random.Shared.Next(2, 3)]; }));
    }

    [Fact]
    public void A_damaged_manifest_names_the_field_not_a_dotnet_type()
    {
        using var dir = new TempDir();
        using (var s = QueryLake.Sessions.QueryLakeSession.Open(dir.Path)) s.Execute("CREATE DATASET t AS SELECT 1 AS a");
        var manifest = Directory.EnumerateFiles(dir.Path, "*.json", SearchOption.AllDirectories)
            .First(f => File.ReadAllText(f).Contains("\"fragments\"", StringComparison.Ordinal));
        var json = File.ReadAllText(manifest);
        int at = json.IndexOf("\"path\": \"", StringComparison.Ordinal);
        Assert.True(at >= 0, json);
        File.WriteAllText(manifest, json[..(at + 8)] + "12345" + json[(at + 8)..].Substring(json[(at + 8)..].IndexOf('"', 1) + 1));
        var e = Assert.ThrowsAny<QueryLakeException>(() =>
        {
            using var s = QueryLake.Sessions.QueryLakeSession.Open(dir.Path);
            s.Query("SELECT * FROM t").Materialize();
        });
        Assert.Equal("QL-CORRUPT", e.Code);
        NoDotNetText(e.Message);
    }
}
