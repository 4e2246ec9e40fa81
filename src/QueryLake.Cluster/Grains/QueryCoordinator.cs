using Orleans.Concurrency;
using QueryLake.Cluster.Execution;
using QueryLake.Errors;

namespace QueryLake.Cluster.Grains;

/// <summary>The coordinator on whichever silo the query arrived at (a stateless worker: activated locally, as many as
/// needed).</summary>
[StatelessWorker]
internal sealed class QueryCoordinator(LakeSessions lake) : Grain, IQueryCoordinator
{
    public async Task<QueryReply> Query(string sql)
    {
        try
        {
            var (schema, batches, stages) = await DistributedQuery.Run(GrainFactory, lake.Session, sql, CancellationToken.None);
            return new QueryReply(Arrow.Write(schema, batches), null, null, stages.ToArray());
        }
        catch (QueryLakeException e)
        {
            return new QueryReply(null, e.Code, e.Message, []);
        }
    }
}
