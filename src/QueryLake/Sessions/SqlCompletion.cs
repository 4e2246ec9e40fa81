using QueryLake.Functions;
using QueryLake.Language.Parsing.Generated;

namespace QueryLake.Sessions;

/// <summary>
/// What a user may type next, for front ends (the REPL's Tab, notebook editors): keywords, dataset names, the
/// columns of datasets named in the statement, function names, and file paths inside a string literal. Lives in
/// the engine so every front end completes the same way.
/// </summary>
public static class SqlCompletion
{
    private static readonly string[] KeywordList = BuildKeywords();

    /// <summary>The language's keywords, upper case.</summary>
    public static IReadOnlyList<string> Keywords => KeywordList;

    /// <summary>Every function name (scalar and aggregate).</summary>
    public static IReadOnlyList<string> Functions { get; } = FunctionRegistry.Default.Names.Distinct(StringComparer.OrdinalIgnoreCase)
        .Where(n => char.IsLetter(n[0])).Order(StringComparer.Ordinal).ToArray();

    private static string[] BuildKeywords()
    {
        var v = QueryLakeLexer.DefaultVocabulary;
        var words = new List<string>();
        for (int t = 1; t < 1000 && (v.GetSymbolicName(t) is not null || t < 10); t++)
            if (v.GetSymbolicName(t) is { Length: > 1 } s && s.All(c => c is >= 'A' and <= 'Z' or '_') && s != "IDENTIFIER" && !s.Contains("STRING") && !s.Contains("NUMBER"))
                words.Add(s);
        return words.Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Completions of the word ending at the cursor: <paramref name="before"/> is the text before the
    /// cursor (the statement so far). Keywords come back in upper case, other names as they are.</summary>
    public static IReadOnlyList<string> Complete(QueryLakeSession session, string before) => Complete(session, before, out _);

    /// <summary>Like <see cref="Complete(QueryLakeSession, string)"/>; <paramref name="start"/> is where, in
    /// <paramref name="before"/>, the text the candidates replace begins.</summary>
    public static IReadOnlyList<string> Complete(QueryLakeSession session, string before, out int start)
    {
        // Inside a string literal: complete a file path.
        int quotes = before.Count(c => c == '\'');
        if (quotes % 2 == 1)
        {
            start = before.LastIndexOf('\'') + 1;
            return Paths(before[start..]);
        }
        start = before.Length;
        while (start > 0 && (char.IsLetterOrDigit(before[start - 1]) || before[start - 1] is '_' or '.')) start--;
        var word = before[start..];
        var candidates = new List<string>();
        int dot = word.LastIndexOf('.');
        if (dot > 0)
        {
            // ds.col
            var ds = word[..dot];
            if (session.Lake.DatasetExists(ds))
                candidates.AddRange(session.Lake.OpenDataset(ds).Schema.Fields.Select(f => ds + "." + f.Name));
            return Match(candidates, word);
        }
        var datasets = session.Lake.ListDatasets();
        candidates.AddRange(KeywordList);
        candidates.AddRange(datasets);
        candidates.AddRange(Functions);
        // Columns of the datasets the statement names.
        var named = before.Split([' ', '\t', '\n', ',', '(', ')', ';'], StringSplitOptions.RemoveEmptyEntries);
        var mentioned = datasets.Where(d => named.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
        // Before FROM is typed no dataset is named yet: offer the columns of every dataset (of a modest lake).
        foreach (var d in mentioned.Count > 0 ? mentioned : datasets.Take(32))
            candidates.AddRange(session.Lake.OpenDataset(d).Schema.Fields.Select(f => f.Name));
        return Match(candidates, word);
    }

    private static IReadOnlyList<string> Match(IEnumerable<string> candidates, string word) =>
        candidates.Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase) && c.Length > word.Length)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase).ToList();

    private static IReadOnlyList<string> Paths(string partial)
    {
        try
        {
            var dir = Path.GetDirectoryName(partial);
            var full = string.IsNullOrEmpty(dir) ? "." : dir;
            if (!Directory.Exists(full)) return [];
            var prefix = Path.GetFileName(partial);
            return Directory.EnumerateFileSystemEntries(full)
                .Select(p => (Name: Path.GetFileName(p), IsDir: Directory.Exists(p)))
                .Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal) && !e.Name.StartsWith('.'))
                .Select(e => (string.IsNullOrEmpty(dir) ? "" : dir + Path.DirectorySeparatorChar) + e.Name + (e.IsDir ? Path.DirectorySeparatorChar : ""))
                .Order(StringComparer.Ordinal).Take(200).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }
}
