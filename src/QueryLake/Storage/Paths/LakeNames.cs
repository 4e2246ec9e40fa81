using System.Text.RegularExpressions;
using QueryLake.Errors;

namespace QueryLake.Storage.Paths;

/// <summary>
/// The one check for every name that becomes a path in a lake: datasets, views, splits, tags, branches, prediction
/// runs and export records. A name is 1–128 letters, digits, <c>_</c>, <c>.</c> or <c>-</c>, not starting with
/// <c>.</c> or <c>-</c>; so it holds no separator, no <c>..</c>, no control character and never names a parent folder. The lake's
/// own folders (<c>_splits</c>, <c>_views</c>, <c>_versions</c>, …) and the staging names writers use are reserved.
/// Quoting a name in SQL does not bypass the check: it runs where the name is turned into a path.
/// </summary>
internal static partial class LakeNames
{
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex Pattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ColumnPattern();

    /// <summary>Folder and file names the lake uses itself, at its root or inside a dataset.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "_splits", "_views", "_exports", "_versions", "_refs", "_tmp", "_lake", "_transactions", "_exchange",
    };

    /// <summary>Why <paramref name="name"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0) return "a name cannot be empty";
        if (name.Any(char.IsControl)) return "a name cannot hold control characters";
        if (name.Contains('/') || name.Contains('\\')) return "a name cannot hold a path separator";
        if (name.Contains("..", StringComparison.Ordinal)) return "a name cannot hold '..'";
        if (!Pattern().IsMatch(name)) return "use 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'";
        if (Reserved.Contains(name)) return "the lake uses that name itself";
        if (name.Contains(".old-", StringComparison.OrdinalIgnoreCase)) return "names holding '.old-' are reserved for replacements in progress";
        return null;
    }

    /// <summary>True when <paramref name="name"/> passes <see cref="Check"/>.</summary>
    public static bool IsValid(string name) => Problem(name) is null;

    /// <summary>Throws QL-BAD-NAME unless <paramref name="name"/> is a valid <paramref name="what"/> name.</summary>
    public static string Check(string name, string what) =>
        Problem(name) is { } problem
            ? throw new LakeException("QL-BAD-NAME", $"'{Printable(name)}' is not a valid {what} name: {problem}")
            : name;

    /// <summary>Throws QL-BAD-NAME unless <paramref name="name"/> is a valid column name: the same characters as a path
    /// name, starting with a letter or '_' (a column can become a file name in an export); the lake's folder names are
    /// allowed.</summary>
    public static string CheckColumn(string name) =>
        ColumnPattern().IsMatch(name) ? name
            : throw new LakeException("QL-BAD-NAME", $"'{Printable(name)}' is not a valid column name: use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or '_'");

    private static string Printable(string name)
    {
        var s = new string(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return s.Length > 80 ? s[..80] + "…" : s;
    }
}
