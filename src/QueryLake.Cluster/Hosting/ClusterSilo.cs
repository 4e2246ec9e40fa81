using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using QueryLake.Cluster.Grains;

namespace QueryLake.Cluster.Hosting;

/// <summary>Starts a QueryLake silo: an Orleans silo with localhost clustering (one machine, or tests) hosting the
/// stage workers and the query coordinator over the shared lake. <c>querylake serve --cluster</c> runs one.</summary>
public static class ClusterSilo
{
    /// <summary>Starts a silo; dispose (or stop) the host to leave the cluster.</summary>
    public static async Task<IHost> StartAsync(ClusterSiloOptions options, CancellationToken cancel = default)
    {
        var host = new HostBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error))
            .UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, options.Primary, "querylake", options.ClusterId);
                silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = IPAddress.Loopback);
                if (options.FailureDetection is { } quick)
                    silo.Configure<ClusterMembershipOptions>(m =>
                    {
                        m.ProbeTimeout = quick;
                        m.NumMissedProbesLimit = 2;
                        m.NumVotesForDeathDeclaration = 1;
                        m.TableRefreshTimeout = quick;
                        m.IAmAliveTablePublishTimeout = quick;
                    });
                silo.Services.AddSingleton(new LakeSessions(options.Lake));
            })
            .Build();
        await host.StartAsync(cancel);
        return host;
    }
}
