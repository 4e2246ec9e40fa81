using Xunit;

namespace QueryLake.Tests.Support;

/// <summary>Tests that measure the whole process (its memory) run in this collection: after the parallel ones, and
/// alone, so other tests' allocations do not count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
