using System.Text.Json;

namespace QueryLake.Flight;

/// <summary>
/// What a Flight server is doing, shared by its calls: streams open now, and how streams ended. The
/// <c>status</c> action returns it as JSON, so an operator (or a test) sees that a stream whose client went away
/// was stopped and released.
/// </summary>
public sealed class FlightActivity
{
    private long _open, _completed, _cancelled, _failed;

    /// <summary>DoGet streams running now.</summary>
    public long OpenStreams => Interlocked.Read(ref _open);

    /// <summary>DoGet streams that sent their whole result.</summary>
    public long CompletedStreams => Interlocked.Read(ref _completed);

    /// <summary>DoGet streams stopped because the client cancelled or went away.</summary>
    public long CancelledStreams => Interlocked.Read(ref _cancelled);

    /// <summary>DoGet streams that ended with an error.</summary>
    public long FailedStreams => Interlocked.Read(ref _failed);

    internal void Opened() => Interlocked.Increment(ref _open);

    internal void Closed(bool completed, bool cancelled)
    {
        Interlocked.Decrement(ref _open);
        Interlocked.Increment(ref completed ? ref _completed : ref cancelled ? ref _cancelled : ref _failed);
    }

    /// <summary>The counters as a JSON object.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, long>
    {
        ["open_streams"] = OpenStreams,
        ["completed_streams"] = CompletedStreams,
        ["cancelled_streams"] = CancelledStreams,
        ["failed_streams"] = FailedStreams,
        ["managed_heap_bytes"] = GC.GetTotalMemory(false),
    });
}
