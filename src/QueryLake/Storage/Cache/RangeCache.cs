using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;

namespace QueryLake.Storage.Cache;

/// <summary>
/// The local cache of byte ranges read from object storage (<c>SET cache_directory</c>, <c>SET cache_size</c>): each
/// range a query fetched (a data file's schema and footer, a batch's metadata, a column of a batch) is kept as one file,
/// named by the object (its store, key and checksum) and the range, so the same query finds it again, in this process or
/// after a restart. Each entry carries the XXH3 of its bytes and is checked when read; a damaged entry is deleted and
/// fetched again. The manifest's part checksums are verified on top, as for every read. Entries beyond the size are
/// evicted least recently used first, by bytes. Several processes may share a folder: entries are written under a
/// temporary name and renamed into place.
/// </summary>
internal sealed class RangeCache
{
    private readonly ConcurrentDictionary<string, (long Bytes, long LastUse)> _entries = new(StringComparer.Ordinal);
    private long _bytes;
    private long _clock;
    private readonly object _evicting = new();

    /// <summary>The default size: 4 GiB.</summary>
    public const long DefaultCapacity = 4L << 30;

    /// <summary>The default folder: <c>$QUERYLAKE_CACHE</c>, else <c>$XDG_CACHE_HOME/querylake</c>, else
    /// <c>~/.cache/querylake</c>.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("QUERYLAKE_CACHE") is { Length: > 0 } set ? set
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "querylake");

    /// <summary>The cache in <see cref="DefaultDirectory"/>, or none when that folder cannot be made (a read-only home):
    /// reads then go to the store every time.</summary>
    public static RangeCache? OpenDefault(long capacity)
    {
        try { return For(DefaultDirectory, capacity); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static readonly ConcurrentDictionary<string, RangeCache> Shared = new(StringComparer.Ordinal);

    /// <summary>The cache in <paramref name="directory"/>, one per folder in a process (its index is read once), holding
    /// at most <paramref name="capacity"/> bytes from now on.</summary>
    public static RangeCache For(string directory, long capacity)
    {
        var cache = Shared.GetOrAdd(Path.GetFullPath(directory), d => new RangeCache(d, capacity));
        if (cache.Capacity != capacity)
        {
            cache.Capacity = capacity;
            cache.Evict();
        }
        return cache;
    }

    private RangeCache(string directory, long capacity)
    {
        Directory = Path.GetFullPath(directory);
        Capacity = capacity;
        System.IO.Directory.CreateDirectory(Directory);
        // What earlier processes cached, oldest use first (the file's time is its last use).
        var known = new DirectoryInfo(Directory).EnumerateFiles("*.range", SearchOption.AllDirectories)
            .OrderBy(f => f.LastWriteTimeUtc).ToList();
        foreach (var f in known)
        {
            _entries[Path.GetRelativePath(Directory, f.FullName)] = (f.Length, ++_clock);
            _bytes += f.Length;
        }
        Evict();
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>The most bytes the cache keeps.</summary>
    public long Capacity { get; private set; }

    /// <summary>The bytes it holds now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Ranges found and not found since the cache was opened.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    private long _hits, _misses;

    /// <summary>The entry's name: a folder per object (256 of them at the first level), a file per range.</summary>
    private static string Name(string location, string key, string? tag, long offset, int length)
    {
        var id = XxHash128.Hash(Encoding.UTF8.GetBytes($"{location}\n{key}\n{tag}"));
        var hex = Convert.ToHexStringLower(id);
        return Path.Combine(hex[..2], hex[2..], $"{offset}-{length}.range");
    }

    /// <summary>The cached bytes of [offset, offset + length) of the object, or null.</summary>
    public byte[]? TryGet(string location, string key, string? tag, long offset, int length)
    {
        var name = Name(location, key, tag, offset, length);
        if (!_entries.ContainsKey(name)) { Interlocked.Increment(ref _misses); return null; }
        var file = Path.Combine(Directory, name);
        byte[] content;
        try { content = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Forget(name); Interlocked.Increment(ref _misses); return null; }
        if (content.Length != length + 8 || BinaryPrimitives.ReadUInt64LittleEndian(content) != XxHash3.HashToUInt64(content.AsSpan(8)))
        {
            // Damaged (or cut short by a killed process): fetched again.
            Forget(name);
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            Interlocked.Increment(ref _misses);
            return null;
        }
        _entries[name] = (content.Length, Interlocked.Increment(ref _clock));
        try { File.SetLastWriteTimeUtc(file, DateTime.UtcNow); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        Interlocked.Increment(ref _hits);
        return content.AsSpan(8).ToArray();
    }

    /// <summary>Keeps <paramref name="bytes"/> as [offset, offset + bytes.Length) of the object. A cache that cannot be
    /// written (a full disk, no permission) is skipped: the read succeeds without it.</summary>
    public void Put(string location, string key, string? tag, long offset, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length + 8L > Capacity) return;
        var name = Name(location, key, tag, offset, bytes.Length);
        if (_entries.ContainsKey(name)) return;
        var file = Path.Combine(Directory, name);
        var temp = file + $".{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                Span<byte> hash = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(hash, XxHash3.HashToUInt64(bytes));
                fs.Write(hash);
                fs.Write(bytes);
            }
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return;
        }
        if (_entries.TryAdd(name, (bytes.Length + 8, Interlocked.Increment(ref _clock)))) Interlocked.Add(ref _bytes, bytes.Length + 8);
        if (Interlocked.Read(ref _bytes) > Capacity) Evict();
    }

    private void Forget(string name)
    {
        if (_entries.TryRemove(name, out var e)) Interlocked.Add(ref _bytes, -e.Bytes);
    }

    /// <summary>Deletes the least recently used entries until the cache holds at most 90% of its size.</summary>
    private void Evict()
    {
        lock (_evicting)
        {
            if (Interlocked.Read(ref _bytes) <= Capacity) return;
            long target = Capacity / 10 * 9;
            foreach (var (name, _) in _entries.ToArray().OrderBy(kv => kv.Value.LastUse).Select(kv => (kv.Key, kv.Value)))
            {
                if (Interlocked.Read(ref _bytes) <= target) break;
                Forget(name);
                try { File.Delete(Path.Combine(Directory, name)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
