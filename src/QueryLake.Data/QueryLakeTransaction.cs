using System.Data;
using System.Data.Common;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>
/// Several statements that commit or roll back together. Each statement commits its dataset version as it runs (other
/// connections see it at once: QueryLake transactions are not isolated); <see cref="Rollback"/> restores every dataset
/// the transaction changed to its version at the start and drops datasets it created. DROP DATASET is refused inside
/// a transaction. See <see cref="LakeTransaction"/>.
/// </summary>
public sealed class QueryLakeTransaction : DbTransaction
{
    private readonly QueryLakeConnection _connection;
    private readonly LakeTransaction _inner;

    internal QueryLakeTransaction(QueryLakeConnection connection, LakeTransaction inner)
    {
        _connection = connection;
        _inner = inner;
    }

    /// <inheritdoc />
    public override IsolationLevel IsolationLevel => IsolationLevel.ReadCommitted;

    /// <inheritdoc />
    protected override DbConnection DbConnection => _connection;

    /// <summary>Keeps the changes.</summary>
    public override void Commit()
    {
        _inner.Commit();
        _connection.CurrentTransaction = null;
    }

    /// <summary>Undoes the changes made since the transaction began.</summary>
    public override void Rollback()
    {
        try { _inner.Rollback(); }
        finally { _connection.CurrentTransaction = null; }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _inner.IsActive) Rollback();
        base.Dispose(disposing);
    }
}
