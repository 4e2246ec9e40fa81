using System.Buffers.Binary;
using System.Numerics;

namespace QueryLake.Kernels;

/// <summary>
/// A blocked Bloom filter over 64-bit hashes (<see cref="KeyHash"/>): a power-of-two count of 64-bit words, a hash's
/// top bits choosing the word and its low twelve bits two bits in it, so a test touches one word. Sized at 16 bits per
/// expected value (about 2% false positives). Filters of one size merge (<see cref="Or"/>): the union of their values,
/// which is how a distributed join's build side, written by many tasks, becomes one filter.
/// </summary>
internal sealed class BlockedBloom
{
    private readonly ulong[] _words;
    private readonly int _shift;

    /// <summary>The most words a filter sized by <see cref="ForValues"/> takes (16 MiB).</summary>
    public const int MostWords = 1 << 21;

    /// <summary>An empty filter of <paramref name="words"/> words (a power of two, at least 64).</summary>
    public BlockedBloom(int words)
    {
        if (words < 64 || !BitOperations.IsPow2(words)) throw new ArgumentOutOfRangeException(nameof(words), "a power of two of at least 64");
        _words = new ulong[words];
        _shift = 64 - BitOperations.Log2((uint)words);
    }

    /// <summary>The words for <paramref name="values"/> expected values: 16 bits each, a power of two between 64 and
    /// <see cref="MostWords"/>.</summary>
    public static int WordsFor(long values) => (int)BitOperations.RoundUpToPowerOf2((ulong)Math.Clamp(values / 4, 64, MostWords));

    /// <summary>An empty filter sized for <paramref name="values"/> expected values.</summary>
    public static BlockedBloom ForValues(long values) => new(WordsFor(values));

    /// <summary>Its size in words.</summary>
    public int Words => _words.Length;

    private static ulong Bits(ulong h) => (1UL << (int)(h & 63)) | (1UL << (int)((h >> 6) & 63));

    /// <summary>Adds a value's hash.</summary>
    public void Add(ulong h) => _words[h >> _shift] |= Bits(h);

    /// <summary>Whether a value with this hash may have been added (never false for one that was).</summary>
    public bool MayHold(ulong h) => (_words[h >> _shift] & Bits(h)) == Bits(h);

    /// <summary>Adds every value of <paramref name="other"/>, a filter of the same size.</summary>
    public void Or(BlockedBloom other)
    {
        if (other._words.Length != _words.Length) throw new ArgumentException("filters of different sizes do not merge", nameof(other));
        var mine = _words.AsSpan();
        var theirs = other._words.AsSpan();
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= mine.Length - Vector<ulong>.Count; i += Vector<ulong>.Count)
                (new Vector<ulong>(mine[i..]) | new Vector<ulong>(theirs[i..])).CopyTo(mine[i..]);
        for (; i < mine.Length; i++) mine[i] |= theirs[i];
    }

    /// <summary>The filter as bytes (its words, little-endian), to send to another process.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[_words.Length * 8];
        for (int i = 0; i < _words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), _words[i]);
        return bytes;
    }

    /// <summary>A filter from <see cref="ToBytes"/>.</summary>
    public static BlockedBloom FromBytes(ReadOnlySpan<byte> bytes)
    {
        int words = bytes.Length / 8;
        if (bytes.Length % 8 != 0 || words < 64 || !BitOperations.IsPow2(words))
            throw new Errors.QueryLakeException("QL-CLUSTER-PLAN", $"a join filter of {bytes.Length} bytes is not one this version writes");
        var filter = new BlockedBloom(words);
        for (int i = 0; i < words; i++) filter._words[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..]);
        return filter;
    }
}
