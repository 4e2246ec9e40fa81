namespace QueryLake.Storage.Paths;

/// <summary>A path as the file system will resolve it: absolute, with <c>.</c> and <c>..</c> removed and every symbolic
/// link among the parts that exist followed to its final target. Parts that do not exist yet are appended as written,
/// so a file about to be created resolves to where it will be.</summary>
internal static class RealPath
{
    private const int MaxLinks = 40;

    /// <summary>The resolved form of <paramref name="path"/>.</summary>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var parts = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var current = root;
        int links = 0;
        bool exists = true;
        while (parts.TryDequeue(out var part))
        {
            var next = Path.Combine(current, part);
            if (exists && new FileInfo(next).LinkTarget is { } target && links++ < MaxLinks)
            {
                // Re-resolve the target (absolute, or relative to the link's folder) followed by what is left.
                var rest = parts.ToArray();
                var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                var restRoot = Path.GetPathRoot(resolved) ?? "/";
                parts = new Queue<string>(resolved[restRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = restRoot;
                continue;
            }
            if (exists && !File.Exists(next) && !Directory.Exists(next)) exists = false;
            current = next;
        }
        return current;
    }
}
