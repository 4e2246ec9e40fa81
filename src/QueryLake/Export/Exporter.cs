using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Formats.Parquet;
using QueryLake.Formats.Text;
using QueryLake.Kernels;

namespace QueryLake.Export;

/// <summary>
/// Writes a query's rows for COPY: one file, or training output — <see cref="ExportOptions.Shards"/> files named
/// <c>part-00000-of-00004.ext</c> in a directory, optionally after a seeded full shuffle (each row's position is
/// ordered by a SplitMix64 draw of (seed, position), so the same seed gives the same order anywhere). Without a
/// shuffle rows stream (shard i gets rows i, i+n, …); a shuffle holds the rows in memory.
/// </summary>
internal static class Exporter
{
    private const int ChunkRows = 1 << 16;

    public static long Export(string target, Schema schema, IEnumerable<RecordBatch> batches, ExportOptions o)
    {
        if (o.Shards is null && o.ShuffleSeed is null)
        {
            using var sink = Sink(target, schema, o);
            foreach (var b in batches) sink.Write(b, default);
            sink.Finish();
            return sink.Rows;
        }
        int n = o.Shards ?? 1;
        string Path(int i) => n == 1 && o.Shards is null ? target : System.IO.Path.Combine(target, $"part-{i:D5}-of-{n:D5}.{o.Extension}");
        if (o.Shards is not null) Directory.CreateDirectory(target);
        var sinks = Enumerable.Range(0, n).Select(i => Sink(Path(i), schema, o)).ToArray();
        try
        {
            if (o.ShuffleSeed is { } seed) Shuffled(batches, schema, seed, sinks);
            else RoundRobin(batches, sinks);
            foreach (var s in sinks) s.Finish();
            return sinks.Sum(s => s.Rows);
        }
        finally
        {
            foreach (var s in sinks) s.Dispose();
        }
    }

    private static void RoundRobin(IEnumerable<RecordBatch> batches, ISink[] sinks)
    {
        int n = sinks.Length;
        long position = 0;
        foreach (var b in batches)
        {
            for (int s = 0; s < n; s++)
            {
                // Rows r of this batch with (position + r) % n == s.
                int first = (int)((s - position % n + n) % n);
                var rows = new List<int>();
                var numbers = new List<long>();
                for (int r = first; r < b.Length; r += n) { rows.Add(r); numbers.Add(position + r); }
                if (rows.Count > 0) sinks[s].Write(rows.Count == b.Length ? b : Gather.Rows(b, rows.ToArray()), numbers.ToArray());
            }
            position += b.Length;
        }
    }

    private static void Shuffled(IEnumerable<RecordBatch> batches, Schema schema, long seed, ISink[] sinks)
    {
        var all = batches.Where(b => b.Length > 0).ToList();
        var rows = Kernels.Gather.Positions(all);
        long total = rows.Length;
        var order = Kernels.SeededDraw.Permutation(seed, total);
        // Contiguous runs of the permutation: shard s gets ⌊total/n⌋ or one more.
        int n = sinks.Length;
        long start = 0;
        for (int s = 0; s < n; s++)
        {
            long count = total / n + (s < total % n ? 1 : 0);
            for (long at = start; at < start + count; at += ChunkRows)
            {
                int len = (int)Math.Min(ChunkRows, start + count - at);
                var picks = new Gather.Pick[len];
                var numbers = new long[len];
                for (int k = 0; k < len; k++) { picks[k] = rows[order[at + k]]; numbers[k] = at + k; }
                var columns = new ArrowArray[schema.Fields.Count];
                for (int c = 0; c < columns.Length; c++) columns[c] = Gather.Rows(schema.Fields[c].DataType, all.Select(b => b.Columns[c]).ToList(), picks);
                sinks[s].Write(new RecordBatch(schema, columns, len), numbers);
            }
            start += count;
        }
    }

    /// <summary>One output file being written.</summary>
    private interface ISink : IDisposable
    {
        long Rows { get; }
        void Write(RecordBatch batch, ReadOnlySpan<long> sampleNumbers);
        void Finish();
    }

    /// <summary>A sink for <paramref name="path"/>: every format writes a temporary file beside it and renames it into
    /// place when finished (Parquet's writer does so itself), so a failed, cancelled or killed COPY never leaves a
    /// partial file under the target's name. Temporary files that a killed COPY left beside the target are removed
    /// once older than <paramref name="o"/>'s grace.</summary>
    private static ISink Sink(string path, Schema schema, ExportOptions o)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new QueryLakeException("QL-COPY-TARGET", $"cannot write '{path}': the folder '{folder}' does not exist; create it first (COPY does not create folders)");
        if (Directory.Exists(path))
            throw new QueryLakeException("QL-COPY-TARGET", $"cannot write '{path}': it is a folder; name a file inside it");
        RemoveStale(path, o.StaleAfter);
        if (o.Format == "parquet") return Open(path, schema, o);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        return new Published(Open(temp, schema, o), temp, path);
    }

    private static void RemoveStale(string path, TimeSpan staleAfter)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is null || !Directory.Exists(dir)) return;
        foreach (var f in Directory.EnumerateFiles(dir, System.IO.Path.GetFileName(path) + ".tmp-*"))
            try { if (File.GetLastWriteTimeUtc(f) < DateTime.UtcNow - staleAfter) File.Delete(f); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
    }

    /// <summary>Writes to a temporary file and renames it to the target once finished; deletes it otherwise.</summary>
    private sealed class Published(ISink inner, string temp, string path) : ISink
    {
        private bool _published, _closed;

        public long Rows => inner.Rows;

        public void Write(RecordBatch batch, ReadOnlySpan<long> sampleNumbers) => inner.Write(batch, sampleNumbers);

        public void Finish()
        {
            inner.Finish();
            Close();
            File.Move(temp, path, overwrite: true);
            _published = true;
        }

        private void Close()
        {
            if (_closed) return;
            _closed = true;
            inner.Dispose();
        }

        public void Dispose()
        {
            Close();
            if (!_published) try { File.Delete(temp); } catch (IOException) { }
        }
    }

    private static ISink Open(string path, Schema schema, ExportOptions o) => o.Format switch
    {
        "csv" => new Adapter<TextWriters.CsvSink>(new TextWriters.CsvSink(path, schema, o.Delimiter), (w, b) => w.Write(b), w => w.Rows),
        "json" => new Adapter<TextWriters.JsonLinesSink>(new TextWriters.JsonLinesSink(path, schema), (w, b) => w.Write(b), w => w.Rows),
        "arrow" => new Counting<ArrowFileWriter>(ArrowFileWriter.Create(path, schema, new IpcWriteOptions
        {
            Compression = o.Compression == "zstd" ? IpcCompression.Zstd : IpcCompression.None,
        }), (w, b) => w.Write(b)),
        "parquet" => new Counting<ParquetFileWriter>(new ParquetFileWriter(path, schema, new ParquetWriteOptions { Compression = o.Compression ?? "zstd", RowGroupSize = o.RowGroupSize }),
            (w, b) => w.Write(b), w => w.Finish()),
        "webdataset" => new WebDataset(new WebDatasetWriter(path, schema)),
        _ => throw new ArgumentException($"unknown export format '{o.Format}'"),
    };

    private sealed class Adapter<T>(T writer, Action<T, RecordBatch> write, Func<T, long> rows) : ISink where T : IDisposable
    {
        public long Rows => rows(writer);
        public void Write(RecordBatch batch, ReadOnlySpan<long> sampleNumbers) => write(writer, batch);
        public void Finish() { }
        public void Dispose() => writer.Dispose();
    }

    private sealed class Counting<T>(T writer, Action<T, RecordBatch> write, Action<T>? finish = null) : ISink where T : IDisposable
    {
        public long Rows { get; private set; }
        public void Write(RecordBatch batch, ReadOnlySpan<long> sampleNumbers) { write(writer, batch); Rows += batch.Length; }
        public void Finish() => finish?.Invoke(writer);
        public void Dispose() => writer.Dispose();
    }

    private sealed class WebDataset(WebDatasetWriter writer) : ISink
    {
        public long Rows => writer.Rows;
        public void Write(RecordBatch batch, ReadOnlySpan<long> sampleNumbers) => writer.Write(batch, sampleNumbers);
        public void Finish() => writer.Finish();
        public void Dispose() => writer.Dispose();
    }
}
