using Orleans.Placement;
using QueryLake.Cluster.Execution;
using QueryLake.Errors;

namespace QueryLake.Cluster.Grains;

/// <summary>The coordinator on whichever silo the query arrived at: one activation per query (a fresh key), placed on
/// the silo the client reached.</summary>
[PreferLocalPlacement]
internal sealed class QueryCoordinator(LakeSessions lake) : Grain, IQueryCoordinator
{
    public async Task<QueryReply> Query(string sql, QuerySettings? settings = null, CancellationToken cancel = default)
    {
        try
        {
            var (schema, batches, stages) = await DistributedQuery.Run(GrainFactory, lake.Session, sql, settings?.ToEngine(), cancel);
            return new QueryReply(Arrow.Write(schema, batches), null, null, stages.ToArray());
        }
        catch (QueryLakeException e)
        {
            return new QueryReply(null, e.Code, e.Message, []);
        }
    }
}
