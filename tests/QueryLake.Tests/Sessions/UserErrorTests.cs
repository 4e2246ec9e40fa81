using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sessions;

/// <summary>Errors a new user meets first: each has a QL code, names the problem in SQL terms (SQL type names, the
/// column, the folder) and the fix where it is obvious, and carries no .NET exception text.</summary>
public sealed class UserErrorTests
{
    private static QueryLakeException Fails(QueryLakeSession s, string sql) => Assert.ThrowsAny<QueryLakeException>(() => s.Query(sql).Materialize());

    private static void NoDotNetText(string message)
    {
        Assert.True(ErrorTextScan.Offending(message) is null, $".NET text in: {message}");
    }

    [Fact]
    public void A_text_that_is_not_a_number_names_the_value_and_the_sql_types()
    {
        using var s = QueryLakeSession.Open();
        var e = Fails(s, "SELECT 'abc' + 1");
        Assert.Equal("QL-CAST", e.Code);
        Assert.Contains("'abc' (VARCHAR) to BIGINT", e.Message);
        NoDotNetText(e.Message);
    }

    [Theory]
    [InlineData("SELECT id,\n       'abc' + id AS bad FROM t", 2, 14)]
    [InlineData("SELECT id FROM t\nWHERE CAST(s AS INTEGER) > 0", 2, 7)]
    [InlineData("SELECT sum(CAST(s AS INTEGER)) FROM t", 1, 12)]
    [InlineData("SELECT a.id FROM t a JOIN t b ON a.id = CAST(b.s AS BIGINT)", 1, 41)]
    [InlineData("SELECT id FROM t ORDER BY CAST(s AS DATE)", 1, 27)]
    [InlineData("SELECT id // (id - id) AS z, CAST(s AS INTEGER) FROM t", 1, 30)]
    public void An_error_while_rows_are_evaluated_says_where_the_expression_was_written(string sql, int line, int column)
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t AS SELECT range AS id, 'v' || range AS s FROM range(3)");
        var e = Assert.Throws<QueryLake.Language.SqlException>(() => s.Query(sql).Materialize());
        Assert.Equal("QL-CAST", e.Code);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains("'v0'", e.Message.Replace("'abc'", "'v0'"));
        NoDotNetText(e.Message);
    }

    [Fact]
    public void Copy_to_a_missing_folder_or_onto_a_folder_says_which()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        var missing = dir.File("no-such-folder/x.parquet");
        var e = Fails(s, $"COPY (SELECT 1 AS a) TO '{missing}'");
        Assert.Equal("QL-COPY-TARGET", e.Code);
        Assert.Contains("does not exist; create it first", e.Message);
        NoDotNetText(e.Message);
        Assert.False(Directory.Exists(dir.File("no-such-folder")));
        Directory.CreateDirectory(dir.File("out.csv"));
        e = Fails(s, $"COPY (SELECT 1 AS a) TO '{dir.File("out.csv")}' (FORMAT csv)");
        Assert.Equal("QL-COPY-TARGET", e.Code);
        Assert.Contains("it is a folder", e.Message);
    }

    [Fact]
    public void A_not_null_violation_names_the_column_and_writes_nothing()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t (id BIGINT NOT NULL, note VARCHAR)");
        var e = Fails(s, "INSERT INTO t VALUES (1, 'a'), (NULL, 'b')");
        Assert.Equal("QL-NOT-NULL", e.Code);
        Assert.Contains("column 'id' is NOT NULL, but 1 row would set it to NULL", e.Message);
        e = Fails(s, "INSERT INTO t (note) VALUES ('c')");
        Assert.Equal("QL-NOT-NULL", e.Code);
        Assert.Contains("column 'id' is NOT NULL", e.Message);
        NoDotNetText(e.Message);
        Assert.Equal(0L, s.Query("SELECT count(*) FROM t").Rows().Single()[0]);
    }
}
