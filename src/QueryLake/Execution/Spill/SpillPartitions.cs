using QueryLake.Columnar;
using QueryLake.Kernels;

namespace QueryLake.Execution.Spill;

/// <summary>
/// <see cref="Count"/> spill files that rows are sent to by a hash (of a group key, a join key, a whole row): the
/// partitioning of a hash aggregation, DISTINCT or a grace hash join over its memory limit. Rows with equal keys land in
/// one partition, so each partition can then be processed alone. The hash is mixed with the level, so a partition split
/// again spreads.
/// </summary>
internal sealed class SpillPartitions(QueryContext ctx, string kind, Schema schema) : IDisposable
{
    public const int Count = 16;

    private readonly SpillFile.Writer[] _files = Enumerable.Range(0, Count).Select(_ => new SpillFile.Writer(ctx, kind, schema)).ToArray();

    /// <summary>The partition of a key's hash at <paramref name="level"/>.</summary>
    public static int Of(int hash, int level) => (int)((uint)HashCode.Combine(hash, level) % Count);

    /// <summary>Sends <paramref name="rows"/> of <paramref name="batch"/> (null: all) to the partitions
    /// <paramref name="partitionOf"/> gives them.</summary>
    public void Write(RecordBatch batch, IReadOnlyList<int>? rows, Func<int, int> partitionOf)
    {
        var parts = new List<int>?[Count];
        int n = rows?.Count ?? batch.Length;
        for (int j = 0; j < n; j++)
        {
            int r = rows?[j] ?? j;
            (parts[partitionOf(r)] ??= []).Add(r);
        }
        for (int p = 0; p < Count; p++)
            if (parts[p] is { } picked)
                _files[p].Write(picked.Count == batch.Length ? batch : Gather.Rows(batch, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(picked)));
    }

    /// <summary>Ends the files: each partition's path, null where no row went.</summary>
    public string?[] Finish() => _files.Select(f => f.Finish()).ToArray();

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
