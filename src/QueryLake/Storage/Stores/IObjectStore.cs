namespace QueryLake.Storage.Stores;

/// <summary>
/// Where a lake's bytes live, as objects under keys ('/'-separated, relative to the lake's root): a local or POSIX
/// folder (<see cref="LocalStore"/>) or S3-compatible object storage (<see cref="S3Store"/>). Reads take byte ranges,
/// so a query fetches only the footers, pages and rows it needs. Commits publish with
/// <see cref="TryCreate"/>, which must never overwrite: link(2) on a folder, a conditional create
/// (<c>If-None-Match: *</c>) on object storage. Every failure is a QueryLake error that names the key, never a
/// credential.
/// </summary>
internal interface IObjectStore : IDisposable
{
    /// <summary>The store as users name it: a folder path, or <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>Whether <see cref="TryCreate"/> is safe against a concurrent writer on this store (false for object
    /// stores that ignore conditional creates: writing then needs a named commit lock).</summary>
    bool AtomicCreate { get; }

    /// <summary>The object's size and time, or null when there is none.</summary>
    ObjectInfo? Head(string key);

    /// <summary>Bytes [offset, offset + length) of the object (fewer at its end).</summary>
    byte[] Read(string key, long offset, int length);

    /// <summary>The whole object.</summary>
    byte[] ReadAll(string key);

    /// <summary>Writes the object, replacing one of the same key (data files: their names are unique).</summary>
    void Write(string key, ReadOnlyMemory<byte> content);

    /// <summary>Creates the object unless one of that key exists; false when it did (a lost race), never overwriting.</summary>
    bool TryCreate(string key, ReadOnlyMemory<byte> content);

    /// <summary>The objects whose keys start with <paramref name="prefix"/>, in key order.</summary>
    IReadOnlyList<ObjectInfo> List(string prefix);

    /// <summary>The objects directly in <paramref name="folder"/> (a key prefix without its trailing '/'; "" for the
    /// root) and the names of the folders in it, each in key order: one LIST with a delimiter on object storage.</summary>
    (IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> Folders) ListLevel(string folder);

    /// <summary>Deletes the object; nothing happens when there is none.</summary>
    void Delete(string key);

    /// <summary>Deletes every object under <paramref name="folder"/>; on a folder store the folder is first renamed away
    /// (atomically, to a name that starts with '.', which VACUUM finishes removing if a process dies meanwhile).</summary>
    void DeleteFolder(string folder);

    /// <summary>Uploads the local file <paramref name="file"/> as <paramref name="key"/>, streaming it (in parts when it is
    /// large), then deletes the local file.</summary>
    void Upload(string key, string file);

    /// <summary>Aborts the multipart uploads under the store's root started before <paramref name="before"/> (left by a
    /// process killed mid-upload; a failed upload is aborted at once) and returns how many; 0 on a folder store, and
    /// on a server that cannot list them (s3rver), where a bucket lifecycle rule (AbortIncompleteMultipartUpload) does
    /// it.</summary>
    int AbortUploads(DateTime before);

    /// <summary>The file that holds <paramref name="key"/> when the store is a local or POSIX folder (data files are then
    /// written and memory-mapped in place), or null for object storage.</summary>
    string? LocalPath(string key);
}
