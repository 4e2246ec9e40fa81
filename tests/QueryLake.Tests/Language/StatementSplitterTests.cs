using FsCheck;
using FsCheck.Fluent;
using QueryLake.Language.Parsing;
using Xunit;

namespace QueryLake.Tests.Language;

/// <summary>A ';' ends a statement only outside quotes, comments and dollar-quoted text; front ends wait for it.</summary>
public sealed class StatementSplitterTests
{
    [Theory]
    [InlineData("SELECT 1;", true)]
    [InlineData("SELECT 1", false)]
    [InlineData("SELECT 'a;", false)]
    [InlineData("SELECT 'a;\nb';", true)]
    [InlineData("SELECT 'it''s;';", true)]
    [InlineData("SELECT \"odd;name\" FROM t", false)]
    [InlineData("SELECT 1 -- done;", false)]
    [InlineData("SELECT 1; -- done", true)]
    [InlineData("SELECT 1; /* trailing */", true)]
    [InlineData("SELECT /* a; /* nested; */ still; */ 1", false)]
    [InlineData("SELECT /* a; /* nested; */ still; */ 1;", true)]
    [InlineData("SELECT /* open; ", false)]
    [InlineData("SELECT $$a;b$$;", true)]
    [InlineData("SELECT $$a;b", false)]
    [InlineData("SELECT $fn$ x; $$ y; $fn$;", true)]
    [InlineData("SELECT $1 + $2;", true)]
    [InlineData("SELECT $name;", true)]
    [InlineData("", false)]
    [InlineData("-- only a comment;", false)]
    public void A_statement_is_complete_at_a_semicolon_outside_quotes_and_comments(string text, bool complete) =>
        Assert.Equal(complete, StatementSplitter.IsComplete(text));

    [Fact]
    public void A_script_splits_into_its_statements_and_an_unfinished_tail()
    {
        Assert.Equal(["SELECT 'a;b';", "SELECT 2;", "SELECT 3"], StatementSplitter.Split("SELECT 'a;b';\n  SELECT 2; ;;\nSELECT 3"));
        Assert.Equal(["SELECT 1;"], StatementSplitter.Split("SELECT 1; -- one"));
        Assert.Empty(StatementSplitter.Split("  -- nothing\n /* here */ "));
    }

    /// <summary>Statements built from pieces that hold semicolons (strings, quoted names, comments, dollar quotes) split
    /// back into exactly those statements, and the text is complete exactly when the last one ends with ';'.</summary>
    [Fact]
    public void Statements_with_semicolons_inside_split_back_whole()
    {
        var piece = Gen.Elements("SELECT 1", "'a;b'", "'it''s; ok'", "\"x;y\"", "/* c; /* d; */ e; */", "$$ f; g $$", "$t$ h; $$ i; $t$", "-- j;\n", "$1", "k", "\n");
        var statement = Gen.ArrayOf(piece).Select(p => "SELECT " + string.Join(" ", p) + ";");
        Prop.ForAll(Gen.NonEmptyListOf(statement).ToArbitrary(), statements =>
        {
            var script = string.Join("\n", statements);
            Assert.Equal(statements.Select(s => s.Trim()), StatementSplitter.Split(script));
            Assert.True(StatementSplitter.IsComplete(script));
            Assert.False(StatementSplitter.IsComplete(script[..^1]));
        }).QuickCheckThrowOnFailure();
    }
}
