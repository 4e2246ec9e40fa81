using System.Net;

namespace QueryLake.Cluster.Hosting;

/// <summary>How a silo runs: the lake every silo shares, its ports, and how it finds the others.</summary>
public sealed class ClusterSiloOptions
{
    /// <summary>The lake: a folder every silo reaches at the same path (a shared file system), or <c>s3://bucket/prefix</c>.</summary>
    public required string Lake { get; init; }

    /// <summary>The port silos talk on (default 11111).</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>The port clients connect to (default 30000).</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>Redis holding the cluster's membership (<c>host:port</c>, a StackExchange.Redis configuration string):
    /// silos on several machines find each other there. Null, with no <see cref="Postgres"/>: localhost clustering (one
    /// machine, <see cref="Primary"/>).</summary>
    public string? Redis { get; init; }

    /// <summary>PostgreSQL holding the cluster's membership (an Npgsql connection string,
    /// <c>Host=…;Port=…;Database=…;Username=…;Password=…</c>), through Orleans' ADO.NET clustering: silos on several
    /// machines find each other there. The first silo creates the tables and queries it needs. Excludes
    /// <see cref="Redis"/>.</summary>
    public string? Postgres { get; init; }

    /// <summary>The address other silos and clients reach this one at (default loopback; on a network, the machine's).</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    /// <summary>With localhost clustering, the first silo's endpoint (null: this silo is the first).</summary>
    public IPEndPoint? Primary { get; init; }

    /// <summary>The cluster's name; silos of one cluster share it (default <c>querylake</c>).</summary>
    public string ClusterId { get; init; } = "querylake";

    /// <summary>Runs in a Kubernetes pod (Orleans' Kubernetes hosting): the silo's name, address and cluster come from
    /// the pod (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>, <c>ORLEANS_SERVICE_ID</c>, <c>ORLEANS_CLUSTER_ID</c>,
    /// set from the downward API), and silos whose pods are gone are declared dead at once. Membership is still
    /// <see cref="Redis"/>'s or <see cref="Postgres"/>'s, one of which it needs.</summary>
    public bool Kubernetes { get; init; }

    /// <summary>How fast a silo that stopped answering is declared dead (default: Orleans' own, about a minute; tests
    /// use seconds).</summary>
    public TimeSpan? FailureDetection { get; init; }

    /// <summary>Where the membership lives, for a log line: Redis's endpoint, PostgreSQL's host, port and database (never
    /// a password), or localhost clustering.</summary>
    public string Membership =>
        Redis is not null ? $"Redis at {Redis}" : Postgres is not null ? $"PostgreSQL at {PostgresMembership.Describe(Postgres)}" : "localhost clustering";
}
