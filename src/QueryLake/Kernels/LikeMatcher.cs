namespace QueryLake.Kernels;

/// <summary>SQL LIKE matching: <c>%</c> matches any run of characters (also none), <c>_</c> exactly one;
/// the optional escape character makes the next character literal. Iterative with backtracking to the
/// last %, so it runs in O(text × pattern) at worst and never recurses.</summary>
internal static class LikeMatcher
{
    public enum SimpleKind { Exact, Prefix, Suffix, Contains }

    /// <summary>Recognizes patterns that are a literal with % only at its ends: exact, 'a%', '%a' and '%a%'.</summary>
    public static (SimpleKind Kind, string Literal)? Simple(string pattern)
    {
        bool lead = pattern.StartsWith('%'), trail = pattern.Length > 1 && pattern.EndsWith('%');
        var core = pattern[(lead ? 1 : 0)..(pattern.Length - (trail ? 1 : 0))];
        if (core.Contains('%') || core.Contains('_') || (lead && pattern.Length == 1)) return null;
        return (lead && trail ? SimpleKind.Contains : lead ? SimpleKind.Suffix : trail ? SimpleKind.Prefix : SimpleKind.Exact, core);
    }

    public static bool Matches(string text, string pattern, bool ignoreCase, char? escape = null)
    {
        if (ignoreCase)
        {
            text = text.ToLowerInvariant();
            pattern = pattern.ToLowerInvariant();
        }
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '%') { starP = p++; starT = t; continue; }
                if (c == escape && p + 1 < pattern.Length)
                {
                    if (text[t] == pattern[p + 1]) { t++; p += 2; continue; }
                }
                else if (c == '_' || c == text[t]) { t++; p++; continue; }
            }
            if (starP < 0) return false;
            p = starP + 1;
            t = ++starT;
        }
        while (p < pattern.Length && pattern[p] == '%') p++;
        return p == pattern.Length;
    }
}
