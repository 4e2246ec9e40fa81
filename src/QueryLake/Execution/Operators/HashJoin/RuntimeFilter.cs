using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// A filter a hash join builds from one of its build-side key columns once its table is built, for a join below it to
/// drop, before probing, the rows whose value in that key can never match (sideways information passing: the plan's
/// <c>runtime_join_filters</c> rule says which joins publish and which apply). It may pass values the key does not hold
/// (the join above checks them anyway), never the reverse. Integer keys test a bitmap of the values present over their
/// range when it is small enough (exact), other values a blocked Bloom filter of their <see cref="KeyHash"/> (two bits
/// in one 64-bit word per value, 16 bits per build row: about 2% false positives; <see cref="BlockedBloom"/>). NULL never passes.
/// </summary>
internal sealed class RuntimeFilter
{
    private readonly long _min;
    private readonly ulong _range;
    private readonly ulong[]? _bitmap;   // bit v − min: some build row holds v
    private readonly BlockedBloom? _bloom;
    private readonly bool _integers;

    /// <summary>Where the joins below find the filter of one run of the publishing join: empty until its table is built
    /// (a join below that finds it empty filters nothing).</summary>
    internal sealed class Slot
    {
        private volatile RuntimeFilter? _filter;

        public RuntimeFilter? Filter { get => _filter; set => _filter = value; }
    }

    /// <summary>A filter over the non-NULL values of <paramref name="keys"/> (one build key column).</summary>
    public RuntimeFilter(ArrowArray keys)
    {
        keys = Vectors.Plain(keys);
        int n = keys.Length;
        bool nulls = keys.NullCount > 0;
        if (keys is PrimitiveArray<long> or PrimitiveArray<int>)
        {
            _integers = true;
            var longs = keys is PrimitiveArray<long> l ? l.Values : default;
            var ints = keys is PrimitiveArray<int> i ? i.Values : default;
            long min = long.MaxValue, max = long.MinValue;
            for (int r = 0; r < n; r++)
            {
                if (nulls && keys.IsNull(r)) continue;
                long v = longs.IsEmpty ? ints[r] : longs[r];
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            if (min > max) { _bitmap = []; return; }
            ulong range = max - min >= 0 ? (ulong)(max - min) + 1 : ulong.MaxValue;
            if (range <= (ulong)Math.Max(1L << 23, 64L * n))
            {
                (_min, _range) = (min, range);
                _bitmap = new ulong[(range + 63) / 64];
                for (int r = 0; r < n; r++)
                {
                    if (nulls && keys.IsNull(r)) continue;
                    ulong d = (ulong)((longs.IsEmpty ? ints[r] : longs[r]) - min);
                    _bitmap[d >> 6] |= 1UL << (int)d;
                }
                return;
            }
            _bloom = BlockedBloom.ForValues(n);
            for (int r = 0; r < n; r++)
                if (!(nulls && keys.IsNull(r))) _bloom.Add(IntegerHash(longs.IsEmpty ? ints[r] : longs[r]));
            return;
        }
        _bloom = BlockedBloom.ForValues(n);
        var hashes = KeyHash.Of([keys], n);
        for (int r = 0; r < n; r++)
            if (!(nulls && keys.IsNull(r))) _bloom.Add(hashes[r]);
    }

    private static ulong IntegerHash(long v) => KeyHash.Mix((ulong)v);

    private bool MayHold(ulong h) => _bloom!.MayHold(h);

    /// <summary>Of <paramref name="rows"/> (null: every row) of <paramref name="column"/>, the ones whose value may
    /// match, in order.</summary>
    public int[] Select(ArrowArray column, int[]? rows)
    {
        column = Vectors.Plain(column);
        int count = rows?.Length ?? column.Length;
        var kept = new int[count];
        int k = 0;
        bool nulls = column.NullCount > 0;
        if (_bitmap is { } bits && rows is null && !nulls && column is PrimitiveArray<long> plain)
        {
            // The common case in one tight loop: every row of a column without NULLs against the bitmap.
            var values = plain.Values;
            long min = _min;
            ulong range = _range;
            for (int r = 0; r < values.Length; r++)
            {
                ulong d = (ulong)(values[r] - min);
                kept[k] = r;
                k += d < range && (bits[d >> 6] & (1UL << (int)d)) != 0 ? 1 : 0;
            }
        }
        else if (_integers && column is PrimitiveArray<long> or PrimitiveArray<int>)
        {
            var longs = column is PrimitiveArray<long> l ? l.Values : default;
            var ints = column is PrimitiveArray<int> i ? i.Values : default;
            for (int j = 0; j < count; j++)
            {
                int r = rows is null ? j : rows[j];
                if (nulls && column.IsNull(r)) continue;
                long v = longs.IsEmpty ? ints[r] : longs[r];
                bool pass;
                if (_bitmap is { } bitmap)
                {
                    ulong d = (ulong)(v - _min);
                    pass = d < _range && (bitmap[d >> 6] & (1UL << (int)d)) != 0;
                }
                else pass = MayHold(IntegerHash(v));
                if (pass) kept[k++] = r;
            }
        }
        else if (_integers)
        {
            return rows ?? Enumerable.Range(0, count).ToArray(); // another representation: nothing is known
        }
        else
        {
            var hashes = KeyHash.Of([column], column.Length);
            for (int j = 0; j < count; j++)
            {
                int r = rows is null ? j : rows[j];
                if (!(nulls && column.IsNull(r)) && MayHold(hashes[r])) kept[k++] = r;
            }
        }
        return k == kept.Length ? kept : kept[..k];
    }
}
