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

    public void Write(string key, ReadOnlyMemory<byte> content)
    {
        var path = PathOf(key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            stream.Write(content.Span);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("write", key, e); }
    }

    public bool TryCreate(string key, ReadOnlyMemory<byte> content)
    {
        var path = PathOf(key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return AtomicFile.TryCreate(path, content.Span, Path.Combine(Path.GetDirectoryName(path)!, ".tmp"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed("create", key, e); }
    }

    public IReadOnlyList<ObjectInfo> List(string prefix)
    {
        var result = new List<ObjectInfo>();
        if (!Directory.Exists(_root)) return result;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Split('/').Contains(".tmp")) continue;
            var info = new FileInfo(file);
            result.Add(new ObjectInfo(key, info.Length, info.LastWriteTimeUtc));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

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
