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

    /// <summary>Starts running the statements: a reader that runs each as it moves on and streams query results.</summary>
    private QueryLakeDataReader Start(CommandBehavior behavior, CancellationToken cancel)
    {
        _cancelled = false;
        var connection = Connection ?? throw new InvalidOperationException("the command has no connection");
        var (named, positional) = Parameters.ForEngine();
        var execution = Begin(connection, CommandTimeout, cancel, cts => _running = cts, () => _cancelled);
        return new QueryLakeDataReader(execution, connection.Session.ExecuteEach(_text, named, positional, execution.Token), this, behavior);
    }

    internal static CommandExecution Begin(QueryLakeConnection connection, int timeoutSeconds, CancellationToken cancel,
        Action<CancellationTokenSource?> running, Func<bool> cancelled)
    {
        if (connection.State != ConnectionState.Open) throw new InvalidOperationException("the connection is not open: call Open() first");
        return new CommandExecution(timeoutSeconds, cancel, running, cancelled);
    }

    internal void CheckText()
    {
        if (string.IsNullOrWhiteSpace(_text)) throw new InvalidOperationException("the command has no text");
    }

    /// <inheritdoc />
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        CheckText();
        return Start(behavior, default);
    }

    /// <summary>Runs the command and returns a reader over its results.</summary>
    public new QueryLakeDataReader ExecuteReader() => (QueryLakeDataReader)ExecuteDbDataReader(CommandBehavior.Default);

    /// <inheritdoc />
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        CheckText();
        return await Task.Run(() => Start(behavior, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Rows changed by INSERT, UPDATE, DELETE, IMPORT and COPY statements; -1 when none changes rows.</summary>
    public override int ExecuteNonQuery()
    {
        CheckText();
        return NonQuery(Start(CommandBehavior.Default, default));
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        CheckText();
        return NonQuery(await Task.Run(() => Start(CommandBehavior.Default, cancellationToken)).ConfigureAwait(false));
    }

    /// <summary>Runs every statement (closing the reader runs those not reached; queries' rows are not computed).</summary>
    internal static int NonQuery(QueryLakeDataReader reader)
    {
        reader.Close();
        return reader.RecordsAffected;
    }

    /// <summary>The first column of the first row of the last statement that returns rows, or null.</summary>
    public override object? ExecuteScalar()
    {
        CheckText();
        return Scalar(Start(CommandBehavior.Default, default));
    }

    /// <inheritdoc />
    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        CheckText();
        return Scalar(await Task.Run(() => Start(CommandBehavior.Default, cancellationToken)).ConfigureAwait(false));
    }

    internal static object? Scalar(QueryLakeDataReader reader)
    {
        using (reader)
        {
            object? value = null;
            do
            {
                if (reader.FieldCount > 0) value = reader.Read() ? reader.GetValue(0) : null;
            } while (reader.NextResult());
            return value;
        }
    }
}
