using System.Data.Common;

namespace QueryLake.Data;

/// <summary>
/// Creates QueryLake's ADO.NET objects. Register it with
/// <c>DbProviderFactories.RegisterFactory("QueryLake.Data", QueryLakeFactory.Instance)</c>. Objects QueryLake does not
/// have (data adapters, command builders) come back as null.
/// </summary>
public sealed class QueryLakeFactory : DbProviderFactory
{
    /// <summary>The one instance.</summary>
    public static readonly QueryLakeFactory Instance = new();

    private QueryLakeFactory() { }

    /// <inheritdoc />
    public override DbConnection CreateConnection() => new QueryLakeConnection();

    /// <inheritdoc />
    public override DbCommand CreateCommand() => new QueryLakeCommand();

    /// <inheritdoc />
    public override DbParameter CreateParameter() => new QueryLakeParameter();

    /// <inheritdoc />
    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new QueryLakeConnectionStringBuilder();

    /// <inheritdoc />
    public override DbDataSource CreateDataSource(string connectionString) => new QueryLakeDataSource(connectionString);

    /// <inheritdoc />
    public override bool CanCreateBatch => true;

    /// <inheritdoc />
    public override DbBatch CreateBatch() => new QueryLakeBatch();

    /// <inheritdoc />
    public override DbBatchCommand CreateBatchCommand() => new QueryLakeBatchCommand();

    /// <summary>QueryLake has no data adapters: null.</summary>
    public override DbDataAdapter? CreateDataAdapter() => null;

    /// <summary>QueryLake has no command builders: null.</summary>
    public override DbCommandBuilder? CreateCommandBuilder() => null;

    /// <inheritdoc />
    public override bool CanCreateDataAdapter => false;

    /// <inheritdoc />
    public override bool CanCreateCommandBuilder => false;
}
