using QueryLake.Cluster.Hosting;
using QueryLake.Tests.Tpch;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>The 22 TPC-H queries (SF 0.01, the TPC's dbgen and qgen) on three silos equal the embedded results: the
/// joins partitioned on their keys through the exchange, the aggregates partial or partitioned on their groups.</summary>
public sealed class ClusterTpchTests(TpchData data) : IClassFixture<TpchData>
{
    [TpchFact]
    public async Task The_22_queries_on_three_silos_equal_the_embedded_results()
    {
        string lake = data.Session.Lake.Path;
        var silos = await ThreeSilos.Start(lake, 3);
        try
        {
            await using var client = await ClusterClient.ConnectAsync([ThreeSilos.Endpoint(silos[1])], ThreeSilos.ClusterIdOf(lake));
            int cut = 0;
            for (int q = 1; q <= 22; q++)
            {
                var sql = data.Query(q);
                var expected = data.Session.Query(sql).Rows().Select(r => r.Select(TpchFiles.Normal).ToArray()).ToList();
                var (_, batches, stages) = await client.QueryAsync(sql);
                var actual = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => b.Columns.Select(c => TpchFiles.Normal(c.GetValue(r))).ToArray())).ToList();
                var verdict = TpchFiles.Compare(expected, actual);
                Assert.True(verdict == "same", $"q{q}: {verdict}");
                if (stages[0].StartsWith("stage 0 on the workers:", StringComparison.Ordinal)) cut++;
            }
            // Every query reads a dataset; all but those whose only scans sit under a correlated subquery are cut.
            Assert.True(cut >= 20, $"{cut} queries were cut");
        }
        finally
        {
            await ThreeSilos.StopAll(silos);
        }
    }
}
