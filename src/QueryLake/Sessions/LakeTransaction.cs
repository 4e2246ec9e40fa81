using QueryLake.Errors;

namespace QueryLake.Sessions;

/// <summary>
/// Groups a session's statements so they can be undone together. Every statement still commits its own dataset
/// version as it runs (other sessions see them as they happen: there is no isolation); <see cref="Rollback"/>
/// restores each dataset the transaction changed to the version it had at the start (a new "restore" version, so
/// history is kept) and drops datasets it created. DROP DATASET is refused inside a transaction, since a dropped
/// dataset's files cannot be restored.
/// </summary>
public sealed class LakeTransaction : IDisposable
{
    private readonly QueryLakeSession _session;
    private readonly Dictionary<string, long> _start;

    internal LakeTransaction(QueryLakeSession session)
    {
        _session = session;
        _start = session.Lake.ListDatasets().ToDictionary(n => n, n => session.Lake.OpenDataset(n).LatestVersion);
    }

    /// <summary>True until <see cref="Commit"/> or <see cref="Rollback"/>.</summary>
    public bool IsActive { get; private set; } = true;

    /// <summary>Keeps the changes (they are already committed) and ends the transaction.</summary>
    public void Commit()
    {
        End();
    }

    /// <summary>Undoes every change made since the transaction began, then ends it.</summary>
    /// <exception cref="CommitConflictException">Another session changed a dataset concurrently.</exception>
    public void Rollback()
    {
        if (!IsActive) throw new QueryLakeException("QL-TRANSACTION", "the transaction has already ended");
        try
        {
            foreach (var name in _session.Lake.ListDatasets())
            {
                if (!_start.TryGetValue(name, out long version)) { _session.Lake.DropDataset(name); continue; }
                var ds = _session.Lake.OpenDataset(name);
                if (ds.LatestVersion != version) ds.Restore(version);
            }
        }
        finally
        {
            End();
        }
    }

    private void End()
    {
        if (!IsActive) throw new QueryLakeException("QL-TRANSACTION", "the transaction has already ended");
        IsActive = false;
        _session.EndTransaction(this);
    }

    /// <summary>Rolls back if neither committed nor rolled back.</summary>
    public void Dispose()
    {
        if (IsActive) Rollback();
    }
}
