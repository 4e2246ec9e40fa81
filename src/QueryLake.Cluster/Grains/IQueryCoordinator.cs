namespace QueryLake.Cluster.Grains;

/// <summary>Accepts a query on any silo and coordinates it: plans and cuts it, sends the workers their fragments,
/// retries a task whose silo failed on another, and merges what they return.</summary>
public interface IQueryCoordinator : IGrainWithGuidKey
{
    /// <summary>The result of <paramref name="sql"/> as an Arrow IPC stream, with a report of where each stage ran, run
    /// under the client's <paramref name="settings"/> (null: the coordinator's session's); <paramref name="cancel"/>
    /// (the client's timeout or Ctrl-C) cancels the query and its tasks on every silo.</summary>
    Task<QueryReply> Query(string sql, QuerySettings? settings = null, CancellationToken cancel = default);
}
