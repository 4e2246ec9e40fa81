using Xunit;
using EngineParallel = QueryLake.Execution.Parallel;

namespace QueryLake.Tests.Execution;

/// <summary>Kernels that split a batch's work further (similarity scans, nearest neighbours) read the query's thread
/// count (SET threads) as <c>Parallel.Degree</c>, inside the pipeline's parallel maps and on the caller's thread alike,
/// and all cores outside a query.</summary>
public sealed class ParallelDegreeTests
{
    [Fact]
    public void Work_inside_a_query_sees_its_thread_count()
    {
        Assert.All(EngineParallel.OrderedMap(Enumerable.Range(0, 20), _ => EngineParallel.Degree, 3, default).ToList(), d => Assert.Equal(3, d));
        Assert.All(EngineParallel.OrderedMap(Enumerable.Range(0, 5), _ => EngineParallel.Degree, 1, default).ToList(), d => Assert.Equal(1, d));
        Assert.Equal(2, EngineParallel.WithDegree(2, () => EngineParallel.Degree));
        Assert.Equal(Environment.ProcessorCount, EngineParallel.Degree); // restored after each
    }
}
