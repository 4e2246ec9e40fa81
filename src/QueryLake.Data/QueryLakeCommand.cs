using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>
/// A SQL command: one or more statements separated by semicolons, with named (<c>@p</c>, <c>$p</c>, <c>:p</c>) or
/// positional (<c>?</c>) parameters. <see cref="CommandTimeout"/> is honoured (<c>QL-TIMEOUT</c>) and
/// <see cref="Cancel"/> stops a running command (<c>QL-CANCELLED</c>). The async methods run the statement on the
/// thread pool, so the calling thread is never blocked.
/// </summary>
public sealed class QueryLakeCommand : DbCommand
{
    private string _text = "";
    private int? _timeout;
    private volatile CancellationTokenSource? _running;
    private volatile bool _cancelled;

    /// <summary>An empty command.</summary>
    public QueryLakeCommand() { }

    /// <summary>A command with text, on a connection.</summary>
    public QueryLakeCommand(string commandText, QueryLakeConnection? connection = null)
    {
        _text = commandText;
        Connection = connection;
    }

    /// <inheritdoc />
    [AllowNull]
    public override string CommandText
    {
        get => _text;
        set => _text = value ?? "";
    }

    /// <summary>Seconds before the command fails with <c>QL-TIMEOUT</c>; 0 waits forever. Defaults to the connection's
    /// <c>Command Timeout</c> (30 s).</summary>
    public override int CommandTimeout
    {
        get => _timeout ?? Connection?.DefaultCommandTimeout ?? 30;
        set => _timeout = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "a timeout cannot be negative");
    }

    /// <summary>Only <see cref="System.Data.CommandType.Text"/> is supported.</summary>
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set { if (value != CommandType.Text) throw new NotSupportedException("QueryLake commands are SQL text; stored procedures and table direct do not exist"); }
    }

    /// <inheritdoc />
    public override bool DesignTimeVisible { get; set; }

    /// <inheritdoc />
    public override UpdateRowSource UpdatedRowSource { get; set; }

    /// <summary>The connection the command runs on.</summary>
    public new QueryLakeConnection? Connection { get; set; }

    /// <inheritdoc />
    protected override DbConnection? DbConnection
    {
        get => Connection;
        set => Connection = value as QueryLakeConnection ?? (value is null ? null : throw new ArgumentException("a QueryLake command needs a QueryLakeConnection"));
    }

    /// <summary>The parameters.</summary>
    public new QueryLakeParameterCollection Parameters { get; } = new();

    /// <inheritdoc />
    protected override DbParameterCollection DbParameterCollection => Parameters;

    /// <inheritdoc />
    protected override DbTransaction? DbTransaction { get; set; }

    /// <summary>Stops the running command, if any; it then fails with <c>QL-CANCELLED</c>.</summary>
    public override void Cancel()
    {
        if (_running is not { } cts) return;
        _cancelled = true;
        try { cts.Cancel(); } catch (ObjectDisposedException) { } // it finished meanwhile
    }

    /// <summary>Nothing to prepare: statements are parsed and planned when they run.</summary>
    public override void Prepare() { }

    /// <inheritdoc />
    protected override DbParameter CreateDbParameter() => CreateParameter();

    /// <summary>A new parameter.</summary>
    public new QueryLakeParameter CreateParameter() => new();

    /// <summary>Runs the statements and returns the results.</summary>
    internal IReadOnlyList<QueryResult> Run(CancellationToken cancel)
    {
        _cancelled = false;
        return Execute(Connection ?? throw new InvalidOperationException("the command has no connection"), _text, Parameters, CommandTimeout, cancel,
            cts => _running = cts, () => _cancelled);
    }

    internal static IReadOnlyList<QueryResult> Execute(QueryLakeConnection connection, string sql, QueryLakeParameterCollection parameters, int timeoutSeconds,
        CancellationToken cancel, Action<CancellationTokenSource?> running, Func<bool> cancelled)
    {
        if (connection.State != ConnectionState.Open) throw new InvalidOperationException("the connection is not open: call Open() first");
        if (string.IsNullOrWhiteSpace(sql)) throw new InvalidOperationException("the command has no text");
        var (named, positional) = parameters.ForEngine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (timeoutSeconds > 0) cts.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        running(cts);
        try
        {
            return connection.Session.Execute(sql, named, positional, cts.Token);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw timeoutSeconds > 0 && !cancelled()
                ? new QueryLakeException("QL-TIMEOUT", $"the command timed out after {timeoutSeconds} s")
                : new QueryLakeException("QL-CANCELLED", "the command was cancelled");
        }
        finally
        {
            running(null);
        }
    }

    /// <inheritdoc />
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => new QueryLakeDataReader(Run(default), this, behavior);

    /// <summary>Runs the command and returns a reader over its results.</summary>
    public new QueryLakeDataReader ExecuteReader() => (QueryLakeDataReader)ExecuteDbDataReader(CommandBehavior.Default);

    /// <inheritdoc />
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        var results = await Task.Run(() => Run(cancellationToken), cancellationToken).ConfigureAwait(false);
        return new QueryLakeDataReader(results, this, behavior);
    }

    /// <summary>Rows changed by INSERT, UPDATE, DELETE, IMPORT and COPY statements; -1 when none changes rows.</summary>
    public override int ExecuteNonQuery() => RowsAffected(Run(default));

    /// <inheritdoc />
    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) =>
        RowsAffected(await Task.Run(() => Run(cancellationToken), cancellationToken).ConfigureAwait(false));

    /// <summary>The first column of the first row of the last statement that returns rows, or null.</summary>
    public override object? ExecuteScalar() => Scalar(Run(default));

    /// <inheritdoc />
    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) =>
        Scalar(await Task.Run(() => Run(cancellationToken), cancellationToken).ConfigureAwait(false));

    internal static int RowsAffected(IReadOnlyList<QueryResult> results) =>
        results.Any(r => r.RowsAffected is not null) ? (int)Math.Min(int.MaxValue, results.Sum(r => r.RowsAffected ?? 0)) : -1;

    private static object? Scalar(IReadOnlyList<QueryResult> results)
    {
        var r = results.LastOrDefault(x => x.RowsAffected is null && x.Schema.Fields.Count > 0) ?? results.LastOrDefault();
        if (r is null || r.Schema.Fields.Count == 0) return null;
        var b = r.Batches.FirstOrDefault(x => x.Length > 0);
        return b is null ? null : ValueConverter.ToClr(b.Columns[0], 0) ?? DBNull.Value;
    }
}
