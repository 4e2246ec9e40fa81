using System.Collections.Concurrent;
using QueryLake.Sessions;

namespace QueryLake.Cluster.Grains;

/// <summary>The silo's lake: one session over the shared lake location, opened on first use (by every grain of the
/// silo; a session's read paths are safe to share).</summary>
public sealed class LakeSessions(string location)
{
    private static readonly ConcurrentDictionary<string, Lazy<QueryLakeSession>> Open = new(StringComparer.Ordinal);

    /// <summary>Where the lake is: a folder or <c>s3://bucket/prefix</c>, the same on every silo.</summary>
    public string Location { get; } = location;

    /// <summary>The session over the lake.</summary>
    public QueryLakeSession Session => Open.GetOrAdd(Location, l => new Lazy<QueryLakeSession>(() => QueryLakeSession.Open(l))).Value;
}
