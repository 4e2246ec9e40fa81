using QueryLake.Errors;

namespace QueryLake.Storage.Stores;

/// <summary>
/// The lake's storage seen through paths: the engine names files as paths under the lake's location (a folder, or
/// <c>s3://bucket/prefix</c>), and this turns them into keys of the <see cref="IObjectStore"/> that holds them. Every
/// file the lake keeps (manifests, data files, deletion vectors, tags, transaction outcomes, splits, views) is read and
/// written here, so one lake format serves both kinds of store.
/// </summary>
internal sealed class LakeStorage(string root, IObjectStore store) : IDisposable
{
    /// <summary>The lake's location: an absolute folder path or <c>s3://bucket/prefix</c>.</summary>
    public string Root { get; } = root;

    public IObjectStore Store { get; } = store;

    /// <summary>Whether the lake lives in a local or POSIX folder.</summary>
    public bool IsLocal => Store is LocalStore;

    /// <summary>The store's key for <paramref name="path"/>, which must lie under <see cref="Root"/>.</summary>
    public string Key(string path)
    {
        if (path.Length == Root.Length && path == Root) return "";
        if (path.Length <= Root.Length || !path.StartsWith(Root, StringComparison.Ordinal) || path[Root.Length] is not ('/' or '\\'))
            throw new QueryLakeException("QL-BAD-LOCATION", $"'{path}' does not lie in the lake {Root}");
        return path[(Root.Length + 1)..].Replace('\\', '/');
    }

    /// <summary>The path of <paramref name="key"/>.</summary>
    public string PathOf(string key) => key.Length == 0 ? Root : Root + "/" + key;

    public bool Exists(string path) => Store.Head(Key(path)) is not null;

    public ObjectInfo? Head(string path) => Store.Head(Key(path));

    public byte[] ReadAll(string path) => Store.ReadAll(Key(path));

    /// <summary>The whole file, or null when there is none.</summary>
    public byte[]? TryReadAll(string path)
    {
        try { return Store.ReadAll(Key(path)); }
        catch (QueryLakeException e) when (e.Code == "QL-STORE-NOT-FOUND") { return null; }
    }

    public byte[] Read(string path, long offset, int length) => Store.Read(Key(path), offset, length);

    public void Write(string path, ReadOnlyMemory<byte> content) => Store.Write(Key(path), content);

    /// <summary>Creates the file unless it exists (link(2) on a folder, a conditional create on object storage).</summary>
    public bool TryCreate(string path, ReadOnlyMemory<byte> content) => Store.TryCreate(Key(path), content);

    /// <summary>The files directly in <paramref name="folder"/>.</summary>
    public IReadOnlyList<ObjectInfo> Files(string folder) => Store.ListLevel(Key(folder)).Objects;

    /// <summary>The names of the files directly in <paramref name="folder"/> that end with <paramref name="suffix"/>.</summary>
    public IEnumerable<string> FileNames(string folder, string suffix) =>
        Files(folder).Select(o => o.Key[(o.Key.LastIndexOf('/') + 1)..]).Where(n => n.EndsWith(suffix, StringComparison.Ordinal));

    /// <summary>The names of the folders directly in <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> Folders(string folder) => Store.ListLevel(Key(folder)).Folders;

    /// <summary>Every file under <paramref name="folder"/>, at any depth.</summary>
    public IReadOnlyList<ObjectInfo> FilesUnder(string folder) => Store.List(Key(folder) is var k && k.Length > 0 ? k + "/" : "");

    public void Delete(string path) => Store.Delete(Key(path));

    public void DeleteFolder(string folder) => Store.DeleteFolder(Key(folder));

    public void Upload(string path, string file) => Store.Upload(Key(path), file);

    /// <summary>The local file of <paramref name="path"/> on a folder store, or null.</summary>
    public string? LocalPath(string path) => Store.LocalPath(Key(path));

    public void Dispose() => Store.Dispose();
}
