using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sessions;

/// <summary>The engine's completion, which every front end uses.</summary>
public sealed class CompletionTests
{
    [Fact]
    public void Keywords_datasets_columns_functions_and_paths_complete()
    {
        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET scenes (id BIGINT, lighting VARCHAR, light_level DOUBLE); CREATE DATASET labels (id BIGINT, label VARCHAR)");
        Assert.Contains("SELECT", SqlCompletion.Complete(session, "sel"));
        Assert.Contains("scenes", SqlCompletion.Complete(session, "SELECT * FROM sc"));
        Assert.Equal(["lighting", "light_level"], SqlCompletion.Complete(session, "SELECT * FROM scenes WHERE ligh"));
        Assert.DoesNotContain("label", SqlCompletion.Complete(session, "SELECT lab FROM scenes WHERE lab"));
        Assert.Contains("label", SqlCompletion.Complete(session, "SELECT lab"));
        Assert.Equal(["scenes.lighting", "scenes.light_level"], SqlCompletion.Complete(session, "SELECT scenes.l"));
        Assert.Contains("string_agg", SqlCompletion.Complete(session, "SELECT string_"));
        Assert.Contains("WHERE", SqlCompletion.Keywords);
        Assert.Contains("SEMI", SqlCompletion.Keywords);
        // Only words: no names of punctuation or literal tokens (DOT, DOUBLE_COLON, DECIMAL_VALUE).
        Assert.All(SqlCompletion.Keywords, k => Assert.True(k is not ("DOT" or "DOUBLE_COLON" or "DECIMAL_VALUE" or "STRING" or "IDENTIFIER"), k));
        // The likeliest come first: the columns in play, then functions, then keywords; a dataset after FROM.
        var where = SqlCompletion.Complete(session, "SELECT * FROM scenes WHERE l");
        Assert.Equal(["lighting", "light_level"], where.Take(2));
        Assert.True(where.ToList().IndexOf("lower") < where.ToList().IndexOf("LIMIT"), string.Join(", ", where));
        Assert.Equal("labels", SqlCompletion.Complete(session, "SELECT * FROM l")[0]);
        using var dir = new TempDir();
        File.WriteAllText(dir.File("flights.parquet"), "");
        Directory.CreateDirectory(dir.File("folder"));
        var paths = SqlCompletion.Complete(session, $"SELECT * FROM '{dir.Path}/f", out int start);
        Assert.Equal([$"{dir.Path}/flights.parquet", $"{dir.Path}/folder/"], paths);
        Assert.Equal("SELECT * FROM '".Length, start);
    }
}
