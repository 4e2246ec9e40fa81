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

    /// <summary>The batches of a spill file, in order; the file is deleted once read to its end.</summary>
    public static IEnumerable<RecordBatch> Read(string path)
    {
        using (var r = ArrowStreamReader.Open(path))
            while (r.ReadNext() is { } b) yield return b;
        File.Delete(path);
    }
}
