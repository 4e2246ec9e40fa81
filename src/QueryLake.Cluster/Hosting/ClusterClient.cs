using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QueryLake.Cluster.Grains;
using QueryLake.Columnar;
using QueryLake.Errors;

namespace QueryLake.Cluster.Hosting;

/// <summary>A connection to a QueryLake cluster through one or more silo gateways: each query goes to a coordinator on
/// the silo the client is connected to, which runs it across the cluster.</summary>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IClusterClient _client;

    private ClusterClient(IHost host) => (_host, _client) = (host, host.Services.GetRequiredService<IClusterClient>());

    /// <summary>Connects to the gateways (<c>host:port</c>, Orleans' gateway port of one or more silos).</summary>
    public static async Task<ClusterClient> ConnectAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId = "querylake", CancellationToken cancel = default)
    {
        var host = new HostBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error))
            .UseOrleansClient(client => client.UseStaticClustering(gateways.ToArray())
                .Configure<Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = "querylake";
                })
                // A query runs as long as it runs: the statement's timeout (the caller's token) bounds it, not messaging.
                .Configure<Orleans.Configuration.ClientMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromDays(1)))
            .Build();
        await host.StartAsync(cancel);
        return new ClusterClient(host);
    }

    /// <summary>Runs <paramref name="sql"/> (one query) on the cluster: its columns, batches, and where each stage ran;
    /// <paramref name="cancel"/> cancels it on the cluster too. It runs under the coordinator's settings.</summary>
    public Task<(Schema Schema, List<RecordBatch> Batches, IReadOnlyList<string> Stages)> QueryAsync(string sql, CancellationToken cancel = default) =>
        QueryAsync(sql, null, cancel);

    /// <summary>Runs <paramref name="sql"/> under <paramref name="settings"/> (a client session's <c>memory_limit</c>,
    /// <c>cluster_broadcast_rows</c> and <c>cluster_gather_groups</c>; null: the coordinator's).</summary>
    public async Task<(Schema Schema, List<RecordBatch> Batches, IReadOnlyList<string> Stages)> QueryAsync(string sql, QuerySettings? settings, CancellationToken cancel = default)
    {
        var reply = await _client.GetGrain<IQueryCoordinator>(Guid.NewGuid()).Query(sql, settings, cancel);
        if (reply.ErrorCode is { } code) throw new QueryLakeException(code, reply.ErrorMessage ?? code);
        var (schema, batches) = Arrow.Read(reply.Arrow!);
        return (schema, batches, reply.Stages);
    }

    /// <summary>Leaves the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
