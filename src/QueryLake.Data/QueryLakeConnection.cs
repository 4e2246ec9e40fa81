using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>
/// A connection to a lake directory (or a temporary in-memory lake): an ADO.NET wrapper over a
/// <see cref="QueryLakeSession"/>. Not thread-safe, like every ADO.NET connection; open one per thread.
/// </summary>
public sealed class QueryLakeConnection : DbConnection
{
    private string _connectionString = "";
    private QueryLakeSession? _session;
    private ConnectionState _state = ConnectionState.Closed;

    /// <summary>A closed connection with no connection string yet.</summary>
    public QueryLakeConnection() { }

    /// <summary>A closed connection for <paramref name="connectionString"/>.</summary>
    public QueryLakeConnection(string connectionString) => ConnectionString = connectionString;

    /// <inheritdoc />
    [AllowNull]
    public override string ConnectionString
    {
        get => _connectionString;
        set
        {
            if (_state != ConnectionState.Closed) throw new InvalidOperationException("the connection string cannot change while the connection is open");
            _ = new QueryLakeConnectionStringBuilder(value ?? ""); // validates the keys now
            _connectionString = value ?? "";
        }
    }

    private QueryLakeConnectionStringBuilder Settings => new(_connectionString);

    /// <summary>The lake directory, or <c>:memory:</c>.</summary>
    public override string DataSource => Settings.DataSource;

    /// <summary>The lake's folder name (QueryLake has no databases inside a lake).</summary>
    public override string Database => DataSource == ":memory:" ? "memory" : Path.GetFileName(DataSource.TrimEnd('/', Path.DirectorySeparatorChar));

    /// <summary>The QueryLake engine version.</summary>
    public override string ServerVersion => typeof(QueryLakeSession).Assembly.GetName().Version?.ToString() ?? "0";

    /// <inheritdoc />
    public override ConnectionState State => _state;

    /// <summary>The default timeout (seconds) of commands made on this connection.</summary>
    public int DefaultCommandTimeout => Settings.CommandTimeout;

    /// <summary>The engine session behind the open connection.</summary>
    /// <exception cref="InvalidOperationException">The connection is not open.</exception>
    public QueryLakeSession Session => _session ?? throw new InvalidOperationException("the connection is not open: call Open() first");

    internal QueryLakeTransaction? CurrentTransaction { get; set; }

    /// <summary>Opens (creating if needed) the lake.</summary>
    /// <exception cref="QueryLakeException">The lake cannot be opened.</exception>
    public override void Open()
    {
        if (_state == ConnectionState.Open) throw new InvalidOperationException("the connection is already open");
        var s = Settings;
        var session = QueryLake.Cluster.Hosting.ClusterSession.IsCluster(s.DataSource)
            ? QueryLake.Cluster.Hosting.ClusterSession.Open(s.DataSource)
            : QueryLakeSession.Open(s.DataSource == ":memory:" ? null : s.DataSource, s.LakeOptions);
        session.ReadOnly = s.Mode == QueryLakeMode.ReadOnly;
        session.MemoryLimit = s.MemoryLimit ?? QueryLakeSession.DefaultMemoryLimit;
        if (s.Threads is { } threads) session.Threads = threads;
        session.FileAccess.Configure(s.EnableExternalAccess, s.AllowedDirectories, s.AllowedPaths, s.LockConfiguration);
        _session = session;
        SetState(ConnectionState.Open);
    }

    /// <summary>Opening is local and quick: it completes synchronously.</summary>
    public override Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Open();
        return Task.CompletedTask;
    }

    /// <summary>Closes the connection (rolling back an open transaction); a temporary lake is deleted.</summary>
    public override void Close()
    {
        if (_state == ConnectionState.Closed) return;
        CurrentTransaction?.Dispose();
        _session?.Dispose();
        _session = null;
        SetState(ConnectionState.Closed);
    }

    private void SetState(ConnectionState state)
    {
        var old = _state;
        _state = state;
        OnStateChange(new StateChangeEventArgs(old, state));
    }

    /// <summary>QueryLake has one lake per connection: changing database is not supported.</summary>
    public override void ChangeDatabase(string databaseName) =>
        throw new NotSupportedException("a QueryLake connection has one lake; open another connection for another lake");

    /// <summary>Starts a transaction (see <see cref="QueryLakeTransaction"/> for its semantics).</summary>
    public new QueryLakeTransaction BeginTransaction() => (QueryLakeTransaction)BeginDbTransaction(IsolationLevel.Unspecified);

    /// <inheritdoc />
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel)
    {
        if (isolationLevel is not (IsolationLevel.Unspecified or IsolationLevel.ReadUncommitted or IsolationLevel.ReadCommitted))
            throw new NotSupportedException($"QueryLake transactions are read committed (each statement reads what was committed when it started, and the transaction's own changes); {isolationLevel} is not available");
        return CurrentTransaction = new QueryLakeTransaction(this, Session.BeginTransaction());
    }

    /// <summary>A command on this connection.</summary>
    public new QueryLakeCommand CreateCommand() => new() { Connection = this };

    /// <inheritdoc />
    protected override DbCommand CreateDbCommand() => CreateCommand();

    /// <summary>The MetaDataCollections collection: the schema collections this provider answers.</summary>
    public override DataTable GetSchema() => GetSchema(DbMetaDataCollectionNames.MetaDataCollections);

    /// <summary>A schema collection: MetaDataCollections, DataSourceInformation, DataTypes, Restrictions,
    /// ReservedWords, Tables, Columns or Views (column names as Microsoft.Data.Sqlite and Npgsql give them).</summary>
    public override DataTable GetSchema(string collectionName) => GetSchema(collectionName, []);

    /// <summary>A schema collection narrowed by restrictions: Tables by TABLE_NAME and TABLE_TYPE ('BASE TABLE' for
    /// datasets, 'VIEW'), Columns by TABLE_NAME, COLUMN_NAME and TABLE_TYPE, Views by TABLE_NAME; null matches all.</summary>
    public override DataTable GetSchema(string collectionName, string?[] restrictionValues) =>
        SchemaCollections.Get(Session, collectionName, restrictionValues);

    /// <inheritdoc />
    public override bool CanCreateBatch => true;

    /// <inheritdoc />
    protected override DbBatch CreateDbBatch() => new QueryLakeBatch { Connection = this };

    /// <inheritdoc />
    protected override DbProviderFactory DbProviderFactory => QueryLakeFactory.Instance;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }
}
