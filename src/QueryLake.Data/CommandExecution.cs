using QueryLake.Errors;

namespace QueryLake.Data;

/// <summary>One run of a command or batch, from its start until its reader closes: the caller's token linked with the
/// command timeout, published to the command so <c>Cancel()</c> reaches it, and the translation of what stops it into
/// QL-TIMEOUT or QL-CANCELLED.</summary>
internal sealed class CommandExecution : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _caller;
    private readonly int _timeoutSeconds;
    private readonly Action<CancellationTokenSource?> _running;
    private readonly Func<bool> _cancelled;
    private int _disposed;

    public CommandExecution(int timeoutSeconds, CancellationToken caller, Action<CancellationTokenSource?> running, Func<bool> cancelled)
    {
        if (caller.IsCancellationRequested) throw new QueryLakeException("QL-CANCELLED", "the command was cancelled by its cancellation token before it started");
        _caller = caller;
        _timeoutSeconds = timeoutSeconds;
        _running = running;
        _cancelled = cancelled;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
        if (timeoutSeconds > 0) _cts.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        running(_cts);
    }

    /// <summary>Cancelled by the caller, the command's <c>Cancel()</c> or the timeout.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Runs a step of the command (a statement, the next batch), showing a stop as QL-TIMEOUT or QL-CANCELLED.</summary>
    public T Guard<T>(Func<T> step)
    {
        try { return step(); }
        catch (OperationCanceledException e)
        {
            // The caller's token, Cancel() and the timeout all stop a command the same way: a QueryLakeException
            // (a DbException) with QL-CANCELLED or QL-TIMEOUT, never a bare OperationCanceledException.
            throw _caller.IsCancellationRequested ? new QueryLakeException("QL-CANCELLED", "the command was cancelled by its cancellation token", e)
                : _timeoutSeconds > 0 && !_cancelled()
                ? new QueryLakeException("QL-TIMEOUT", $"the command timed out after {_timeoutSeconds} s")
                : new QueryLakeException("QL-CANCELLED", "the command was cancelled");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _running(null);
        _cts.Dispose();
    }
}
