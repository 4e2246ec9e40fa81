using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using QueryLake.Cluster.Execution;
using QueryLake.Cluster.Grains;
using QueryLake.Errors;

namespace QueryLake.Cluster.Hosting;

/// <summary>Starts a QueryLake silo: an Orleans silo hosting the stage workers and the query coordinator over the shared
/// lake, its membership in Redis or PostgreSQL (several machines) or localhost clustering (one machine, tests).
/// <c>querylake serve --cluster</c> runs one.</summary>
public static class ClusterSilo
{
    /// <summary>Starts a silo; dispose (or stop) the host to leave the cluster.</summary>
    public static async Task<IHost> StartAsync(ClusterSiloOptions options, CancellationToken cancel = default)
    {
        if (options.Redis is not null && options.Postgres is not null)
            throw new QueryLakeException("QL-CLUSTER-CONFIG", "a cluster's membership is in Redis or in PostgreSQL, not both: give --redis or --postgres");
        if (options.Kubernetes) CheckPod(options);
        var postgres = options.Postgres is { } connection ? await PostgresMembership.PrepareAsync(connection, cancel) : null;
        var host = new HostBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error))
            .UseOrleans(silo =>
            {
                if (options.Redis is not null || postgres is not null)
                {
                    if (options.Redis is { } redis) silo.UseRedisClustering(redis);
                    else
                        silo.UseAdoNetClustering(a =>
                        {
                            a.Invariant = PostgresMembership.Invariant;
                            a.DataSource = postgres;
                        });
                    silo.ConfigureEndpoints(options.AdvertisedAddress, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(options.AdvertisedAddress));
                    silo.Configure<ClusterOptions>(c =>
                    {
                        c.ClusterId = options.ClusterId;
                        c.ServiceId = "querylake";
                    });
                    // In a pod, the pod's name, IP and labels override the endpoints and cluster names set above.
                    if (options.Kubernetes) silo.UseKubernetesHosting();
                }
                else
                {
                    silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, options.Primary, "querylake", options.ClusterId);
                    silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = options.AdvertisedAddress);
                }
                if (options.FailureDetection is { } quick)
                    silo.Configure<ClusterMembershipOptions>(m =>
                    {
                        m.ProbeTimeout = quick;
                        m.NumMissedProbesLimit = 2;
                        m.NumVotesForDeathDeclaration = 1;
                        m.TableRefreshTimeout = quick;
                        m.IAmAliveTablePublishTimeout = quick;
                    });
                // A task may run for minutes: the coordinator's own timeout (DistributedQuery.TaskTimeout) decides, not
                // Orleans' 30 s default.
                silo.Configure<SiloMessagingOptions>(m => m.ResponseTimeout = DistributedQuery.TaskTimeout + TimeSpan.FromMinutes(1));
                silo.Services.AddSingleton(new LakeSessions(options.Lake));
                // The data source lives as long as the silo: the host disposes what a factory made.
                if (postgres is not null) silo.Services.AddSingleton(_ => postgres);
            })
            .Build();
        try
        {
            await host.StartAsync(cancel);
        }
        catch
        {
            host.Dispose();
            if (postgres is not null) await postgres.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>The environment Orleans' Kubernetes hosting reads, and the membership it needs, or a QL error naming
    /// what is missing.</summary>
    private static void CheckPod(ClusterSiloOptions options)
    {
        if (options.Redis is null && options.Postgres is null)
            throw new QueryLakeException("QL-CLUSTER-CONFIG", "--kubernetes needs --redis HOST:PORT or --postgres CONNECTION: Kubernetes hosting names the silos; the membership itself lives in Redis or PostgreSQL");
        string[] needed = ["POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID"];
        var missing = needed.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0)
            throw new QueryLakeException("QL-CLUSTER-CONFIG",
                $"--kubernetes runs in a pod, and {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set: set them from the downward API (see docs/cluster.md)");
    }
}
