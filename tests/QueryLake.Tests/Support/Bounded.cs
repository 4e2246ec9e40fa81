using System.Runtime.ExceptionServices;

namespace QueryLake.Tests.Support;

/// <summary>Runs work on a thread of its own, not the thread pool's, and waits for it at most a given time: a hang
/// detector that other tests holding the pool's threads (silos, parallel operators) cannot set off.</summary>
public static class Bounded
{
    /// <summary>Whether <paramref name="work"/> finished within <paramref name="limit"/>; its exception, if it threw,
    /// is rethrown here.</summary>
    public static bool Run(Action work, TimeSpan limit)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { work(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true, Name = "bounded test work" };
        thread.Start();
        if (!thread.Join(limit)) return false;
        if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
        return true;
    }
}
