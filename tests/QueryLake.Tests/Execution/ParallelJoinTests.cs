using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>Join probes run on several batches at once, so the build table must be read-only while probed. Many
/// probe batches of text keys of varied lengths, with a result checked by arithmetic: every probe row must find
/// exactly its own build row.</summary>
public sealed class ParallelJoinTests
{
    [Fact]
    public void Text_keyed_join_probed_in_parallel_finds_every_row()
    {
        using var s = QueryLakeSession.Open();
        s.Threads = Math.Max(2, Environment.ProcessorCount);
        s.Execute("CREATE DATASET r AS SELECT 'key-' || repeat('x', CAST(range % 17 AS INTEGER)) || CAST(range AS VARCHAR) AS k, range AS v FROM range(5000)");
        s.Execute("CREATE DATASET l AS SELECT 'key-' || repeat('x', CAST((range % 5000) % 17 AS INTEGER)) || CAST(range % 5000 AS VARCHAR) AS k, range AS id FROM range(600000)");
        for (int run = 0; run < 3; run++)
        {
            var row = s.Query("SELECT count(*), sum(r.v), sum(l.id % 5000 - r.v) FROM l JOIN r ON l.k = r.k").Rows().Single();
            Assert.Equal(600000L, row[0]);
            Assert.Equal(120L * (4999L * 5000 / 2), row[1]); // each of the 5000 keys is probed 120 times
            Assert.Equal(0L, row[2]);                      // and always finds its own row
        }
    }
}
