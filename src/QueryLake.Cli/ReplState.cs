using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>What the REPL's meta-commands change: the session (.open), the output mode, the timer and the row limit.</summary>
internal sealed class ReplState(QueryLakeSession session, OutputFormat format) : IDisposable
{
    public QueryLakeSession Session { get; set; } = session;
    public OutputFormat Format { get; set; } = format;
    public bool Timer { get; set; }
    public int MaxRows { get; set; } = 40;
    public bool Quit { get; set; }

    public void Dispose() => Session.Dispose();
}
