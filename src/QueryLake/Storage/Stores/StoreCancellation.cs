namespace QueryLake.Storage.Stores;

/// <summary>The cancellation of the statement that is reading or writing (its timeout, Ctrl-C, a cancelled command),
/// which requests to object storage take: set by the executor for a query's work (<c>QueryContext.Within</c>) and
/// flowing into the tasks and parallel loops it starts. Publishing a commit never takes it, so a cancelled statement
/// never leaves a version whose creation it cannot know about.</summary>
internal static class StoreCancellation
{
    private static readonly AsyncLocal<CancellationToken> Ambient = new();

    public static CancellationToken Current => Ambient.Value;

    /// <summary>Runs <paramref name="work"/> with <see cref="Current"/> set to <paramref name="token"/>.</summary>
    public static T Within<T>(CancellationToken token, Func<T> work)
    {
        var saved = Ambient.Value;
        Ambient.Value = token;
        try { return work(); }
        finally { Ambient.Value = saved; }
    }
}
