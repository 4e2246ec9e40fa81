namespace QueryLake.Kernels.Similarity;

/// <summary>
/// Embedding columns kept loaded on a device between queries, per (kernel, dataset version, column), so a repeated
/// search does not upload again. Bytes are bounded by the budget each use names (<c>gpu_memory_limit</c>); the least
/// recently used columns not in use are freed first, and a column larger than the budget is loaded for its query only.
/// A dataset's newer version replaces the columns of its older ones (the identity names the version and its commit
/// time, so a dataset dropped and created again is not mistaken for the old one).
/// </summary>
internal sealed class SimilarityColumnCache
{
    private sealed record Key(ISimilarityKernel Kernel, string Dataset, string Column);

    internal sealed class Entry(IEmbeddingColumn column, string version)
    {
        public IEmbeddingColumn Column { get; } = column;
        public string Version { get; } = version;
        public long LastUsed;
        public int Users;
        public bool Evicted;
    }

    private readonly Dictionary<Key, Entry> _entries = [];
    private long _clock;

    /// <summary>Device bytes held by kept columns.</summary>
    public long Bytes { get { lock (_entries) return _entries.Values.Sum(e => e.Column.DeviceBytes); } }

    /// <summary>Columns kept.</summary>
    public int Count { get { lock (_entries) return _entries.Count; } }

    /// <summary>Whether the column of this dataset version is loaded on <paramref name="kernel"/>.</summary>
    public bool Contains(ISimilarityKernel kernel, string dataset, string version, string column)
    {
        lock (_entries) return _entries.TryGetValue(new Key(kernel, dataset, column), out var e) && e.Version == version;
    }

    /// <summary>The column of a dataset version on <paramref name="kernel"/>: the kept one, or loaded by
    /// <paramref name="read"/> and kept when it fits <paramref name="budget"/> bytes. Dispose the lease when done.</summary>
    public Lease Get(ISimilarityKernel kernel, string dataset, string version, string column, long budget, Func<IEmbeddingColumn> read)
    {
        var key = new Key(kernel, dataset, column);
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var kept) && kept.Version == version)
            {
                kept.LastUsed = ++_clock;
                kept.Users++;
                return new Lease(this, kept, cached: true);
            }
        }
        var loaded = read();
        lock (_entries)
        {
            // A newer version replaces an older one (and a raced load of the same one keeps the first).
            if (_entries.TryGetValue(key, out var old))
            {
                if (old.Version == version)
                {
                    loaded.Dispose();
                    old.LastUsed = ++_clock;
                    old.Users++;
                    return new Lease(this, old, cached: true);
                }
                Remove(key, old);
            }
            var entry = new Entry(loaded, version) { LastUsed = ++_clock, Users = 1 };
            if (loaded.DeviceBytes > budget || !MakeRoom(budget - loaded.DeviceBytes))
            {
                entry.Evicted = true;
                return new Lease(this, entry, cached: false);
            }
            _entries[key] = entry;
            return new Lease(this, entry, cached: false);
        }
    }

    /// <summary>Frees every kept column not in use (RESET, tests).</summary>
    public void Clear()
    {
        lock (_entries)
            foreach (var (key, entry) in _entries.ToList())
                Remove(key, entry);
    }

    /// <summary>Frees least recently used columns not in use until at most <paramref name="bytes"/> stay; false when
    /// columns in use hold more.</summary>
    private bool MakeRoom(long bytes)
    {
        foreach (var (key, entry) in _entries.OrderBy(e => e.Value.LastUsed).ToList())
        {
            if (_entries.Values.Sum(e => e.Column.DeviceBytes) <= bytes) return true;
            if (entry.Users == 0) Remove(key, entry);
        }
        return _entries.Values.Sum(e => e.Column.DeviceBytes) <= bytes;
    }

    private void Remove(Key key, Entry entry)
    {
        _entries.Remove(key);
        entry.Evicted = true;
        if (entry.Users == 0) entry.Column.Dispose();
    }

    private void Release(Entry entry)
    {
        lock (_entries)
        {
            entry.Users--;
            if (entry.Evicted && entry.Users == 0) entry.Column.Dispose();
        }
    }

    /// <summary>A column in use: kept loaded until disposed.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SimilarityColumnCache _cache;
        private readonly Entry _entry;
        private int _disposed;

        internal Lease(SimilarityColumnCache cache, Entry entry, bool cached) => (_cache, _entry, WasCached) = (cache, entry, cached);

        /// <summary>The column.</summary>
        public IEmbeddingColumn Column => _entry.Column;

        /// <summary>Whether it was already loaded (no upload for this query).</summary>
        public bool WasCached { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) _cache.Release(_entry);
        }
    }
}
