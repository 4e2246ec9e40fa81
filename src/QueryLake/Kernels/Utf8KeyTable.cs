namespace QueryLake.Kernels;

/// <summary>
/// Text keys hashed and compared as their UTF-8 bytes in an open-addressing table over one byte arena: nothing is
/// allocated per lookup and no string is made. Each bucket holds its entry's hash beside the entry number, so a probe
/// reads one slot and touches the key's bytes only when the hashes agree. Entries are numbered 0, 1, … in insertion
/// order. Lookups that do not insert (<see cref="Find"/>) touch no shared state, so once built the table may be probed
/// from several threads.
/// </summary>
internal sealed class Utf8KeyTable
{
    private long[] _buckets = NewBuckets(1024); // (hash << 32) | (entry + 1); 0 when empty
    private int[] _offsets = new int[256];
    private int[] _lengths = new int[256];
    private byte[] _arena = new byte[4096];
    private int _used;

    /// <summary>Number of distinct keys.</summary>
    public int Count { get; private set; }

    private static long[] NewBuckets(int n) => new long[n];

    private static int Hash(ReadOnlySpan<byte> bytes) => (int)KeyHash.Mix(KeyHash.Bytes(bytes));

    private static long Slot(int hash, int entry) => ((long)hash << 32) | (uint)(entry + 1);

    /// <summary>The entry of a key, or -1 (read-only).</summary>
    public int Find(ReadOnlySpan<byte> bytes)
    {
        int hash = Hash(bytes), mask = _buckets.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            long b = _buckets[slot];
            if (b == 0) return -1;
            if ((int)(b >> 32) == hash)
            {
                int e = (int)(uint)b - 1;
                if (bytes.SequenceEqual(_arena.AsSpan(_offsets[e], _lengths[e]))) return e;
            }
        }
    }

    /// <summary>The entry of a key, adding it (as entry <see cref="Count"/> − 1) when new.</summary>
    public int FindOrAdd(ReadOnlySpan<byte> bytes, out bool added)
    {
        int hash = Hash(bytes), mask = _buckets.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            long b = _buckets[slot];
            if (b != 0)
            {
                if ((int)(b >> 32) == hash)
                {
                    int found = (int)(uint)b - 1;
                    if (bytes.SequenceEqual(_arena.AsSpan(_offsets[found], _lengths[found]))) { added = false; return found; }
                }
                continue;
            }
            int e = Append(bytes);
            _buckets[slot] = Slot(hash, e);
            if (Count * 2 > _buckets.Length) Rehash();
            added = true;
            return e;
        }
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        int n = Count;
        if (n == _offsets.Length)
        {
            Array.Resize(ref _offsets, n * 2);
            Array.Resize(ref _lengths, n * 2);
        }
        if (_used + bytes.Length > _arena.Length) Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _used + bytes.Length));
        bytes.CopyTo(_arena.AsSpan(_used));
        (_offsets[n], _lengths[n]) = (_used, bytes.Length);
        _used += bytes.Length;
        return Count++;
    }

    private void Rehash()
    {
        var old = _buckets;
        _buckets = NewBuckets(old.Length * 2);
        int mask = _buckets.Length - 1;
        foreach (long b in old)
        {
            if (b == 0) continue;
            int slot = (int)(b >> 32) & mask;
            while (_buckets[slot] != 0) slot = (slot + 1) & mask;
            _buckets[slot] = b;
        }
    }
}
