using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Language;

/// <summary>Input that nests deeply (100,000 terms of <c>1+1+…</c>, 100,000 NOTs or parentheses) fails with QL-TOO-COMPLEX
/// at its line:column, naming the limit, and the process and the session go on (a stack overflow killed the process;
/// 2,000 parentheses took 22 s to parse); long flat input (a 100,000-value IN list) runs; nesting up to the limit runs.</summary>
public sealed class DeepInputTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public void Dispose() => _session.Dispose();

    public static TheoryData<string> TooDeep => new()
    {
        "SELECT " + string.Join("+", Enumerable.Repeat("1", 100_000)),
        "SELECT " + string.Concat(Enumerable.Repeat("NOT ", 100_000)) + "true",
        "SELECT " + new string('(', 100_000) + "1" + new string(')', 100_000),
        "SELECT " + new string('(', 2_000) + "1" + new string(')', 2_000),
        "SELECT count(*) FROM range(10) WHERE " + string.Join(" OR ", Enumerable.Range(0, 20_000).Select(i => $"range = {i}")),
        "SELECT " + string.Concat(Enumerable.Repeat("abs(", 5_000)) + "1" + new string(')', 5_000),
        "SELECT " + string.Concat(Enumerable.Repeat("[", 50_000)) + "1" + new string(']', 50_000),
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void Input_nested_past_the_limit_fails_clearly_and_the_session_goes_on(string sql)
    {
        var e = Assert.ThrowsAny<QueryLakeException>(() => _session.Query(sql));
        Assert.Equal("QL-TOO-COMPLEX", e.Code);
        Assert.Contains("1000 levels", e.Message);
        Assert.Matches(@"^1:\d+: ", e.Message);
        Assert.Equal(2L, _session.Query("SELECT 1 + 1").Rows().Single()[0]);
    }

    [Fact]
    public void Nesting_up_to_the_limit_and_long_flat_lists_run()
    {
        Assert.Equal(999L, _session.Query("SELECT " + string.Join("+", Enumerable.Repeat("1", 999))).Rows().Single()[0]);
        Assert.Equal(7L, _session.Query("SELECT " + new string('(', 900) + "7" + new string(')', 900)).Rows().Single()[0]);
        var list = string.Join(",", Enumerable.Range(0, 100_000).Select(i => (i * 3).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(34L, _session.Query($"SELECT count(*) FROM range(100) WHERE range IN ({list})").Rows().Single()[0]);
    }
}
