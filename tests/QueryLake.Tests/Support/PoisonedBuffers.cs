using System.Runtime.CompilerServices;
using QueryLake.Columnar.Memory;

namespace QueryLake.Tests.Support;

/// <summary>Every test runs with pooled buffers overwritten when they are given back (<see cref="BufferPool.PoisonReturned"/>):
/// a batch read after its lease ended then shows wrong values in whatever test reads it, instead of the old ones.</summary>
internal static class PoisonedBuffers
{
    [ModuleInitializer]
    internal static void Enable() => BufferPool.PoisonReturned = true;
}
