using QueryLake.Errors;

namespace QueryLake.Storage.Stores;

/// <summary>
/// The lake's storage seen through paths: the engine names files as paths under the lake's location (a folder, or
/// <c>s3://bucket/prefix</c>), and this turns them into keys of the <see cref="IObjectStore"/> that holds them. Every
/// file the lake keeps (manifests, data files, deletion vectors, tags, transaction outcomes, splits, views) is read and
/// written here, so one lake format serves both kinds of store.
/// </summary>
internal sealed class LakeStorage(string root, IObjectStore store, Func<string, IObjectStore>? open = null) : IDisposable
{
    /// <summary>The lake's location: an absolute folder path or <c>s3://bucket/prefix</c>.</summary>
    public string Root { get; } = root;

    public IObjectStore Store { get; } = store;

    /// <summary>Whether the lake lives in a local or POSIX folder.</summary>
    public bool IsLocal => Store is LocalStore;

    /// <summary>Stores outside the lake that files of it live in (a cold tier's location), by their root.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IObjectStore> _others = new(StringComparer.Ordinal);

    /// <summary>Whether a path a manifest records is an absolute location (a cold tier's file outside the lake) rather
    /// than relative to the dataset's folder.</summary>
    public static bool IsAbsolute(string path) => path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || path.StartsWith('/');

    /// <summary>The full path of a file a manifest records: relative to the dataset folder, or an absolute location.</summary>
    public static string FileOf(string datasetPath, string path) => IsAbsolute(path) ? path : Path.Combine(datasetPath, path);

    /// <summary>The store and key of <paramref name="path"/>: the lake's own store for paths under <see cref="Root"/>;
    /// otherwise the bucket of an <c>s3://</c> location or the local file system.</summary>
    private (IObjectStore Store, string Key) Locate(string path)
    {
        if (path == Root) return (Store, "");
        if (path.Length > Root.Length && path.StartsWith(Root, StringComparison.Ordinal) && path[Root.Length] is '/' or '\\')
            return (Store, path[(Root.Length + 1)..].Replace('\\', '/'));
        if (path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var (bucket, key) = S3Store.Parse(path);
            var other = _others.GetOrAdd("s3://" + bucket, b => open?.Invoke(b) ?? new S3Store(b));
            return (other, key);
        }
        if (path.StartsWith('/'))
            return (_others.GetOrAdd("/", _ => new LocalStore("/")), path.TrimStart('/'));
        throw new QueryLakeException("QL-BAD-LOCATION", $"'{path}' does not lie in the lake {Root} and is not an absolute location");
    }

    /// <summary>The store's key for <paramref name="path"/>, which must lie under <see cref="Root"/>.</summary>
    public string Key(string path)
    {
        var (s, key) = Locate(path);
        return ReferenceEquals(s, Store) ? key : throw new QueryLakeException("QL-BAD-LOCATION", $"'{path}' does not lie in the lake {Root}");
    }

    /// <summary>The path of <paramref name="key"/>.</summary>
    public string PathOf(string key) => key.Length == 0 ? Root : Root + "/" + key;

    public bool Exists(string path) => Head(path) is not null;

    public ObjectInfo? Head(string path) { var (s, k) = Locate(path); return s.Head(k); }

    public byte[] ReadAll(string path) { var (s, k) = Locate(path); return s.ReadAll(k); }

    /// <summary>The whole file, or null when there is none.</summary>
    public byte[]? TryReadAll(string path)
    {
        try { return ReadAll(path); }
        catch (QueryLakeException e) when (e.Code == "QL-STORE-NOT-FOUND") { return null; }
    }

    public byte[] Read(string path, long offset, int length) { var (s, k) = Locate(path); return s.Read(k, offset, length); }

    public void Write(string path, ReadOnlyMemory<byte> content) { var (s, k) = Locate(path); s.Write(k, content); }

    /// <summary>Creates the file unless it exists (link(2) on a folder, a conditional create on object storage).</summary>
    public bool TryCreate(string path, ReadOnlyMemory<byte> content) { var (s, k) = Locate(path); return s.TryCreate(k, content); }

    /// <summary>The files directly in <paramref name="folder"/>, their keys relative to the folder's store.</summary>
    public IReadOnlyList<ObjectInfo> Files(string folder) { var (s, k) = Locate(folder); return s.ListLevel(k).Objects; }

    /// <summary>The names of the files directly in <paramref name="folder"/> that end with <paramref name="suffix"/>.</summary>
    public IEnumerable<string> FileNames(string folder, string suffix) =>
        Files(folder).Select(o => o.Key[(o.Key.LastIndexOf('/') + 1)..]).Where(n => n.EndsWith(suffix, StringComparison.Ordinal));

    /// <summary>The names of the folders directly in <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> Folders(string folder) { var (s, k) = Locate(folder); return s.ListLevel(k).Folders; }

    /// <summary>Every file under <paramref name="folder"/>, at any depth.</summary>
    public IReadOnlyList<ObjectInfo> FilesUnder(string folder) { var (s, k) = Locate(folder); return s.List(k.Length > 0 ? k + "/" : ""); }

    public void Delete(string path) { var (s, k) = Locate(path); s.Delete(k); }

    public void DeleteFolder(string folder) { var (s, k) = Locate(folder); s.DeleteFolder(k); }

    public void Upload(string path, string file) { var (s, k) = Locate(path); s.Upload(k, file); }

    /// <summary>The local file of <paramref name="path"/> on a folder store, or null.</summary>
    public string? LocalPath(string path) { var (s, k) = Locate(path); return s.LocalPath(k); }

    public void Dispose()
    {
        Store.Dispose();
        foreach (var other in _others.Values) other.Dispose();
    }
}
