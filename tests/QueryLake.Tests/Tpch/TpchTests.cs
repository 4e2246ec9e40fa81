using Xunit;

namespace QueryLake.Tests.Tpch;

/// <summary>All 22 TPC-H queries, exactly as the TPC's qgen writes them, on QueryLake and on DuckDB over the same data:
/// the same rows in the same order (numbers within a relative 1e-9, as sums of doubles may add in another order).</summary>
public sealed class TpchTests(TpchData data) : IClassFixture<TpchData>
{
    public static TheoryData<int> Queries => [.. Enumerable.Range(1, 22)];

    [TpchTheory]
    [MemberData(nameof(Queries))]
    public void Query_gives_DuckDB_s_result(int number)
    {
        var sql = data.Query(number);
        var expected = TpchFiles.DuckDbRows(data.DuckDb, sql);
        var actual = data.Session.Query(sql).Rows().Select(r => r.Select(TpchFiles.Normal).ToArray()).ToList();
        Assert.True(expected.Count > 0 || actual.Count == 0, $"q{number}: DuckDB gives no rows");
        var verdict = TpchFiles.Compare(expected, actual);
        Assert.True(verdict == "same", $"q{number}: {verdict}");
    }
}
