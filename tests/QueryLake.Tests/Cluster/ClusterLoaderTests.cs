using QueryLake.Columnar.Arrays;
using QueryLake.Errors;
using QueryLake.Training;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>Training ranks across nodes: each rank takes its shard from RANK/WORLD_SIZE (torchrun) or
/// SLURM_PROCID/SLURM_NTASKS (srun) and loads through a cluster connection; across the ranks each sample comes
/// exactly once per epoch, the order is the embedded loader's, and a new epoch reorders.</summary>
public sealed class ClusterLoaderTests(ThreeSilos cluster) : IClassFixture<ThreeSilos>
{
    private string Source => $"cluster://127.0.0.1:{cluster.Gateways[0].Port}?cluster={ThreeSilos.ClusterIdOf(cluster.Dir.File("lake"))}";

    private static List<long> Ids(TrainingLoader loader) =>
        loader.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((PrimitiveArray<long>)b.Columns[0])[i])).ToList();

    [Fact]
    public void Ranks_from_the_environment_see_each_sample_once_per_epoch()
    {
        using var session = QueryLake.Cluster.Hosting.ClusterSession.Open(Source);
        const int WorldSize = 3;
        foreach (int epoch in new[] { 0, 1 })
        {
            var seen = new List<long>();
            var orders = new List<List<long>>();
            for (int rank = 0; rank < WorldSize; rank++)
            {
                var env = new Dictionary<string, string> { ["SLURM_PROCID"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SLURM_NTASKS"] = "3" };
                var options = new LoaderOptions { BatchSize = 64, Seed = 7, Epoch = epoch }.ForThisRank(env.GetValueOrDefault);
                Assert.Equal((rank, WorldSize), (options.ShardIndex, options.ShardCount));
                var ids = Ids(session.Load("SELECT id FROM t WHERE n IS NOT NULL", options));
                // The embedded loader over the same lake gives this rank the same samples in the same order.
                Assert.Equal(Ids(cluster.Embedded.Load("SELECT id FROM t WHERE n IS NOT NULL", options)), ids);
                seen.AddRange(ids);
                orders.Add(ids);
            }
            var all = cluster.Embedded.Query("SELECT id FROM t WHERE n IS NOT NULL").Rows().Select(r => (long)r[0]!).Order().ToList();
            Assert.Equal(all, seen.Order().ToList());
        }
    }

    [Fact]
    public void Rank_variables_are_read_in_order_and_checked()
    {
        var options = new LoaderOptions();
        Assert.Equal((2, 4), Shard(options.ForThisRank(new Dictionary<string, string> { ["RANK"] = "2", ["WORLD_SIZE"] = "4", ["SLURM_PROCID"] = "0", ["SLURM_NTASKS"] = "1" }.GetValueOrDefault)));
        Assert.Equal((0, 1), Shard(options.ForThisRank(_ => null)));
        var e = Assert.Throws<QueryLakeException>(() => options.ForThisRank(new Dictionary<string, string> { ["RANK"] = "4", ["WORLD_SIZE"] = "4" }.GetValueOrDefault));
        Assert.Equal("QL-BAD-ARGUMENT", e.Code);
        Assert.Contains("RANK=4 and WORLD_SIZE=4", e.Message);
        Assert.Throws<QueryLakeException>(() => options.ForThisRank(new Dictionary<string, string> { ["SLURM_PROCID"] = "1" }.GetValueOrDefault));
    }

    private static (int, int) Shard(LoaderOptions o) => (o.ShardIndex, o.ShardCount);
}
