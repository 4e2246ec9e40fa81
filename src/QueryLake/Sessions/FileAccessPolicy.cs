using QueryLake.Storage.Paths;

namespace QueryLake.Sessions;

/// <summary>
/// Which files a session's statements may read and write outside its lake, with DuckDB's settings:
/// <c>enable_external_access</c> (true by default; once false, it cannot be switched back on),
/// <c>allowed_directories</c> and <c>allowed_paths</c> (the exceptions that stay open once it is false; they can only
/// change while it is true), and <c>lock_configuration</c> (no SET or RESET after it). Every path is checked as the
/// file system resolves it, after <c>..</c> and symbolic links (<see cref="RealPath"/>): a link inside an allowed
/// directory to a file outside it is refused. The lake's own folder stays readable.
/// </summary>
public sealed class FileAccessPolicy
{
    private readonly List<string> _directories = [], _paths = [];
    private readonly List<string> _resolvedDirectories = [], _resolvedPaths = [];

    /// <summary>Whether statements may read and write any file (DuckDB's <c>enable_external_access</c>).</summary>
    public bool ExternalAccess { get; private set; } = true;

    /// <summary>Directories whose files stay readable and writable with external access off, as given.</summary>
    public IReadOnlyList<string> AllowedDirectories => _directories;

    /// <summary>Files that stay readable and writable with external access off, as given.</summary>
    public IReadOnlyList<string> AllowedPaths => _paths;

    /// <summary>Whether SET and RESET are refused (<c>lock_configuration</c>); once true, it stays true.</summary>
    public bool Locked { get; private set; }

    /// <summary>Applies settings a front end takes before any SQL runs (connection-string keys, CLI flags), in the only
    /// order that works: the allowed directories and paths, then external access off, then the lock.</summary>
    public void Configure(bool externalAccess = true, IEnumerable<string>? allowedDirectories = null, IEnumerable<string>? allowedPaths = null, bool lockConfiguration = false)
    {
        if (allowedDirectories is not null) SetAllowedDirectories(allowedDirectories);
        if (allowedPaths is not null) SetAllowedPaths(allowedPaths);
        if (!externalAccess) DisableExternalAccess();
        if (lockConfiguration) Lock();
    }

    /// <summary>Switches external access off for the rest of the session.</summary>
    public void DisableExternalAccess() => ExternalAccess = false;

    /// <summary>Locks the session's configuration for the rest of the session.</summary>
    public void Lock() => Locked = true;

    /// <summary>Sets the allowed directories; refused once external access is off.</summary>
    /// <exception cref="InvalidOperationException">External access is off.</exception>
    public void SetAllowedDirectories(IEnumerable<string> directories) => Replace(_directories, _resolvedDirectories, directories, "allowed_directories");

    /// <summary>Sets the allowed files; refused once external access is off.</summary>
    /// <exception cref="InvalidOperationException">External access is off.</exception>
    public void SetAllowedPaths(IEnumerable<string> paths) => Replace(_paths, _resolvedPaths, paths, "allowed_paths");

    private void Replace(List<string> given, List<string> resolved, IEnumerable<string> values, string setting)
    {
        if (!ExternalAccess) throw new InvalidOperationException($"{setting} can only change while enable_external_access is true");
        var list = values.ToList();
        if (list.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"{setting} takes non-empty paths");
        given.Clear();
        given.AddRange(list);
        resolved.Clear();
        resolved.AddRange(list.Select(RealPath.Of));
    }

    /// <summary>Why a statement may not <paramref name="use"/> ("read", "write") <paramref name="path"/>, or null when it
    /// may. <paramref name="lake"/> is the session's lake folder, readable always.</summary>
    internal string? Denial(string path, string use, string? lake)
    {
        if (ExternalAccess) return null;
        var real = RealPath.Of(path);
        if (_resolvedPaths.Contains(real, StringComparer.Ordinal)) return null;
        if (_resolvedDirectories.Any(d => Under(real, d))) return null;
        if (use == "read" && lake is not null && Under(real, RealPath.Of(lake))) return null;
        return $"{use} '{path}'" + (real != Path.GetFullPath(path) ? $" (which resolves to '{real}')" : "")
            + " is not allowed: enable_external_access is false and it is in none of allowed_directories or allowed_paths";
    }

    private static bool Under(string path, string directory) =>
        path == directory || path.StartsWith(directory.EndsWith(Path.DirectorySeparatorChar) ? directory : directory + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
