namespace QueryLake.Storage.Paths;

/// <summary>
/// The file that marks a folder as a lake (<c>.querylake</c> at its root, written when a lake is opened), and the test
/// for "is this path inside a lake", which statements that write files (COPY) use to stay out of every lake's
/// internals, not only their own session's.
/// </summary>
internal static class LakeMarker
{
    /// <summary>The marker's file name. It starts with '.', which no lake name can, so it never collides with one.</summary>
    public const string FileName = ".querylake";

    /// <summary>Writes the marker into <paramref name="lakePath"/> unless it is there already. A lake on a read-only
    /// file system stays unmarked; its datasets are still recognised by their commit logs.</summary>
    public static void Write(string lakePath)
    {
        var path = Path.Combine(lakePath, FileName);
        if (File.Exists(path)) return;
        try
        {
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            f.Write("{\"querylake_lake\": 1}\n"u8);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The lake folder that <paramref name="path"/> lies in (or is), after resolving <c>..</c> and symbolic
    /// links, or null. A folder is a lake when it is <paramref name="knownLake"/>, holds the marker, or is a dataset
    /// (holds a <c>_versions</c> commit log), which also catches lakes written before the marker existed.</summary>
    public static string? Enclosing(string path, string? knownLake = null)
    {
        var real = RealPath.Of(path);
        var known = knownLake is null ? null : RealPath.Of(knownLake);
        for (var dir = real; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (known is not null && string.Equals(dir, known, StringComparison.Ordinal)) return dir;
            if (File.Exists(Path.Combine(dir, FileName)) || Directory.Exists(Path.Combine(dir, "_versions"))) return dir;
        }
        return null;
    }
}
