namespace QueryLake.Kernels;

/// <summary>SQL LIKE matching: <c>%</c> matches any run of characters (also none), <c>_</c> exactly one;
/// the optional escape character makes the next character literal. Iterative with backtracking to the
/// last %, so it runs in O(text × pattern) at worst and never recurses.</summary>
internal static class LikeMatcher
{
    /// <summary>A pattern of literal pieces joined by % (no _): 'a', 'a%', '%a', '%a%', '%special%requests%'.</summary>
    public sealed record Pieces(bool AnchoredStart, bool AnchoredEnd, byte[][] Literals)
    {
        /// <summary>Whether UTF-8 <paramref name="text"/> matches: the pieces found in order, leftmost first (which is
        /// enough for %), the first at the start and the last at the end where the pattern has no % there. Byte
        /// searches stop only at character boundaries, since UTF-8 never starts a character inside another.</summary>
        public bool Matches(ReadOnlySpan<byte> text)
        {
            var pieces = Literals;
            if (pieces.Length == 0) return !AnchoredStart || text.Length == 0;
            if (AnchoredStart && AnchoredEnd && pieces.Length == 1) return text.SequenceEqual(pieces[0]);
            int pos = 0, first = 0, last = pieces.Length;
            if (AnchoredStart)
            {
                if (!text.StartsWith(pieces[0])) return false;
                pos = pieces[0].Length;
                first = 1;
            }
            if (AnchoredEnd) last--;
            for (int i = first; i < last; i++)
            {
                int at = text[pos..].IndexOf(pieces[i]);
                if (at < 0) return false;
                pos += at + pieces[i].Length;
            }
            return !AnchoredEnd || (text.Length - pos >= pieces[^1].Length && text.EndsWith(pieces[^1]));
        }
    }

    /// <summary>The pieces of a pattern without _ (case-sensitive, no escape), or null.</summary>
    public static Pieces? Split(string pattern)
    {
        if (pattern.Contains('_')) return null;
        var parts = pattern.Split('%');
        var literals = parts.Where(p => p.Length > 0).Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        return new Pieces(!pattern.StartsWith('%'), !pattern.EndsWith('%'), literals);
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
