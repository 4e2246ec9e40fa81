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

    private IReadOnlyList<QueryResult> Run(CancellationToken cancel)
    {
        var connection = Connection ?? throw new InvalidOperationException("the batch has no connection");
        int timeout = Timeout >= 0 ? Timeout : connection.DefaultCommandTimeout;
        _cancelled = false;
        var all = new List<QueryResult>();
        foreach (var c in BatchCommands.Items)
        {
            var results = QueryLakeCommand.Execute(connection, c.CommandText, c.Parameters, timeout, cancel, cts => _running = cts, () => _cancelled);
            c.Affected = QueryLakeCommand.RowsAffected(results);
            all.AddRange(results);
        }
        return all;
    }

    /// <inheritdoc />
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => new QueryLakeDataReader(Run(default), null, behavior);

    /// <inheritdoc />
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        new QueryLakeDataReader(await Task.Run(() => Run(cancellationToken), cancellationToken).ConfigureAwait(false), null, behavior);

    /// <inheritdoc />
    public override int ExecuteNonQuery() => QueryLakeCommand.RowsAffected(Run(default));

    /// <inheritdoc />
    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) =>
        QueryLakeCommand.RowsAffected(await Task.Run(() => Run(cancellationToken), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override object? ExecuteScalar()
    {
        using var r = ExecuteDbDataReader(CommandBehavior.Default);
        return r.Read() ? r.GetValue(0) : null;
    }

    /// <inheritdoc />
    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default) => Task.Run(ExecuteScalar, cancellationToken);

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
