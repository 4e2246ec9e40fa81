using System.Buffers.Binary;
using System.Text;
using QueryLake.Columnar.Arrays;

namespace QueryLake.Kernels;

/// <summary>
/// 64-bit hashes of key rows (one or more columns), the hashes of hash joins: a value hashes the same whichever
/// encoding holds it (a dictionary-encoded column hashes its dictionary once and takes the hashes by index; text hashes
/// its UTF-8 bytes), so the two sides of a join agree. Doubles hash −0.0 as 0.0 and every NaN alike, as
/// <see cref="Comparer.Doubles"/> compares them. Nested values (structs, lists) hash structurally
/// (<see cref="ValueEquality.Hash"/>). Null slots hash to an arbitrary value: callers skip rows with NULL keys.
/// </summary>
internal static class KeyHash
{
    private const ulong K = 0x9E3779B97F4A7C15;

    /// <summary>The hash of each of the first <paramref name="n"/> rows over all <paramref name="columns"/>.</summary>
    public static ulong[] Of(IReadOnlyList<ArrowArray> columns, int n)
    {
        var h = new ulong[n];
        foreach (var c in columns) Add(c, h);
        for (int i = 0; i < n; i++) h[i] = Mix(h[i]);
        return h;
    }

    /// <summary>The murmur3 finalizer: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCD;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53;
        x ^= x >> 33;
        return x;
    }

    /// <summary>The hash <see cref="Of"/> gives a row whose only key is the int64 <paramref name="v"/>.</summary>
    public static ulong OfInt64(long v) => Mix(Step(0, (ulong)v));

    private static ulong Step(ulong h, ulong v) => (h ^ Mix(v)) * K + 0x632BE59BD9B4E019;

    /// <summary>The hash of a double as a key: −0.0 is 0.0 and every NaN is one NaN.</summary>
    public static ulong Double(double d) =>
        double.IsNaN(d) ? 0x7FF8000000000000UL : (ulong)BitConverter.DoubleToInt64Bits(d == 0 ? 0.0 : d);

    /// <summary>A hash of bytes, eight at a time.</summary>
    public static ulong Bytes(ReadOnlySpan<byte> s)
    {
        ulong h = (ulong)s.Length * K;
        int i = 0;
        for (; i + 8 <= s.Length; i += 8) h = Step(h, BinaryPrimitives.ReadUInt64LittleEndian(s[i..]));
        if (i < s.Length)
        {
            ulong tail = 0;
            for (int k = 0; i + k < s.Length; k++) tail |= (ulong)s[i + k] << (8 * k);
            h = Step(h, tail);
        }
        return h;
    }

    /// <summary>Folds each row's value of <paramref name="a"/> into its hash.</summary>
    private static void Add(ArrowArray a, Span<ulong> h)
    {
        var v = new ulong[h.Length];
        Values(a, v);
        for (int i = 0; i < h.Length; i++) h[i] = Step(h[i], v[i]);
    }

    /// <summary>The hash of each slot's value on its own (before rows combine columns).</summary>
    private static void Values(ArrowArray a, Span<ulong> h)
    {
        switch (a)
        {
            case PrimitiveArray<long> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = (ulong)v[i]; break; }
            case PrimitiveArray<int> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = (ulong)(long)v[i]; break; }
            case PrimitiveArray<double> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = Double(v[i]); break; }
            case PrimitiveArray<float> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = Double(v[i]); break; }
            case PrimitiveArray<short> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = (ulong)(long)v[i]; break; }
            case PrimitiveArray<sbyte> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = (ulong)(long)v[i]; break; }
            case PrimitiveArray<ulong> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = v[i]; break; }
            case PrimitiveArray<uint> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = v[i]; break; }
            case PrimitiveArray<ushort> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = v[i]; break; }
            case PrimitiveArray<byte> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = v[i]; break; }
            case PrimitiveArray<Int128> x: { var v = x.Values; for (int i = 0; i < h.Length; i++) h[i] = Mix((ulong)v[i]) ^ (ulong)(v[i] >> 64); break; }
            case BooleanArray x: for (int i = 0; i < h.Length; i++) h[i] = x.IsValid(i) && x.GetBoolean(i) ? 1UL : 0UL; break;
            case BinaryArray x: for (int i = 0; i < h.Length; i++) h[i] = x.IsValid(i) ? Bytes(x.GetBytes(i)) : 0; break;
            case FixedSizeBinaryArray x: for (int i = 0; i < h.Length; i++) h[i] = x.IsValid(i) ? Bytes(x.GetBytes(i)) : 0; break;
            case DictionaryArray d:
            {
                var values = new ulong[d.Dictionary.Length];
                Values(d.Dictionary, values);
                var indices = Vectors.IndexSpan(d);
                for (int i = 0; i < h.Length; i++) h[i] = d.IsValid(i) ? values[indices[i]] : 0;
                break;
            }
            default:
                for (int i = 0; i < h.Length; i++) h[i] = ValueEquality.Hash(a.GetValue(i));
                break;
        }
    }

    /// <summary>The hash <see cref="Values"/> gives a text value, for values met as .NET strings.</summary>
    internal static ulong Text(string s) => Bytes(Encoding.UTF8.GetBytes(s));
}
