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

    /// <summary>Writes <paramref name="batches"/> (decoded) to partitions by the hash of the values
    /// <paramref name="keys"/> gives for each row, NULLs equal (<see cref="RowKey"/>): what a window spills by its
    /// partition keys and a set operation by whole rows. The files' paths, null where no row went.</summary>
    public static string?[] ByValues(QueryContext ctx, string kind, IEnumerable<RecordBatch> batches, int level, Func<RecordBatch, IReadOnlyList<Columnar.Arrays.ArrowArray>> keys)
    {
        SpillPartitions? partitions = null;
        try
        {
            foreach (var batch in batches)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (batch.Length == 0) continue;
                var b = Kernels.Vectors.Plain(batch);
                partitions ??= new SpillPartitions(ctx, kind, b.Schema);
                var values = keys(b);
                var hashes = new int[b.Length];
                for (int r = 0; r < b.Length; r++) hashes[r] = RowKey.Of(values, r).GetHashCode();
                partitions.Write(b, null, r => Of(hashes[r], level));
            }
            return partitions?.Finish() ?? new string?[Count];
        }
        finally { partitions?.Dispose(); }
    }

    /// <summary>The batches an operator read before deciding to spill, each let go once handed on, then the rest of its
    /// input.</summary>
    public static IEnumerable<RecordBatch> Drain(List<RecordBatch> read, IEnumerator<RecordBatch> rest)
    {
        for (int i = 0; i < read.Count; i++)
        {
            var b = read[i];
            read[i] = null!;
            yield return b;
        }
        read.Clear();
        while (rest.MoveNext()) yield return rest.Current;
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
