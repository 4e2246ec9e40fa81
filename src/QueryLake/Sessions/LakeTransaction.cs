using QueryLake.Errors;
using QueryLake.Storage.Commits;

namespace QueryLake.Sessions;

/// <summary>
/// A transaction of a session (SQL <c>BEGIN</c> … <c>COMMIT</c>/<c>ROLLBACK</c>, or ADO.NET's). Its statements write their
/// data files as they run, but no version is published until <see cref="Commit"/>: other sessions see nothing of it
/// until then, and then all of it, across every dataset it touched (one new version each); its own statements see what
/// it staged. <see cref="Rollback"/>, or a process killed before the commit point, leaves no version behind. A
/// concurrent change that conflicts (the same fragments, or a schema change) fails the commit with QL-COMMIT-CONFLICT
/// and nothing becomes visible. DROP DATASET, views, splits, predictions and COPY are refused inside a transaction.
/// </summary>
public sealed class LakeTransaction : IDisposable
{
    private readonly QueryLakeSession _session;
    private readonly StagedTransaction _staged;

    internal LakeTransaction(QueryLakeSession session)
    {
        _session = session;
        _staged = new StagedTransaction(session.Lake.Storage);
        session.Lake.Transaction = _staged;
    }

    /// <summary>True until <see cref="Commit"/> or <see cref="Rollback"/>.</summary>
    public bool IsActive { get; private set; } = true;

    /// <summary>Publishes every change of the transaction as one atomic commit, then ends the transaction.</summary>
    /// <exception cref="CommitConflictException">A concurrent change conflicts; nothing was committed, and the
    /// transaction has ended.</exception>
    public void Commit()
    {
        if (!IsActive) throw new QueryLakeException("QL-TRANSACTION", "the transaction has already ended");
        _session.Lake.Transaction = null;
        try { _staged.Commit(_session.Lake, Storage.DatasetWriteOptions.Default.MaxCommitAttempts); }
        catch
        {
            _staged.Discard();
            throw;
        }
        finally
        {
            End();
        }
    }

    /// <summary>Discards every change made since the transaction began (and the files it wrote), then ends it.</summary>
    public void Rollback()
    {
        if (!IsActive) throw new QueryLakeException("QL-TRANSACTION", "the transaction has already ended");
        _session.Lake.Transaction = null;
        try { _staged.Discard(); }
        finally { End(); }
    }

    private void End()
    {
        IsActive = false;
        _session.EndTransaction(this);
    }

    /// <summary>Rolls back if neither committed nor rolled back.</summary>
    public void Dispose()
    {
        if (IsActive) Rollback();
    }
}
