using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>A keyed join whose build side repeats a key thousands of times pairs each probe row with all of them: the
/// probe batches are cut into pieces that make at most about a million pairs each, so the join's output streams in
/// bounded batches instead of one batch of every pair of a probe batch, with the same rows.</summary>
public sealed class JoinFanOutTests
{
    [Theory]
    [InlineData("JOIN")]
    [InlineData("LEFT JOIN")]
    [InlineData("FULL JOIN")]
    public void A_skewed_key_streams_its_pairs_in_bounded_batches(string join)
    {
        using var s = QueryLakeSession.Open();
        // 2,000 build rows with key 1 (and 100 others), 4,000 probe rows with key 1 (and 50 others): 8,000,000 pairs.
        s.Execute("CREATE DATASET b AS SELECT range AS id, CASE WHEN range < 2000 THEN 1 ELSE range END AS k FROM range(2100)");
        s.Execute("CREATE DATASET p AS SELECT range AS id, CASE WHEN range < 4000 THEN 1 ELSE range + 100000 END AS k FROM range(4050)");
        long rows = 0, largest = 0, sum = 0;
        foreach (var batch in s.Query($"SELECT p.id AS pid, b.id AS bid FROM p {join} b ON p.k = b.k"))
        {
            rows += batch.Length;
            largest = Math.Max(largest, batch.Length);
            var bids = (QueryLake.Columnar.Arrays.PrimitiveArray<long>)batch.Columns[1];
            for (int r = 0; r < batch.Length; r++) if (bids.IsValid(r)) sum += bids[r];
        }
        long unmatchedProbe = join == "JOIN" ? 0 : 50, unmatchedBuild = join == "FULL JOIN" ? 100 : 0;
        Assert.Equal(8_000_000 + unmatchedProbe + unmatchedBuild, rows);
        // Each probe row of key 1 meets build ids 0 … 1999; unmatched build rows 2000 … 2099 appear once in a full join.
        Assert.Equal(4000L * (1999L * 2000 / 2) + (join == "FULL JOIN" ? Enumerable.Range(2000, 100).Sum(x => (long)x) : 0), sum);
        Assert.InRange(largest, 1, QueryLake.Execution.Operators.HashJoin.HashJoinOperator.FanOutPairs + 100);
    }
}
