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

    /// <summary>The keyword tokens: those the grammar declares before its operators (so no punctuation or literal
    /// token names), spelled as typed.</summary>
    private static string[] BuildKeywords()
    {
        var v = QueryLakeLexer.DefaultVocabulary;
        var words = new List<string>();
        for (int t = 1; t < QueryLakeLexer.EQ; t++)
            if (v.GetSymbolicName(t) is { Length: > 1 } s && s.All(c => c is >= 'A' and <= 'Z' or '_'))
                words.Add(s == "SEMI_JOIN" ? "SEMI" : s);
        return words.Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Keywords after which a dataset name comes.</summary>
    private static readonly HashSet<string> BeforeDataset = new(StringComparer.OrdinalIgnoreCase)
    {
        "FROM", "JOIN", "INTO", "UPDATE", "TABLE", "DATASET", "DESCRIBE", "VIEW",
    };

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
        int dot = word.LastIndexOf('.');
        if (dot > 0)
        {
            // ds.col
            var ds = word[..dot];
            return session.Lake.DatasetExists(ds)
                ? Match(session.Lake.OpenDataset(ds).Schema.Fields.Select(f => ds + "." + f.Name), word).ToList()
                : [];
        }
        var datasets = session.Lake.ListDatasets();
        // Columns of the datasets the statement names.
        var named = before[..start].Split([' ', '\t', '\n', '\r', ',', '(', ')', ';'], StringSplitOptions.RemoveEmptyEntries);
        var mentioned = datasets.Where(d => named.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
        var columns = new List<string>();
        // Before FROM is typed no dataset is named yet: offer the columns of every dataset (of a modest lake).
        foreach (var d in mentioned.Count > 0 ? mentioned : datasets.Take(32))
            columns.AddRange(session.Lake.OpenDataset(d).Schema.Fields.Select(f => f.Name));
        // The likeliest first: dataset names where one is due, else the columns in play; then functions, keywords.
        bool datasetDue = named.Length > 0 && BeforeDataset.Contains(named[^1]);
        IEnumerable<string>[] tiers = datasetDue
            ? [datasets, KeywordList, Functions, columns]
            : [columns, Functions, datasets, KeywordList];
        return tiers.SelectMany(t => Match(t, word)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> Match(IEnumerable<string> candidates, string word) =>
        candidates.Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase) && c.Length > word.Length)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase);

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
