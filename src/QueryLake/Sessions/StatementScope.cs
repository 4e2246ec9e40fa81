using QueryLake.Errors;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Storage;

namespace QueryLake.Sessions;

/// <summary>What one statement runs under from its start until its result is read to the end: the caller's
/// cancellation linked with the statement timeout, and the translation of what stops it into QueryLake errors.</summary>
internal sealed class StatementScope : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly ManualResetEventSlim _finished = new();
    private readonly CancellationToken _caller;
    private readonly TimeSpan? _timeout;
    private readonly Statement _statement;
    private int _disposed;

    public StatementScope(Statement statement, TimeSpan? timeout, CancellationToken caller)
    {
        _statement = statement;
        _timeout = timeout;
        _caller = caller;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
        // The timeout has its own thread: a thread-pool timer can be starved by the query's own parallel work when the
        // statement runs on a pool thread (a test, an ASP.NET request), and would then fire too late. The scope
        // disposes the event and the cancellation when the statement ends, possibly before the thread gets to them:
        // then there is nothing left to cancel.
        if (timeout is { } t)
        {
            var finished = _finished;
            var cts = _cts;
            new Thread(() =>
            {
                try { if (!finished.Wait(t)) cts.Cancel(); }
                catch (ObjectDisposedException) { }
            }) { IsBackground = true, Name = "QueryLake statement timeout" }.Start();
        }
    }

    /// <summary>Cancelled by the caller or by the timeout.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The error a failure of the statement shows: a timeout as QL-TIMEOUT, a storage error with the
    /// statement's position; null when the exception is to be rethrown as it is.</summary>
    public Exception? Translate(Exception e) => e switch
    {
        OperationCanceledException when !_caller.IsCancellationRequested && _timeout is not null =>
            new QueryLakeException("QL-TIMEOUT", $"statement timed out after {_timeout}: {_statement.Text}"),
        LakeException le => new SqlException(le.Code, _statement.At.Line, _statement.At.Column, le.Message),
        _ => null,
    };

    /// <summary>Streams <paramref name="batches"/> under this scope, which ends with the stream (read to its end,
    /// failed, or disposed).</summary>
    public IEnumerable<Columnar.RecordBatch> Stream(IEnumerable<Columnar.RecordBatch> batches)
    {
        using var scope = this;
        using var e = batches.GetEnumerator();
        while (true)
        {
            bool more;
            try { more = e.MoveNext(); }
            catch (Exception ex) when (Translate(ex) is { } shown) { throw shown; }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _finished.Set();
        _finished.Dispose();
        _cts.Dispose();
    }
}
