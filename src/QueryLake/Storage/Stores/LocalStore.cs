using QueryLake.Errors;
using QueryLake.Storage.Commits;

namespace QueryLake.Storage.Stores;

/// <summary>A lake in a local or POSIX folder: keys are relative paths; <see cref="TryCreate"/> writes a temporary file,
/// fsyncs it and publishes it with link(2), which fails when the name exists.</summary>
internal sealed class LocalStore(string root) : IObjectStore
{
    private readonly string _root = Path.GetFullPath(root);

    public string Location => _root;

    public bool AtomicCreate => true;

    private string PathOf(string key)
    {
        if (key.Length == 0 || key.Split('/').Any(part => part is "" or "." or ".."))
            throw new QueryLakeException("QL-BAD-NAME", $"'{key}' is not a key in the lake (empty, '.' and '..' parts are refused)");
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public ObjectInfo? Head(string key)
    {
        var file = new FileInfo(PathOf(key));
        return file.Exists ? new ObjectInfo(key, file.Length, file.LastWriteTimeUtc) : null;
    }

    public byte[] Read(string key, long offset, int length)
    {
        try
        {
            using var stream = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            if (offset >= stream.Length) return [];
            var buffer = new byte[(int)Math.Min(length, stream.Length - offset)];
            RandomAccess.Read(stream.SafeFileHandle, buffer, offset);
            return buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("read", key, e); }
    }

    public byte[] ReadAll(string key)
    {
        try { return File.ReadAllBytes(PathOf(key)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("read", key, e); }
    }

    /// <summary>Writes whole or not at all: to a temporary file, fsynced, then renamed over the key.</summary>
    public void Write(string key, ReadOnlyMemory<byte> content)
    {
        var path = PathOf(key);
        var temp = Path.Combine(_root, ".tmp", $"{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(content.Span);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Native.LibC.FsyncDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw Failed("write", key, e);
        }
    }

    public bool TryCreate(string key, ReadOnlyMemory<byte> content)
    {
        var path = PathOf(key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // One temporary folder for the whole store: link(2) works within a file system, and VACUUM cleans one place.
            return AtomicFile.TryCreate(path, content.Span, Path.Combine(_root, ".tmp"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("create", key, e); }
    }

    public IReadOnlyList<ObjectInfo> List(string prefix)
    {
        var result = new List<ObjectInfo>();
        // Only the folder the prefix lies in is walked, never the whole lake.
        int slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start)) return result;
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Split('/').Contains(".tmp")) continue;
            var info = new FileInfo(file);
            result.Add(new ObjectInfo(key, info.Length, info.LastWriteTimeUtc));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public (IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> Folders) ListLevel(string folder)
    {
        var dir = folder.Length == 0 ? _root : PathOf(folder);
        if (!Directory.Exists(dir)) return ([], []);
        try
        {
            var prefix = folder.Length == 0 ? "" : folder + "/";
            var objects = new DirectoryInfo(dir).EnumerateFiles().Select(f => new ObjectInfo(prefix + f.Name, f.Length, f.LastWriteTimeUtc))
                .OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
            var folders = Directory.EnumerateDirectories(dir).Select(Path.GetFileName).OfType<string>().Where(n => n != ".tmp")
                .Order(StringComparer.Ordinal).ToList();
            return (objects, folders);
        }
        catch (DirectoryNotFoundException) { return ([], []); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("list", folder, e); }
    }

    public void DeleteFolder(string folder)
    {
        var dir = PathOf(folder);
        if (!Directory.Exists(dir)) return;
        var trash = Path.Combine(_root, $".dropped-{Guid.NewGuid():N}");
        try
        {
            Directory.Move(dir, trash);
            Directory.Delete(trash, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("delete", folder, e); }
    }

    public void Upload(string key, string file)
    {
        var path = PathOf(key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(file, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("write", key, e); }
    }

    public string? LocalPath(string key) => PathOf(key);

    /// <summary>A folder has no multipart uploads: a killed write leaves a file VACUUM finds.</summary>
    public int AbortUploads(DateTime before) => 0;

    public void Delete(string key)
    {
        try { File.Delete(PathOf(key)); }
        catch (DirectoryNotFoundException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("delete", key, e); }
    }

    private QueryLakeException Failed(string what, string key, Exception e) =>
        new(e is FileNotFoundException or DirectoryNotFoundException ? "QL-STORE-NOT-FOUND" : "QL-STORE-FAILED",
            $"cannot {what} '{key}' in {_root}: {ErrorText.Describe(e)}");

    public void Dispose() { }
}
