using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Hosting;
using QueryLake.Cluster.Hosting;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>A fact that needs <c>redis-server</c> (Debian's redis-server package; tests/run.sh installs it).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!File.Exists("/usr/bin/redis-server")) Skip = "redis-server is absent (apt-get install redis-server)";
    }
}

/// <summary>Silos that find each other through Redis (Orleans' Redis clustering), as on several machines: three of
/// them over one lake, a client at one gateway, and results equal to the embedded ones.</summary>
public sealed class RedisMembershipTests
{
    [RedisFact]
    public async Task Silos_with_membership_in_redis_run_a_query()
    {
        using var dir = new TempDir();
        string lake = dir.File("lake");
        using (var s = QueryLakeSession.Open(lake))
        {
            s.Execute("CREATE DATASET t (id BIGINT, n BIGINT)");
            for (int f = 0; f < 6; f++) s.Execute($"INSERT INTO t SELECT range + {f * 100}, range % 3 FROM range(100)");
        }
        int redisPort = S3rverProcess.FreePort();
        var psi = new ProcessStartInfo("/usr/bin/redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", dir.Path])
            psi.ArgumentList.Add(a);
        using var redis = Process.Start(psi)!;
        var silos = new List<IHost>();
        try
        {
            // Redis answers once it listens.
            for (int i = 0; i < 100 && !Listening(redisPort); i++) await Task.Delay(100);
            var gateways = new List<IPEndPoint>();
            for (int i = 0; i < 3; i++)
            {
                int gateway = S3rverProcess.FreePort();
                silos.Add(await ClusterSilo.StartAsync(new ClusterSiloOptions
                {
                    Lake = lake, SiloPort = S3rverProcess.FreePort(), GatewayPort = gateway, Redis = $"127.0.0.1:{redisPort}", ClusterId = "redis-test",
                    FailureDetection = TimeSpan.FromSeconds(1),
                }));
                gateways.Add(new IPEndPoint(IPAddress.Loopback, gateway));
            }
            await using var client = await ClusterClient.ConnectAsync([gateways[2]], "redis-test");
            var (_, batches, stages) = await client.QueryAsync("SELECT n, count(*) AS c, sum(id) AS s FROM t GROUP BY n ORDER BY n");
            var rows = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => string.Join("|", b.Columns.Select(c => c.GetValue(r))))).ToList();
            using var embedded = QueryLakeSession.Open(lake);
            Assert.Equal(embedded.Query("SELECT n, count(*) AS c, sum(id) AS s FROM t GROUP BY n ORDER BY n").Rows().Select(r => string.Join("|", r)), rows);
            var placed = stages.Where(s => s.StartsWith("  fragments", StringComparison.Ordinal)).Select(s => s.Split(" on ")[1].Split(": ")[0]).Distinct().Count();
            Assert.True(placed >= 2, string.Join("\n", stages));
        }
        finally
        {
            await ThreeSilos.StopAll(silos);
            try { redis.Kill(); } catch (InvalidOperationException) { }
            redis.WaitForExit(5000);
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            tcp.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException) { return false; }
    }
}
