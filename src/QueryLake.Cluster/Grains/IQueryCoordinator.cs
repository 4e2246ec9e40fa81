namespace QueryLake.Cluster.Grains;

/// <summary>Accepts a query on any silo and coordinates it: plans and cuts it, sends the workers their fragments,
/// retries a task whose silo failed on another, and merges what they return.</summary>
public interface IQueryCoordinator : IGrainWithIntegerKey
{
    /// <summary>The result of <paramref name="sql"/> as an Arrow IPC stream, with a report of where each stage ran.</summary>
    Task<QueryReply> Query(string sql);
}
