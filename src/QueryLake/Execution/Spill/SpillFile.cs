using QueryLake.Columnar;
using QueryLake.Formats.Ipc;

namespace QueryLake.Execution.Spill;

/// <summary>Batches written to a spill file (Arrow IPC stream, uncompressed: a spill is read back once, soon) and read
/// back one at a time.</summary>
internal static class SpillFile
{
    /// <summary>Writes <paramref name="batches"/> to a new spill file of the query's and returns its path.</summary>
    public static string Write(QueryContext ctx, string kind, Schema schema, IEnumerable<RecordBatch> batches)
    {
        var spill = ctx.Spill;
        var path = spill.NewFile(kind);
        try
        {
            using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            using (var w = new ArrowStreamWriter(fs, schema, leaveOpen: true))
                foreach (var b in batches)
                {
                    ctx.Cancel.ThrowIfCancellationRequested();
                    w.Write(Kernels.Vectors.Plain(b));
                }
            spill.Count(fs.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(path); } catch (IOException) { }
            throw spill.Failed(e);
        }
        return path;
    }

    /// <summary>A spill file written a batch at a time (a partition that rows are sent to as they come).</summary>
    public sealed class Writer(QueryContext ctx, string kind, Schema schema) : IDisposable
    {
        private FileStream? _file;
        private ArrowStreamWriter? _writer;

        /// <summary>The file's path once something was written.</summary>
        public string? Path { get; private set; }

        /// <summary>Rows written.</summary>
        public long Rows { get; private set; }

        public void Write(RecordBatch batch)
        {
            if (batch.Length == 0) return;
            try
            {
                if (_writer is null)
                {
                    Path = ctx.Spill.NewFile(kind);
                    _file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                    _writer = new ArrowStreamWriter(_file, schema, leaveOpen: true);
                }
                _writer.Write(Kernels.Vectors.Plain(batch));
                Rows += batch.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw ctx.Spill.Failed(e); }
        }

        /// <summary>Ends the file and returns its path (null when nothing was written).</summary>
        public string? Finish()
        {
            if (_writer is null) return null;
            try
            {
                _writer.Dispose();
                ctx.Spill.Count(_file!.Length);
                _file.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw ctx.Spill.Failed(e); }
            _writer = null;
            return Path;
        }

        public void Dispose()
        {
            try { _writer?.Dispose(); } catch (IOException) { }
            _file?.Dispose();
        }
    }

    /// <summary>The batches of a spill file, in order; the file is deleted once read to its end.</summary>
    public static IEnumerable<RecordBatch> Read(string path)
    {
        using (var r = ArrowStreamReader.Open(path))
            while (r.ReadNext() is { } b) yield return b;
        File.Delete(path);
    }
}
