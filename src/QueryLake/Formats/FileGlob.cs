using System.Text;
using System.Text.RegularExpressions;

namespace QueryLake.Formats;

/// <summary>Expands a file pattern: <c>*</c> and <c>?</c> within a path segment, <c>**</c> across directories, and
/// <c>[abc]</c> sets. A path without wildcards names itself. Matches are sorted, so reads are deterministic.</summary>
internal static class FileGlob
{
    public static bool IsPattern(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    public static IReadOnlyList<string> Expand(string pattern)
    {
        var full = Path.GetFullPath(pattern);
        if (!IsPattern(pattern)) return File.Exists(full) ? [full] : [];
        // The longest leading directory without wildcards is where the walk starts.
        var parts = full.Split(Path.DirectorySeparatorChar);
        int fixedCount = 0;
        while (fixedCount < parts.Length - 1 && !IsPattern(parts[fixedCount])) fixedCount++;
        var root = string.Join(Path.DirectorySeparatorChar, parts[..fixedCount]);
        if (root.Length == 0) root = Path.DirectorySeparatorChar.ToString();
        if (!Directory.Exists(root)) return [];
        var regex = new Regex("^" + ToRegex(parts[fixedCount..]) + "$", RegexOptions.CultureInvariant);
        bool recursive = parts[fixedCount..].Any(p => p == "**") || parts.Length - fixedCount > 1;
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions
        {
            RecurseSubdirectories = recursive, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None, ReturnSpecialDirectories = false,
        });
        return files.Where(f => regex.IsMatch(Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static string ToRegex(string[] segments)
    {
        var sb = new StringBuilder();
        for (int s = 0; s < segments.Length; s++)
        {
            var seg = segments[s];
            if (seg == "**")
            {
                // Zero or more directories.
                sb.Append(s == segments.Length - 1 ? ".*" : "(?:[^/]+/)*");
                continue;
            }
            for (int i = 0; i < seg.Length; i++)
            {
                char c = seg[i];
                switch (c)
                {
                    case '*': sb.Append("[^/]*"); break;
                    case '?': sb.Append("[^/]"); break;
                    case '[':
                        int close = seg.IndexOf(']', i + 1);
                        if (close < 0) { sb.Append(@"\["); break; }
                        var set = seg[(i + 1)..close];
                        sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                        i = close;
                        break;
                    default: sb.Append(Regex.Escape(c.ToString())); break;
                }
            }
            if (s < segments.Length - 1) sb.Append('/');
        }
        return sb.ToString();
    }
}
