namespace QueryLake.Kernels;

/// <summary>SQL LIKE matching: <c>%</c> matches any run of characters (also none), <c>_</c> exactly one;
/// the optional escape character makes the next character literal. Iterative with backtracking to the
/// last %, so it runs in O(text × pattern) at worst and never recurses.</summary>
internal static class LikeMatcher
{
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
