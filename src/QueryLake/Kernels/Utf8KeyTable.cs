namespace QueryLake.Kernels;

/// <summary>
/// Text keys hashed and compared as their UTF-8 bytes in an open-addressing table over one byte arena: nothing is
/// allocated per lookup and no string is made. Entries are numbered 0, 1, … in insertion order. Lookups that do not
/// insert (<see cref="Find"/>) touch no shared state, so once built the table may be probed from several threads.
/// </summary>
internal sealed class Utf8KeyTable
{
    private int[] _buckets = NewBuckets(1024);
    private int[] _hashes = new int[256];
    private int[] _offsets = new int[256];
    private int[] _lengths = new int[256];
    private byte[] _arena = new byte[4096];
    private int _used;

    /// <summary>Number of distinct keys.</summary>
    public int Count { get; private set; }

    private static int[] NewBuckets(int n)
    {
        var b = new int[n];
        Array.Fill(b, -1);
        return b;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hc = new HashCode();
        hc.AddBytes(bytes);
        return hc.ToHashCode();
    }

    /// <summary>The entry of a key, or -1 (read-only).</summary>
    public int Find(ReadOnlySpan<byte> bytes)
    {
        int hash = Hash(bytes), mask = _buckets.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            int e = _buckets[slot];
            if (e < 0) return -1;
            if (_hashes[e] == hash && bytes.SequenceEqual(_arena.AsSpan(_offsets[e], _lengths[e]))) return e;
        }
    }

    /// <summary>The entry of a key, adding it (as entry <see cref="Count"/> − 1) when new.</summary>
    public int FindOrAdd(ReadOnlySpan<byte> bytes, out bool added)
    {
        int hash = Hash(bytes), mask = _buckets.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            int e = _buckets[slot];
            if (e >= 0)
            {
                if (_hashes[e] == hash && bytes.SequenceEqual(_arena.AsSpan(_offsets[e], _lengths[e]))) { added = false; return e; }
                continue;
            }
            e = Append(bytes, hash);
            _buckets[slot] = e;
            if (Count * 2 > _buckets.Length) Rehash();
            added = true;
            return e;
        }
    }

    private int Append(ReadOnlySpan<byte> bytes, int hash)
    {
        int n = Count;
        if (n == _hashes.Length)
        {
            Array.Resize(ref _hashes, n * 2);
            Array.Resize(ref _offsets, n * 2);
            Array.Resize(ref _lengths, n * 2);
        }
        if (_used + bytes.Length > _arena.Length) Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _used + bytes.Length));
        bytes.CopyTo(_arena.AsSpan(_used));
        (_hashes[n], _offsets[n], _lengths[n]) = (hash, _used, bytes.Length);
        _used += bytes.Length;
        return Count++;
    }

    private void Rehash()
    {
        _buckets = NewBuckets(_buckets.Length * 2);
        int mask = _buckets.Length - 1;
        for (int e = 0; e < Count; e++)
        {
            int slot = _hashes[e] & mask;
            while (_buckets[slot] >= 0) slot = (slot + 1) & mask;
            _buckets[slot] = e;
        }
    }
}
