namespace QueryLake.Execution.Spill;

/// <summary>
/// The spill files of one query: a folder of its own under the temp directory (the <c>temp_directory</c> setting),
/// created when the first file is, and deleted with everything in it when the query ends, whether it completed,
/// failed or was cancelled.
/// </summary>
internal sealed class SpillDirectory(string root) : IDisposable
{
    private readonly Lock _lock = new();
    private string? _path;
    private int _next;
    private long _bytes;

    /// <summary>The temp directory the query's folder goes under.</summary>
    public string Root { get; } = root;

    /// <summary>Bytes written to spill files so far (EXPLAIN ANALYZE shows them).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytes);

    /// <summary>How many spill files were made.</summary>
    public int Files => _next;

    /// <summary>A path for a new spill file; <paramref name="kind"/> names what it holds (sort-run, agg-part…).</summary>
    public string NewFile(string kind)
    {
        lock (_lock)
        {
            if (_path is null)
            {
                var path = System.IO.Path.Combine(Root, $"querylake-spill-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}");
                try { Directory.CreateDirectory(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Failed(e);
                }
                _path = path;
            }
            return System.IO.Path.Combine(_path, $"{kind}-{_next++:D5}.arrows");
        }
    }

    internal void Count(long bytes) => Interlocked.Add(ref _bytes, bytes);

    /// <summary>The error a spill that cannot be written shows (a full disk, a temp directory that cannot be written).</summary>
    public Errors.QueryLakeException Failed(Exception e) =>
        new("QL-SPILL", $"the query needs to spill to disk, but cannot write under the temp directory '{Root}' ({Errors.ErrorText.Describe(e)}); " +
                        "free disk space, SET temp_directory to a folder with room, or raise memory_limit");

    /// <summary>Deletes the query's spill files.</summary>
    public void Dispose()
    {
        string? path;
        lock (_lock) { path = _path; _path = null; }
        if (path is null) return;
        try { Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
