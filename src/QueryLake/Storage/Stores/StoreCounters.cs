namespace QueryLake.Storage.Stores;

/// <summary>The requests a store handle sent and the bytes they moved, for the bench and for tests of the request
/// pattern (which ranges a query reads).</summary>
internal sealed class StoreCounters
{
    private long _gets, _bytesRead, _puts, _bytesWritten, _lists, _heads, _deletes;

    public long Gets => Interlocked.Read(ref _gets);
    public long BytesRead => Interlocked.Read(ref _bytesRead);
    public long Puts => Interlocked.Read(ref _puts);
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);
    public long Lists => Interlocked.Read(ref _lists);
    public long Heads => Interlocked.Read(ref _heads);
    public long Deletes => Interlocked.Read(ref _deletes);

    public void Get(long bytes) { Interlocked.Increment(ref _gets); Interlocked.Add(ref _bytesRead, bytes); }
    public void Put(long bytes) { Interlocked.Increment(ref _puts); Interlocked.Add(ref _bytesWritten, bytes); }
    public void List() => Interlocked.Increment(ref _lists);
    public void Head() => Interlocked.Increment(ref _heads);
    public void Delete() => Interlocked.Increment(ref _deletes);

    /// <summary>The counts as one line: <c>GET n (bytes) PUT n (bytes) LIST n HEAD n DELETE n</c>.</summary>
    public override string ToString() => $"GET {Gets} ({BytesRead} B) PUT {Puts} ({BytesWritten} B) LIST {Lists} HEAD {Heads} DELETE {Deletes}";
}
