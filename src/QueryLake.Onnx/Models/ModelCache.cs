using System.Collections.Concurrent;
using QueryLake.Errors;

namespace QueryLake.Onnx.Models;

/// <summary>Loaded models, one per (file, threads, output), shared by every query of the process: a session loads
/// once and then runs for every batch. A model file that changes on disk (its size or time) is loaded again. Binding
/// a query only needs a model's shapes: it takes any loaded session of the file (<c>threads</c> null).</summary>
internal static class ModelCache
{
    private sealed record Key(string Path, int Threads, string? Output);
    private sealed record Entry(DateTime Written, long Length, Lazy<OnnxModel> Model);

    private static readonly ConcurrentDictionary<Key, Entry> Models = new();

    public static OnnxModel Get(string path, int? threads, string? output = null)
    {
        string full;
        try { full = System.IO.Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new QueryLakeException("QL-MODEL-MISSING", $"'{path}' is not a file path: {ErrorText.Describe(e)}");
        }
        var file = new FileInfo(full);
        if (!file.Exists) throw new QueryLakeException("QL-MODEL-MISSING", $"the ONNX model '{path}' does not exist (looked for {full})");
        if (threads is null)
            foreach (var (loaded, entry) in Models)
                if (loaded.Path == full && loaded.Output == output && entry.Model.IsValueCreated
                    && entry.Written == file.LastWriteTimeUtc && entry.Length == file.Length) return entry.Model.Value;
        var key = new Key(full, threads ?? Environment.ProcessorCount, output);
        var current = Models.AddOrUpdate(key,
            _ => New(file, key),
            (_, old) => old.Written == file.LastWriteTimeUtc && old.Length == file.Length ? old : New(file, key));
        try { return current.Model.Value; }
        catch (QueryLakeException)
        {
            // A failed load (a bad file) is not kept: the next query reads the file again.
            Models.TryRemove(new KeyValuePair<Key, Entry>(key, current));
            throw;
        }
    }

    private static Entry New(FileInfo file, Key key) =>
        new(file.LastWriteTimeUtc, file.Length, new Lazy<OnnxModel>(() => OnnxModel.Load(key.Path, key.Threads, key.Output)));

}
