namespace QueryLake.Language.Parsing;

/// <summary>
/// Finds where statements end in SQL text without parsing it: a ';' ends a statement only outside string literals
/// ('…' with '' inside), quoted identifiers ("…" with "" inside), line comments (-- …), block comments (/* … */,
/// nested as in PostgreSQL) and dollar-quoted text ($$ … $$ or $tag$ … $tag$; $1 is a parameter, not a quote). Front
/// ends use it to know when a typed statement is complete and to run a script one statement at a time.
/// </summary>
public static class StatementSplitter
{
    /// <summary>True when <paramref name="text"/> holds at least one statement and ends with a ';' that ends one, with
    /// nothing but white space and comments after it (and no quote or comment left open).</summary>
    public static bool IsComplete(string text)
    {
        var (ends, open) = Scan(text);
        if (open || ends.Count == 0) return false;
        return Significant(text, ends[^1] + 1).Length == 0;
    }

    /// <summary>The statements of <paramref name="text"/>, each with its ';' and without the white space around it;
    /// text after the last ';' (an unfinished statement) comes last unless it is only white space and comments.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        var (ends, _) = Scan(text);
        var result = new List<string>();
        int start = 0;
        foreach (int end in ends)
        {
            var statement = text[start..(end + 1)].Trim();
            if (Significant(statement, 0).Length > 1) result.Add(statement); // not just ';'
            start = end + 1;
        }
        if (Significant(text, start).Length > 0) result.Add(text[start..].Trim());
        return result;
    }

    /// <summary>The text from <paramref name="from"/> with comments and white space removed (quotes kept whole).</summary>
    private static string Significant(string text, int from)
    {
        var sb = new System.Text.StringBuilder();
        int i = from;
        while (i < text.Length)
        {
            int next = SkipComment(text, i, out _);
            if (next != i) { i = next; continue; }
            if (!char.IsWhiteSpace(text[i])) sb.Append(text[i]);
            i++;
        }
        return sb.ToString();
    }

    /// <summary>The position after a comment starting at <paramref name="i"/> (the end of the text if it is left
    /// open, with <paramref name="open"/> set), or <paramref name="i"/> when none starts there.</summary>
    private static int SkipComment(string text, int i, out bool open)
    {
        open = false;
        if (At(text, i, "--"))
        {
            int nl = text.IndexOf('\n', i);
            return nl < 0 ? text.Length : nl + 1;
        }
        if (!At(text, i, "/*")) return i;
        int depth = 0;
        while (i < text.Length)
        {
            if (At(text, i, "/*")) { depth++; i += 2; }
            else if (At(text, i, "*/")) { i += 2; if (--depth == 0) return i; }
            else i++;
        }
        open = true;
        return text.Length;
    }

    /// <summary>The positions of the statement-ending ';' characters, and whether a quote or comment is left open.</summary>
    private static (List<int> Ends, bool Open) Scan(string text)
    {
        var ends = new List<int>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            int next = SkipComment(text, i, out bool open);
            if (open) return (ends, true);
            if (next != i)
            {
                i = next;
                continue;
            }
            switch (c)
            {
                case '\'' or '"':
                {
                    int close = CloseQuote(text, i, c);
                    if (close < 0) return (ends, true);
                    i = close + 1;
                    continue;
                }
                case '$' when DollarTag(text, i) is { } tag:
                {
                    int close = text.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                    if (close < 0) return (ends, true);
                    i = close + tag.Length;
                    continue;
                }
                case ';':
                    ends.Add(i);
                    break;
            }
            i++;
        }
        return (ends, false);
    }

    /// <summary>The position of the quote closing the one at <paramref name="i"/> (a doubled quote stays inside), or -1.</summary>
    private static int CloseQuote(string text, int i, char quote)
    {
        for (int j = i + 1; j < text.Length; j++)
        {
            if (text[j] != quote) continue;
            if (j + 1 < text.Length && text[j + 1] == quote) { j++; continue; }
            return j;
        }
        return -1;
    }

    /// <summary>The dollar-quote tag ($$ or $name$) opening at <paramref name="i"/>, or null ($1 is a parameter, $name
    /// without a closing $ a named one).</summary>
    private static string? DollarTag(string text, int i)
    {
        // A $ right after a word character belongs to that word (an identifier may not hold one, but be safe).
        if (i > 0 && (char.IsLetterOrDigit(text[i - 1]) || text[i - 1] == '_')) return null;
        int j = i + 1;
        if (j < text.Length && (char.IsLetter(text[j]) || text[j] == '_'))
            while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_')) j++;
        return j < text.Length && text[j] == '$' ? text[i..(j + 1)] : null;
    }

    private static bool At(string text, int i, string token) => string.CompareOrdinal(text, i, token, 0, token.Length) == 0;
}
