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
/// keys, put equal keys in the same partition. The buffers count against the query's <c>memory_limit</c>: when the
/// next rows do not fit, the largest buffer is written out early, so a task holds at most the limit whatever the
/// partition count. The reading side streams a file from local storage, and holds an object store's file only while
/// its rows are read, counted the same way.
/// </summary>
internal static class PartitionWriter
{
    /// <summary>The bytes a partition buffers before it is written out as a file.</summary>
    public const long ChunkBytes = 32L << 20;

    /// <summary>Writes <paramref name="batches"/> into <paramref name="partitions"/> partitions under the lake key
    /// <paramref name="folder"/>; returns each partition's files (lake keys), the rows and the bytes written. With
    /// <paramref name="keep"/> (a join filter of the other side's keys), only the rows whose keys may be in it are
    /// written, and none with a NULL key (which matches nothing); <paramref name="build"/> is given the hashes of the
    /// keys written (a join filter for the other side). A stage builds a filter or is filtered by one, never both.</summary>
    public static (string[][] Files, long Rows, long Bytes) Write(LakeStorage storage, string folder, Schema schema, IEnumerable<RecordBatch> batches,
        IReadOnlyList<BoundExpr> keys, int partitions, QueryContext ctx, BlockedBloom? keep = null, BlockedBloom? build = null) =>
        Write(storage, folder, schema, batches, b =>
        {
            var values = keys.Select(k => ExpressionEvaluator.Evaluate(k, b)).ToList();
            var hashes = KeyHash.Of(values, b.Length);
            if (keep is null && build is null) return (b, Of(hashes, partitions));
            var nullable = values.Where(v => v.NullCount > 0).ToList();
            bool NullKey(int r) => nullable.Any(v => v.IsNull(r));
            // A side that builds a filter writes every row, its NULL keys too; only the filtered side loses rows.
            if (keep is null)
            {
                for (int r = 0; r < b.Length; r++) if (!NullKey(r)) build!.Add(hashes[r]);
                return (b, Of(hashes, partitions));
            }
            var kept = new List<int>(b.Length);
            for (int r = 0; r < b.Length; r++) if (!NullKey(r) && keep.MayHold(hashes[r])) kept.Add(r);
            if (kept.Count == b.Length) return (b, Of(hashes, partitions));
            return (Gather.Rows(b, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept)), Of(kept.Select(r => hashes[r]).ToArray(), partitions));
        }, partitions, ctx);

    /// <summary>Deals <paramref name="batches"/> round-robin into <paramref name="partitions"/> partitions, the task's
    /// first row to partition <paramref name="start"/> modulo the count (tasks start apart, so partitions stay even),
    /// for COPY … SHARDS on a cluster.</summary>
    public static (string[][] Files, long Rows, long Bytes) Deal(LakeStorage storage, string folder, Schema schema, IEnumerable<RecordBatch> batches,
        int start, int partitions, QueryContext ctx)
    {
        long position = start;
        return Write(storage, folder, schema, batches, b =>
        {
            var of = new int[b.Length];
            for (int r = 0; r < of.Length; r++) of[r] = (int)((position + r) % partitions);
            position += b.Length;
            return (b, of);
        }, partitions, ctx);
    }

    private static (string[][] Files, long Rows, long Bytes) Write(LakeStorage storage, string folder, Schema schema, IEnumerable<RecordBatch> batches,
        Func<RecordBatch, (RecordBatch Rows, int[] Of)> partitionOf, int partitions, QueryContext ctx)
    {
        var files = Enumerable.Range(0, partitions).Select(_ => new List<string>()).ToArray();
        var buffers = new (MemoryStream Stream, ArrowStreamWriter Writer)?[partitions];
        // The bytes of each buffer counted against the query's memory.
        var held = new long[partitions];
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
            ctx.Release(held[p]);
            held[p] = 0;
        }
        // Counts partition p's growth; while it does not fit, writes out the largest buffer (p's own included, which
        // then needs nothing more).
        void Count(int p)
        {
            long grown = buffers[p]!.Value.Stream.Length - held[p];
            while (!ctx.TryReserve(grown))
            {
                int largest = p;
                for (int q = 0; q < partitions; q++) if (held[q] > held[largest]) largest = q;
                if (largest == p || held[largest] <= held[p] + grown) { Flush(p); return; }
                Flush(largest);
            }
            held[p] += grown;
        }
        try
        {
            foreach (var batch in batches)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (batch.Length == 0) continue;
                var (written, of) = partitionOf(batch);
                if (written.Length == 0) continue;
                rows += written.Length;
                var counts = new int[partitions];
                foreach (int p in of) counts[p]++;
                var picks = counts.Select(c => new int[c]).ToArray();
                var at = new int[partitions];
                for (int r = 0; r < of.Length; r++) picks[of[r]][at[of[r]]++] = r;
                for (int p = 0; p < partitions; p++)
                {
                    if (counts[p] == 0) continue;
                    var part = counts[p] == written.Length ? written : Gather.Rows(written, picks[p]);
                    buffers[p] ??= Open(schema);
                    buffers[p]!.Value.Writer.Write(part);
                    if (buffers[p]!.Value.Stream.Length >= ChunkBytes) Flush(p);
                    else Count(p);
                }
            }
            for (int p = 0; p < partitions; p++) Flush(p);
        }
        finally
        {
            for (int p = 0; p < partitions; p++)
            {
                buffers[p]?.Writer.Dispose();
                ctx.Release(held[p]);
            }
        }
        return (files.Select(f => f.ToArray()).ToArray(), rows, bytes);
    }

    private static (MemoryStream, ArrowStreamWriter) Open(Schema schema)
    {
        var stream = new MemoryStream();
        return (stream, new ArrowStreamWriter(stream, schema, leaveOpen: true));
    }

    /// <summary>The partition of each of the first <paramref name="n"/> rows of the key columns.</summary>
    public static int[] Of(IReadOnlyList<ArrowArray> keys, int n, int partitions) => Of(KeyHash.Of(keys, n), partitions);

    /// <summary>The partition of each row, from its keys' hash.</summary>
    private static int[] Of(ulong[] hashes, int partitions)
    {
        int n = hashes.Length;
        var of = new int[n];
        for (int i = 0; i < n; i++)
            // Remixed, so partitions do not follow the bits a hash table of the same keys buckets by.
            of[i] = (int)((KeyHash.Mix(hashes[i] ^ 0x5851F42D4C957F2DUL) >> 32) * (ulong)partitions >> 32);
        return of;
    }

    /// <summary>The rows of the given partition files, one file at a time: a local file streamed, an object store's read
    /// whole and counted against the query's memory while its rows are read.</summary>
    public static IEnumerable<RecordBatch> Read(LakeStorage storage, IEnumerable<string> files, QueryContext ctx)
    {
        foreach (var key in files)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            string path = storage.PathOf(key);
            if (storage.LocalPath(path) is { } local)
            {
                using var stream = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                using var reader = new ArrowStreamReader(stream, key);
                foreach (var b in reader.ReadAll()) yield return b;
                continue;
            }
            byte[] content = storage.ReadAll(path);
            ctx.Reserve(content.Length, "an exchange file being read");
            try
            {
                using var reader = new ArrowStreamReader(new MemoryStream(content), key);
                foreach (var b in reader.ReadAll()) yield return b;
            }
            finally { ctx.Release(content.Length); }
        }
    }
}
