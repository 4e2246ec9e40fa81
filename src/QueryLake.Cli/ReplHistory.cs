namespace QueryLake.Cli;

/// <summary>
/// The REPL's history: one entry per statement (a statement typed over several lines is recalled whole, on one line)
/// or dot command, consecutive repeats kept once. Up walks back from the line being typed, which is kept as a draft;
/// Down walks forward and, past the newest entry, gives the draft back (an empty line if nothing was typed).
/// </summary>
internal sealed class ReplHistory(IEnumerable<string> entries)
{
    private readonly List<string> _entries = entries.Where(e => e.Trim().Length > 0).ToList();
    private int _position = -1; // -1: at the line being typed
    private string _draft = "";

    /// <summary>The entries, oldest first.</summary>
    public IReadOnlyList<string> Entries => _entries;

    /// <summary>Adds a statement or command (its lines joined by spaces) and goes back to a new line.</summary>
    public void Add(string entry)
    {
        entry = entry.ReplaceLineEndings(" ").Trim();
        if (entry.Length > 0 && (_entries.Count == 0 || _entries[^1] != entry)) _entries.Add(entry);
        Reset();
    }

    /// <summary>Back to a new line (a new prompt).</summary>
    public void Reset()
    {
        _position = -1;
        _draft = "";
    }

    /// <summary>The entry before the one shown (null at the oldest); <paramref name="current"/> is kept as the draft
    /// when leaving the line being typed.</summary>
    public string? Previous(string current)
    {
        if (_entries.Count == 0) return null;
        if (_position == -1) { _draft = current; _position = _entries.Count - 1; return _entries[_position]; }
        if (_position == 0) return null;
        return _entries[--_position];
    }

    /// <summary>The entry after the one shown, or the draft past the newest (null when already at the line being typed).</summary>
    public string? Next()
    {
        if (_position == -1) return null;
        if (_position == _entries.Count - 1) { _position = -1; return _draft; }
        return _entries[++_position];
    }
}
