namespace QueryLake.Execution;

/// <summary>Hashes a packed pair of dense ids (a &lt;&lt; 32 | b) by a multiplicative mix. int64's own hash (upper ^
/// lower 32 bits) sends the pairs of small ids to a few hundred buckets, which made composite GROUP BY keys and
/// DISTINCT aggregates walk long collision chains.</summary>
internal sealed class PairHash : IEqualityComparer<long>
{
    public static readonly PairHash Instance = new();

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long x) => (int)(((ulong)x * 0x9E3779B97F4A7C15UL) >> 32);
}
