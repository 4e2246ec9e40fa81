namespace QueryLake.Kernels;

/// <summary>Seeded pseudo-random draws that depend only on the seed and a position, so the same seed gives the same
/// sample, split or shuffle anywhere, and rows appended later mix in among the old ones: what SAMPLE, shuffled
/// exports and the training loader share.</summary>
internal static class SeededDraw
{
    /// <summary>u(seed, i) in [0, 1).</summary>
    public static double Draw(long seed, long i)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)i);
        z = unchecked(z + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>A full seeded permutation of positions 0 … count − 1: ordered by <see cref="Draw"/>(seed, position), ties by
    /// position, so the same seed gives the same order anywhere and appended positions mix in among the old ones.
    /// Used by shuffled exports and the training loader.</summary>
    public static long[] Permutation(long seed, long count)
    {
        var order = new (double Draw, long Position)[count];
        for (long p = 0; p < count; p++) order[p] = (Draw(seed, p), p);
        Array.Sort(order, (x, y) => x.Draw != y.Draw ? x.Draw.CompareTo(y.Draw) : x.Position.CompareTo(y.Position));
        var positions = new long[count];
        for (long k = 0; k < count; k++) positions[k] = order[k].Position;
        return positions;
    }
}
