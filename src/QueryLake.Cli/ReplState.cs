using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>What the REPL's meta-commands change: the session (.open), the output mode, headers, the timer, the row
/// limit and where results go (.output, .once).</summary>
internal sealed class ReplState(QueryLakeSession session, OutputFormat format) : IDisposable
{
    private QueryLakeSession _session = session;
    private IProgress<StatementProgress>? _progress;

    /// <summary>The session; a new one (.open) reports progress to the same display.</summary>
    public QueryLakeSession Session
    {
        get => _session;
        set { _session = value; _session.Progress = _progress; }
    }

    /// <summary>Where long statements report progress (interactive terminals only).</summary>
    public IProgress<StatementProgress>? Progress
    {
        get => _progress;
        set { _progress = value; _session.Progress = value; }
    }

    public OutputFormat Format { get; set; } = format;
    public bool Timer { get; set; }
    public int MaxRows { get; set; } = 40;
    public bool Quit { get; set; }

    /// <summary>Cancels the prompt's line editing (Ctrl-C at the prompt); null while a statement runs.</summary>
    public CancellationTokenSource? Prompt { get; set; }

    /// <summary>Whether csv and markdown output start with a header row (.headers).</summary>
    public bool Headers { get; set; } = true;

    /// <summary>Where results go: the console, or a file from .output (until .output alone) or .once (one statement).</summary>
    public TextWriter Out => _file ?? Console.Out;

    /// <summary>The file results go to, if any.</summary>
    public string? OutputPath { get; private set; }

    private StreamWriter? _file;
    private bool _once;

    /// <summary>Sends results to <paramref name="path"/> (replacing it), for every statement or, with
    /// <paramref name="once"/>, the next one; null goes back to the console.</summary>
    public void Redirect(string? path, bool once)
    {
        CloseOutput();
        if (path is null) return;
        _file = new StreamWriter(path, append: false) { AutoFlush = true };
        OutputPath = Path.GetFullPath(path);
        _once = once;
    }

    /// <summary>After a statement: a .once file is closed and results go back to the console.</summary>
    public void StatementDone()
    {
        if (_once) CloseOutput();
    }

    private void CloseOutput()
    {
        _file?.Dispose();
        _file = null;
        OutputPath = null;
        _once = false;
    }

    public void Dispose()
    {
        CloseOutput();
        _session.Dispose();
    }
}
