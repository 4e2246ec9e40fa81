using System.Data;
using System.Data.Common;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>Several commands, each with its own parameters, run in order in one call; the reader has one result set
/// per statement that returns rows.</summary>
public sealed class QueryLakeBatch : DbBatch
{
    private volatile CancellationTokenSource? _running;
    private volatile bool _cancelled;

    /// <summary>The commands.</summary>
    public new QueryLakeBatchCommandCollection BatchCommands { get; } = new();

    /// <inheritdoc />
    protected override DbBatchCommandCollection DbBatchCommands => BatchCommands;

    /// <summary>Seconds each command may run (0 waits forever); defaults to the connection's Command Timeout.</summary>
    public override int Timeout { get; set; } = -1;

    /// <summary>The connection.</summary>
    public new QueryLakeConnection? Connection { get; set; }

    /// <inheritdoc />
    protected override DbConnection? DbConnection
    {
        get => Connection;
        set => Connection = value as QueryLakeConnection ?? (value is null ? null : throw new ArgumentException("a QueryLake batch needs a QueryLakeConnection"));
    }

    /// <inheritdoc />
    protected override DbTransaction? DbTransaction { get; set; }

    /// <summary>Starts running the commands: a reader that runs each statement as it moves on.</summary>
    private QueryLakeDataReader Start(CommandBehavior behavior, CancellationToken cancel)
    {
        var connection = Connection ?? throw new InvalidOperationException("the batch has no connection");
        int timeout = Timeout >= 0 ? Timeout : connection.DefaultCommandTimeout;
        _cancelled = false;
        var execution = QueryLakeCommand.Begin(connection, timeout, cancel, cts => _running = cts, () => _cancelled);
        return new QueryLakeDataReader(execution, All(connection.Session, execution.Token), null, behavior);
    }

    /// <summary>The results of every command in order; a command's <see cref="QueryLakeBatchCommand.RecordsAffected"/>
    /// is set once its statements have run.</summary>
    private IEnumerable<QueryResult> All(QueryLakeSession session, CancellationToken cancel)
    {
        foreach (var c in BatchCommands.Items)
        {
            var (named, positional) = c.Parameters.ForEngine();
            long? affected = null;
            foreach (var r in session.ExecuteEach(c.CommandText, named, positional, cancel))
            {
                if (r.RowsAffected is { } n) affected = (affected ?? 0) + n;
                yield return r;
            }
            c.Affected = affected is { } a ? (int)Math.Min(int.MaxValue, a) : -1;
        }
    }

    /// <inheritdoc />
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Start(behavior, default);

    /// <inheritdoc />
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        await Task.Run(() => Start(behavior, cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc />
    public override int ExecuteNonQuery() => QueryLakeCommand.NonQuery(Start(CommandBehavior.Default, default));

    /// <inheritdoc />
    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) =>
        QueryLakeCommand.NonQuery(await Task.Run(() => Start(CommandBehavior.Default, cancellationToken)).ConfigureAwait(false));

    /// <inheritdoc />
    public override object? ExecuteScalar()
    {
        using var r = ExecuteDbDataReader(CommandBehavior.Default);
        return r.Read() ? r.GetValue(0) : null;
    }

    /// <inheritdoc />
    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => QueryLakeCommand.Scalar(Start(CommandBehavior.Default, cancellationToken)));

    /// <inheritdoc />
    public override void Prepare() { }

    /// <inheritdoc />
    public override Task PrepareAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public override void Cancel()
    {
        if (_running is not { } cts) return;
        _cancelled = true;
        try { cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <inheritdoc />
    protected override DbBatchCommand CreateDbBatchCommand() => new QueryLakeBatchCommand();
}
