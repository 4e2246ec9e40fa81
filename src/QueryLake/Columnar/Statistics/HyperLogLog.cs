using System.Numerics;
using System.Text;
using QueryLake.Columnar.Arrays;

namespace QueryLake.Columnar.Statistics;

/// <summary>
/// A HyperLogLog sketch of a column's distinct values (Flajolet et al. 2007, with the small-range correction of
/// Heule et al. 2013): 1,024 one-byte registers, about 3% standard error, mergeable by taking register maxima. Every
/// data file keeps one per column in its manifest record, so a version's distinct counts merge from its fragments
/// without reading data; <c>approx_count_distinct</c> uses the same sketch per group. Values hash by their value, not
/// their type's width: 5 as an INTEGER and 5 as a BIGINT hash alike.
/// </summary>
internal sealed class HyperLogLog
{
    public const int Precision = 10;
    private const int Registers = 1 << Precision;
    private readonly byte[] _registers;

    public HyperLogLog() => _registers = new byte[Registers];

    private HyperLogLog(byte[] registers) => _registers = registers;

    /// <summary>Adds one hashed value.</summary>
    public void Add(ulong hash)
    {
        int index = (int)(hash >> (64 - Precision));
        byte rank = (byte)(BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        if (rank > _registers[index]) _registers[index] = rank;
    }

    /// <summary>Adds every non-null value of an array (decoded; dictionary arrays hash their values).</summary>
    public void AddAll(ArrowArray a)
    {
        switch (a)
        {
            case PrimitiveArray<long> x when x.NullCount == 0: foreach (var v in x.Values) Add(Mix((ulong)v)); break;
            case PrimitiveArray<int> x when x.NullCount == 0: foreach (var v in x.Values) Add(Mix((ulong)(long)v)); break;
            case PrimitiveArray<double> x when x.NullCount == 0: foreach (var v in x.Values) Add(HashDouble(v)); break;
            case PrimitiveArray<long> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix((ulong)x[i])); break;
            case PrimitiveArray<int> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix((ulong)(long)x[i])); break;
            case PrimitiveArray<short> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix((ulong)(long)x[i])); break;
            case PrimitiveArray<sbyte> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix((ulong)(long)x[i])); break;
            case PrimitiveArray<ulong> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix(x[i])); break;
            case PrimitiveArray<uint> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix(x[i])); break;
            case PrimitiveArray<ushort> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix(x[i])); break;
            case PrimitiveArray<byte> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(Mix(x[i])); break;
            case PrimitiveArray<double> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(HashDouble(x[i])); break;
            case PrimitiveArray<float> x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(HashDouble(x[i])); break;
            case BinaryArray x: for (int i = 0; i < x.Length; i++) if (x.IsValid(i)) Add(HashBytes(x.GetBytes(i))); break;
            case DictionaryArray d:
                for (int i = 0; i < d.Length; i++)
                    if (d.IsValid(i)) Add(Hash(d.GetValue(i)));
                break;
        }
    }

    /// <summary>The hash of one value as <see cref="Columnar.Arrays.ArrowArray.GetValue"/> gives it.</summary>
    public static ulong Hash(object? v) => v switch
    {
        null => 0,
        long l => Mix((ulong)l),
        int i => Mix((ulong)(long)i),
        short s => Mix((ulong)(long)s),
        sbyte s => Mix((ulong)(long)s),
        ulong u => Mix(u),
        uint u => Mix(u),
        ushort u => Mix(u),
        byte b => Mix(b),
        double d => HashDouble(d),
        float f => HashDouble(f),
        string s => HashBytes(Encoding.UTF8.GetBytes(s)),
        byte[] b => HashBytes(b),
        bool b => Mix(b ? 1UL : 0UL),
        DateOnly d => Mix((ulong)(long)d.DayNumber),
        DateTime t => Mix((ulong)t.Ticks),
        _ => HashBytes(Encoding.UTF8.GetBytes(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "")),
    };

    private static ulong HashDouble(double d) => Mix((ulong)BitConverter.DoubleToInt64Bits(d == 0 ? 0.0 : d)); // -0.0 is 0.0

    /// <summary>Eight bytes at a time (FNV-1a over 64-bit words, then the tail), finished by <see cref="Mix"/>.</summary>
    private static ulong HashBytes(ReadOnlySpan<byte> bytes)
    {
        ulong h = 14695981039346656037UL;
        int i = 0;
        for (; i + 8 <= bytes.Length; i += 8) h = (h ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * 1099511628211UL;
        for (; i < bytes.Length; i++) h = (h ^ bytes[i]) * 1099511628211UL;
        return Mix(h ^ (ulong)bytes.Length);
    }

    /// <summary>SplitMix64's finalizer: spreads every input bit over the whole word.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Takes in the registers of <paramref name="other"/> (the sketch of the union).</summary>
    public void Merge(HyperLogLog other)
    {
        for (int i = 0; i < Registers; i++) if (other._registers[i] > _registers[i]) _registers[i] = other._registers[i];
    }

    /// <summary>The estimated number of distinct values added.</summary>
    public long Estimate()
    {
        double sum = 0;
        int zeros = 0;
        foreach (var r in _registers)
        {
            sum += Math.ScaleB(1.0, -r);
            if (r == 0) zeros++;
        }
        double alpha = 0.7213 / (1 + 1.079 / Registers);
        double raw = alpha * Registers * Registers / sum;
        // Small cardinalities: linear counting over the empty registers is more accurate.
        if (raw <= 2.5 * Registers && zeros > 0) raw = Registers * Math.Log((double)Registers / zeros);
        return (long)Math.Round(raw);
    }

    /// <summary>The registers as base64, as manifests store them.</summary>
    public string Serialize() => Convert.ToBase64String(_registers);

    /// <summary>A sketch from <see cref="Serialize"/>'s text, or null when the text is not one.</summary>
    public static HyperLogLog? Deserialize(string? text)
    {
        if (text is null) return null;
        var bytes = new byte[Registers];
        return Convert.TryFromBase64String(text, bytes, out int n) && n == Registers && bytes.All(b => b <= 64 - Precision + 1) ? new HyperLogLog(bytes) : null;
    }
}
