using System.Data.Common;

namespace QueryLake.Data;

/// <summary>A connection string as a source of connections (the .NET 7 <see cref="DbDataSource"/> pattern).</summary>
public sealed class QueryLakeDataSource : DbDataSource
{
    private readonly string _connectionString;

    /// <summary>A data source for <paramref name="connectionString"/> (validated now).</summary>
    public QueryLakeDataSource(string connectionString)
    {
        _ = new QueryLakeConnectionStringBuilder(connectionString);
        _connectionString = connectionString;
    }

    /// <inheritdoc />
    public override string ConnectionString => _connectionString;

    /// <summary>A new, closed connection.</summary>
    public new QueryLakeConnection CreateConnection() => new(_connectionString);

    /// <inheritdoc />
    protected override DbConnection CreateDbConnection() => CreateConnection();
}
