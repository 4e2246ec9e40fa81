using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>What the REPL's meta-commands change: the session (.open), the output mode, the timer and the row limit.</summary>
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

    public void Dispose() => _session.Dispose();
}
