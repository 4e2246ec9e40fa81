using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Formats.Ipc;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;
using QueryLake.Storage.Stores;

namespace QueryLake.Execution.Distributed;

/// <summary>
/// The exchange's writing side: a task's rows hash-partitioned on key expressions into Arrow IPC stream files on the
/// lake's storage, one or more per partition (a partition's buffer is written out as a file whenever it passes
/// <see cref="ChunkBytes"/>). A row's partition is a function of its keys' values alone (<see cref="KeyHash"/>, which
/// hashes a value alike whatever its integer width or encoding), so the two sides of a join, partitioned on their
/// keys, put equal keys in the same partition.
/// </summary>
internal static class PartitionWriter
{
    /// <summary>The bytes a partition buffers before it is written out as a file.</summary>
    public const long ChunkBytes = 32L << 20;

    /// <summary>Writes <paramref name="batches"/> into <paramref name="partitions"/> partitions under the lake key
    /// <paramref name="folder"/>; returns each partition's files (lake keys), the rows and the bytes written.</summary>
    public static (string[][] Files, long Rows, long Bytes) Write(LakeStorage storage, string folder, Schema schema, IEnumerable<RecordBatch> batches,
        IReadOnlyList<BoundExpr> keys, int partitions, CancellationToken cancel) =>
        Write(storage, folder, schema, batches, b => Of(keys.Select(k => ExpressionEvaluator.Evaluate(k, b)).ToList(), b.Length, partitions), partitions, cancel);

    /// <summary>Deals <paramref name="batches"/> round-robin into <paramref name="partitions"/> partitions, the task's
    /// first row to partition <paramref name="start"/> modulo the count (tasks start apart, so partitions stay even),
    /// for COPY … SHARDS on a cluster.</summary>
    public static (string[][] Files, long Rows, long Bytes) Deal(LakeStorage storage, string folder, Schema schema, IEnumerable<RecordBatch> batches,
        int start, int partitions, CancellationToken cancel)
    {
        long position = start;
        return Write(storage, folder, schema, batches, b =>
        {
            var of = new int[b.Length];
            for (int r = 0; r < of.Length; r++) of[r] = (int)((position + r) % partitions);
            position += b.Length;
            return of;
        }, partitions, cancel);
    }

    private static (string[][] Files, long Rows, long Bytes) Write(LakeStorage storage, string folder, Schema schema, IEnumerable<RecordBatch> batches,
        Func<RecordBatch, int[]> partitionOf, int partitions, CancellationToken cancel)
    {
        var files = Enumerable.Range(0, partitions).Select(_ => new List<string>()).ToArray();
        var buffers = new (MemoryStream Stream, ArrowStreamWriter Writer)?[partitions];
        long rows = 0, bytes = 0;
        void Flush(int p)
        {
            if (buffers[p] is not var (stream, writer)) return;
            writer.Finish();
            string key = $"{folder}/p{p}-{files[p].Count}.arrow";
            storage.Write(storage.PathOf(key), stream.GetBuffer().AsMemory(0, (int)stream.Length));
            bytes += stream.Length;
            files[p].Add(key);
            writer.Dispose();
            buffers[p] = null;
        }
        foreach (var batch in batches)
        {
            cancel.ThrowIfCancellationRequested();
            if (batch.Length == 0) continue;
            rows += batch.Length;
            var of = partitionOf(batch);
            var counts = new int[partitions];
            foreach (int p in of) counts[p]++;
            var picks = counts.Select(c => new int[c]).ToArray();
            var at = new int[partitions];
            for (int r = 0; r < of.Length; r++) picks[of[r]][at[of[r]]++] = r;
            for (int p = 0; p < partitions; p++)
            {
                if (counts[p] == 0) continue;
                var part = counts[p] == batch.Length ? batch : Gather.Rows(batch, picks[p]);
                buffers[p] ??= Open(schema);
                buffers[p]!.Value.Writer.Write(part);
                if (buffers[p]!.Value.Stream.Length >= ChunkBytes) Flush(p);
            }
        }
        for (int p = 0; p < partitions; p++) Flush(p);
        return (files.Select(f => f.ToArray()).ToArray(), rows, bytes);
    }

    private static (MemoryStream, ArrowStreamWriter) Open(Schema schema)
    {
        var stream = new MemoryStream();
        return (stream, new ArrowStreamWriter(stream, schema, leaveOpen: true));
    }

    /// <summary>The partition of each of the first <paramref name="n"/> rows of the key columns.</summary>
    public static int[] Of(IReadOnlyList<ArrowArray> keys, int n, int partitions)
    {
        var hashes = KeyHash.Of(keys, n);
        var of = new int[n];
        for (int i = 0; i < n; i++)
            // Remixed, so partitions do not follow the bits a hash table of the same keys buckets by.
            of[i] = (int)((KeyHash.Mix(hashes[i] ^ 0x5851F42D4C957F2DUL) >> 32) * (ulong)partitions >> 32);
        return of;
    }

    /// <summary>The rows of the given partition files, one file at a time.</summary>
    public static IEnumerable<RecordBatch> Read(LakeStorage storage, IEnumerable<string> files, CancellationToken cancel)
    {
        foreach (var key in files)
        {
            cancel.ThrowIfCancellationRequested();
            using var reader = new ArrowStreamReader(new MemoryStream(storage.ReadAll(storage.PathOf(key))), key);
            foreach (var b in reader.ReadAll()) yield return b;
        }
    }
}
