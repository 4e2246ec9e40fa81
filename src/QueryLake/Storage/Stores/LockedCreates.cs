using QueryLake.Errors;

namespace QueryLake.Storage.Stores;

/// <summary>
/// A store whose creates are serialized by an exclusive lock on a local or POSIX file (<c>Commit Lock=</c>), for object
/// stores that do not honour conditional creates: under the lock, a create looks for the object and writes it only when
/// it is absent. It is safe as long as every writer names the same lock file (every writer on one machine, or a shared
/// POSIX file system); everything else passes through.
/// </summary>
internal sealed class LockedCreates(IObjectStore inner, string lockFile) : IObjectStore
{
    /// <summary>How long a create waits for the lock before it reports a timeout.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly string _lockFile = Path.GetFullPath(lockFile);

    /// <summary>The store whose creates this serializes.</summary>
    public IObjectStore Inner => inner;

    public string Location => inner.Location;
    public bool AtomicCreate => true;
    public ObjectInfo? Head(string key) => inner.Head(key);
    public byte[] Read(string key, long offset, int length) => inner.Read(key, offset, length);
    public byte[] ReadAll(string key) => inner.ReadAll(key);
    public void Write(string key, ReadOnlyMemory<byte> content) => inner.Write(key, content);
    public IReadOnlyList<ObjectInfo> List(string prefix) => inner.List(prefix);
    public (IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> Folders) ListLevel(string folder) => inner.ListLevel(folder);
    public void Delete(string key) => inner.Delete(key);
    public void DeleteFolder(string folder) => inner.DeleteFolder(folder);
    public void Upload(string key, string file) => inner.Upload(key, file);
    public string? LocalPath(string key) => inner.LocalPath(key);
    public int AbortUploads(DateTime before) => inner.AbortUploads(before);

    public bool TryCreate(string key, ReadOnlyMemory<byte> content)
    {
        using var held = Acquire();
        if (inner.Head(key) is not null) return false;
        inner.Write(key, content);
        return true;
    }

    /// <summary>The lock: the file opened with no sharing, which the OS refuses to every other opener (an flock on
    /// Unix) and releases when the process dies.</summary>
    private FileStream Acquire()
    {
        var until = DateTime.UtcNow + Wait;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_lockFile)!);
                return new FileStream(_lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (DateTime.UtcNow < until) { Thread.Sleep(Math.Min(100, 2 << Math.Min(attempt, 6))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new QueryLakeException("QL-COMMIT-LOCK", $"cannot take the commit lock {_lockFile} for {inner.Location}: {ErrorText.Describe(e)}");
            }
        }
    }

    public void Dispose() => inner.Dispose();
}
