using System.Net;
using QueryLake.Cluster.Grains;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Cluster.Hosting;

/// <summary>
/// A session whose queries run on a QueryLake cluster: <c>cluster://host:port[,host:port…]</c> names silo gateways.
/// Queries and EXPLAIN [ANALYZE] go to a coordinator on the silo the client reaches; other statements are refused
/// (QL-CLUSTER-UNSUPPORTED). The ADO.NET provider (<c>Data Source=cluster://…</c>) and the CLI open one.
/// </summary>
public static class ClusterSession
{
    /// <summary>The URI scheme of a cluster data source.</summary>
    public const string Scheme = "cluster://";

    /// <summary>Whether <paramref name="source"/> names a cluster.</summary>
    public static bool IsCluster(string? source) => source?.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Connects to the cluster at <paramref name="source"/>
    /// (<c>cluster://host:port[,host:port…][?cluster=ID][&amp;connect_timeout=SECONDS]</c>, default 15 s).</summary>
    /// <exception cref="QueryLakeException">QL-CLUSTER-UNREACHABLE: no gateway answered; QL-BAD-ARGUMENT: the URI is malformed.</exception>
    public static QueryLakeSession Open(string source)
    {
        var (gateways, clusterId, timeout) = Parse(source);
        ClusterClient client;
        using var deadline = new CancellationTokenSource(timeout);
        try { client = ClusterClient.ConnectAsync(gateways, clusterId, deadline.Token).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is not QueryLakeException and not OutOfMemoryException)
        {
            throw new QueryLakeException("QL-CLUSTER-UNREACHABLE", $"no silo of cluster '{clusterId}' answered at {string.Join(", ", gateways)} within {timeout.TotalSeconds:0.#} s"
                + (e is OperationCanceledException ? "" : $": {e.Message}"));
        }
        var session = Over(client);
        session.RemoteOwner = new Closer(client);
        return session;
    }

    /// <summary>A session whose queries run on the cluster through <paramref name="client"/>, which stays open when the
    /// session closes (a silo's Flight server opens one per call over its own client).</summary>
    public static QueryLakeSession Over(ClusterClient client)
    {
        var session = QueryLakeSession.Open();
        session.Remote = (sql, cancel) =>
        {
            // The connection's own SET memory_limit, cluster_broadcast_rows, cluster_gather_groups and cluster_join_filters go
            // with the query.
            var (schema, batches, _) = client.QueryAsync(sql, QuerySettings.From(session.DistributedSettings), cancel).GetAwaiter().GetResult();
            return (schema, batches);
        };
        return session;
    }

    /// <summary>The gateways, cluster id and connect timeout of a <c>cluster://</c> URI.</summary>
    public static (List<IPEndPoint> Gateways, string ClusterId, TimeSpan ConnectTimeout) Parse(string source)
    {
        var timeout = TimeSpan.FromSeconds(15);
        if (!IsCluster(source)) throw new QueryLakeException("QL-BAD-ARGUMENT", $"'{source}' is not a cluster URI (cluster://host:port)");
        var rest = source[Scheme.Length..];
        string clusterId = "querylake";
        int query = rest.IndexOf('?');
        if (query >= 0)
        {
            foreach (var pair in rest[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                if (pair.Split('=', 2) is ["cluster", var id] && id.Length > 0) clusterId = id;
                else if (pair.Split('=', 2) is ["connect_timeout", var seconds] && double.TryParse(seconds, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0)
                    timeout = TimeSpan.FromSeconds(s);
                else throw new QueryLakeException("QL-BAD-ARGUMENT", $"'{pair}' in '{source}' is not an option (cluster=ID, connect_timeout=SECONDS)");
            rest = rest[..query];
        }
        var gateways = new List<IPEndPoint>();
        foreach (var part in rest.TrimEnd('/').Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], out int port) || port is <= 0 or > 65535)
                throw new QueryLakeException("QL-BAD-ARGUMENT", $"'{part}' in '{source}' is not host:port");
            string host = part[..colon];
            var address = IPAddress.TryParse(host, out var ip) ? ip
                : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new QueryLakeException("QL-CLUSTER-UNREACHABLE", $"'{host}' does not resolve");
            gateways.Add(new IPEndPoint(address, port));
        }
        if (gateways.Count == 0) throw new QueryLakeException("QL-BAD-ARGUMENT", $"'{source}' names no gateway (cluster://host:port)");
        return (gateways, clusterId, timeout);
    }

    private sealed class Closer(ClusterClient client) : IDisposable
    {
        public void Dispose() => client.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
