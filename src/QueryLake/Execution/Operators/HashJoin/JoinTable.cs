using System.Numerics;
using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// The hash table of a hash join over the key columns of all build rows, numbered 0 … n−1 in build order. NULL keys
/// never match, so rows with one are left out. Once built, the table is only read: probes may run on several threads
/// at once. Two layouts:
/// <list type="bullet">
/// <item>Integer keys (join keys are ids), one or several packed into one int64 when their ranges multiply to
/// under 2^62 (a probe value outside a column's range cannot match): each distinct key's first row in an array indexed by key − min when the
/// keys are dense (no hash, one load), else in an open-addressing table of (key, row) slots (one cache line per
/// probe), behind a bitmap of the keys present when their range is small enough (a probe of a selective join touches
/// only the bitmap). Rows sharing a key chain through <c>next</c> in build order.</item>
/// <item>Any other keys: every row's <see cref="KeyHash"/>, chains of rows per bucket in two flat arrays (<c>heads</c>:
/// bucket → first row, <c>next</c>: row → next row of its bucket); a candidate is confirmed by its hash and then by
/// comparing its key columns.</item>
/// </list>
/// Nothing is allocated per key or per probe.
/// </summary>
internal sealed class JoinTable
{
    private readonly int _rows;
    private readonly ArrowArray[] _keys;
    private readonly int[] _next; // row → next row of its chain + 1 (0: end)

    // Any keys: hash chains per bucket.
    private readonly int[] _heads = [];     // bucket → first row + 1 (0: empty)
    private readonly ulong[] _hashes = [];
    private readonly int _shift;

    // One integer key.
    private readonly Packing? _packing;
    private readonly long _min;
    private readonly int[]? _direct;        // key − min → first row + 1
    private readonly ulong[]? _present;     // bit key − min: some row has the key
    private readonly ulong _range;          // bits in _present
    private readonly Slot[]? _slots;        // open addressing: (key, first row + 1)
    private readonly bool _unique;          // no key repeats: chains have one row

    private struct Slot
    {
        public long Key;
        public int Row;
    }

    /// <summary>Bytes the table holds per build row beyond its keys (for the memory limit).</summary>
    public static long BytesPerRow => 4 + 4 + 8 + 8 + 8;

    /// <summary>The number of build rows.</summary>
    public int Count => _rows;

    /// <summary>A table over the key columns of the build rows (plain or dictionary-encoded).</summary>
    public JoinTable(ArrowArray[] keys, int rows)
    {
        _rows = rows;
        _keys = keys.Select(Vectors.Plain).ToArray();
        _next = new int[rows];
        bool nulls = _keys.Any(k => k.NullCount > 0);
        if (rows > 0 && Packing.For(_keys, rows) is { } packing)
        {
            _packing = packing;
            var values = packing.Pack(_keys, rows, null);
            long min = long.MaxValue, max = long.MinValue;
            int present = 0;
            for (int r = 0; r < rows; r++)
            {
                if (nulls && AnyNull(_keys, r)) continue;
                min = Math.Min(min, values[r]);
                max = Math.Max(max, values[r]);
                present++;
            }
            _unique = true;
            if (present == 0) { _direct = []; return; }
            _min = min;
            // The span of keys, when it fits in 63 bits.
            ulong range = max - min >= 0 ? (ulong)(max - min) + 1 : ulong.MaxValue;
            if (range <= (ulong)Math.Max(1024, 4L * present))
            {
                _direct = new int[range];
                for (int r = rows - 1; r >= 0; r--)
                {
                    if (nulls && AnyNull(_keys, r)) continue;
                    ref int head = ref _direct[values[r] - min];
                    if (head != 0) _unique = false;
                    _next[r] = head;
                    head = r + 1;
                }
                return;
            }
            // A bitmap no bigger than the slots (16 bytes per row, 128 bits), or under 8 Mbit, filters absent keys.
            if (range <= (ulong)Math.Max(1 << 23, 128L * present))
            {
                _range = range;
                _present = new ulong[(range + 63) / 64];
            }
            int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * present));
            _shift = 64 - BitOperations.Log2((uint)capacity);
            _slots = new Slot[capacity];
            int mask = capacity - 1;
            for (int r = rows - 1; r >= 0; r--)
            {
                if (nulls && AnyNull(_keys, r)) continue;
                long key = values[r];
                if (_present is not null)
                {
                    ulong d = (ulong)(key - min);
                    _present[d >> 6] |= 1UL << (int)d;
                }
                int s = Start(key);
                while (_slots[s].Row != 0 && _slots[s].Key != key) s = (s + 1) & mask;
                if (_slots[s].Row != 0) _unique = false;
                _slots[s].Key = key;
                _next[r] = _slots[s].Row;
                _slots[s].Row = r + 1;
            }
            return;
        }
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * rows));
        _shift = 64 - BitOperations.Log2((uint)buckets);
        _heads = new int[buckets];
        if (rows == 0) return;
        _hashes = KeyHash.Of(_keys, rows);
        // Rows are pushed on their chains last to first, so each chain lists its rows in build order.
        for (int r = rows - 1; r >= 0; r--)
        {
            if (nulls && AnyNull(_keys, r)) continue;
            int b = (int)(_hashes[r] >> _shift);
            _next[r] = _heads[b];
            _heads[b] = r + 1;
        }
    }

    private int Start(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>The first build row of each (packed) key in <paramref name="keys"/> at <paramref name="rows"/> (null:
    /// every row) into <paramref name="first"/>, −1 where none, one loop per layout; rows flagged in
    /// <paramref name="skip"/> find nothing.</summary>
    private void FirstOfAll(long[] keys, int[] first, int[]? rows, bool[]? skip)
    {
        int count = rows?.Length ?? keys.Length;
        if (rows is not null || skip is not null)
        {
            for (int j = 0; j < count; j++)
            {
                int r = rows is null ? j : rows[j];
                first[r] = skip is not null && skip[r] ? -1 : FirstOf(keys[r]);
            }
            return;
        }
        long min = _min;
        if (_direct is { } direct)
        {
            for (int r = 0; r < count; r++)
            {
                ulong d = (ulong)(keys[r] - min);
                first[r] = d < (ulong)direct.Length ? direct[d] - 1 : -1;
            }
            return;
        }
        if (_present is { } present)
        {
            ulong range = _range;
            for (int r = 0; r < count; r++)
            {
                ulong d = (ulong)(keys[r] - min);
                first[r] = d < range && (present[d >> 6] & (1UL << (int)d)) != 0 ? Find(keys[r]) : -1;
            }
            return;
        }
        for (int r = 0; r < count; r++) first[r] = Find(keys[r]);
    }

    /// <summary>The first build row whose integer key is <paramref name="key"/>, or −1.</summary>
    private int FirstOf(long key)
    {
        if (_direct is { } direct)
        {
            ulong d = (ulong)(key - _min);
            return d < (ulong)direct.Length ? direct[d] - 1 : -1;
        }
        if (_present is { } present)
        {
            ulong d = (ulong)(key - _min);
            if (d >= _range || (present[d >> 6] & (1UL << (int)d)) == 0) return -1;
        }
        return Find(key);
    }

    /// <summary>The first build row of <paramref name="key"/> from the open-addressing slots, or −1.</summary>
    private int Find(long key)
    {
        var slots = _slots!;
        int mask = slots.Length - 1;
        for (int s = Start(key); ; s = (s + 1) & mask)
        {
            ref var slot = ref slots[s];
            if (slot.Row == 0) return -1;
            if (slot.Key == key) return slot.Row - 1;
        }
    }

    /// <summary>Whether no key repeats among the build rows of an integer-keyed table (every chain has one row).</summary>
    public bool Unique => _unique;

    private int _longestChain = -1;

    /// <summary>The most build rows one probe row can be paired with: the longest chain (equal keys, and for the hashed
    /// layout rows of one bucket). Chains link each row to a later one, so one pass from the last row counts them.</summary>
    public int LongestChain
    {
        get
        {
            if (_longestChain >= 0) return _longestChain;
            if (_unique || _rows == 0) return _longestChain = Math.Min(_rows, 1);
            var length = new int[_rows];
            int longest = 0;
            for (int r = _rows - 1; r >= 0; r--)
            {
                length[r] = 1 + (_next[r] > 0 ? length[_next[r] - 1] : 0);
                longest = Math.Max(longest, length[r]);
            }
            return _longestChain = longest;
        }
    }

    /// <summary>The next build row after <paramref name="row"/> with the same integer key, or −1.</summary>
    public int NextOf(int row) => _next[row] - 1;

    /// <summary>Integer key columns (any width, dates) as one int64 per row: each column's value less its minimum,
    /// times the product of the ranges of the columns after it.</summary>
    private sealed class Packing
    {
        private readonly long[] _mins, _maxs, _strides;

        private Packing(long[] mins, long[] maxs, long[] strides) => (_mins, _maxs, _strides) = (mins, maxs, strides);

        /// <summary>The packing of the build keys, or null when a column is not an integer or the ranges are too wide
        /// (one column packs as itself).</summary>
        public static Packing? For(ArrowArray[] keys, int rows)
        {
            if (keys.Length == 0 || !keys.All(k => k is PrimitiveArray<long> or PrimitiveArray<int>)) return null;
            int width = keys.Length;
            if (width == 1) return new Packing([0], [long.MaxValue], [1]);
            var mins = new long[width];
            var maxs = new long[width];
            var strides = new long[width];
            for (int c = 0; c < width; c++)
            {
                long min = long.MaxValue, max = long.MinValue;
                var k = keys[c];
                bool nulls = k.NullCount > 0;
                var longs = k is PrimitiveArray<long> l ? l.Values : default;
                var ints = k is PrimitiveArray<int> i ? i.Values : default;
                for (int r = 0; r < rows; r++)
                {
                    if (nulls && k.IsNull(r)) continue;
                    long v = longs.IsEmpty ? ints[r] : longs[r];
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
                (mins[c], maxs[c]) = min > max ? (0, 0) : (min, max);
            }
            long stride = 1;
            for (int c = width - 1; c >= 0; c--)
            {
                strides[c] = stride;
                if (maxs[c] - mins[c] is < 0 or >= 1L << 62) return null;
                long range = maxs[c] - mins[c] + 1;
                if (stride > (1L << 62) / range) return null;
                stride *= range;
            }
            return new Packing(mins, maxs, strides);
        }

        /// <summary>The packed key of each row; with <paramref name="outside"/>, rows with a value outside a build
        /// column's range are flagged there (they match nothing). One column is its own values.</summary>
        public long[] Pack(ArrowArray[] keys, int rows, bool[]? outside)
        {
            var packed = new long[rows];
            if (_strides.Length == 1)
            {
                if (keys[0] is PrimitiveArray<long> l) l.Values.CopyTo(packed);
                else { var v = ((PrimitiveArray<int>)keys[0]).Values; for (int r = 0; r < rows; r++) packed[r] = v[r]; }
                return packed;
            }
            for (int c = 0; c < keys.Length; c++)
            {
                long min = _mins[c], max = _maxs[c], stride = _strides[c];
                if (keys[c] is PrimitiveArray<long> l)
                {
                    var values = l.Values;
                    for (int r = 0; r < rows; r++)
                    {
                        long v = values[r];
                        if (v < min || v > max) { if (outside is not null) outside[r] = true; continue; }
                        packed[r] += (v - min) * stride;
                    }
                }
                else
                {
                    var values = ((PrimitiveArray<int>)keys[c]).Values;
                    for (int r = 0; r < rows; r++)
                    {
                        long v = values[r];
                        if (v < min || v > max) { if (outside is not null) outside[r] = true; continue; }
                        packed[r] += (v - min) * stride;
                    }
                }
            }
            return packed;
        }
    }

    private static bool AnyNull(ArrowArray[] keys, int row)
    {
        foreach (var k in keys) if (k.IsNull(row)) return true;
        return false;
    }

    /// <summary>Prepares a probe batch's key columns (hashes and comparers); the prober is used by one thread. With
    /// <paramref name="rows"/>, only those rows are probed (the others find nothing).</summary>
    public Prober Probe(ArrowArray[] keys, int n, int[]? rows = null) => new(this, keys, n, rows);

    /// <summary>The matches of one probe batch: for row r, <c>for (m = First(r); m ≥ 0; m = Next(m, r))</c> visits the
    /// build rows whose key equals r's, in build order.</summary>
    internal sealed class Prober
    {
        private readonly JoinTable _table;
        private readonly ulong[] _hashes = [];
        private readonly ArrowArray[] _keys;
        private readonly Func<int, int, bool>[] _equal = [];

        /// <summary>For one integer key: each row's first match, found in one pass.</summary>
        private readonly int[]? _first;

        public Prober(JoinTable table, ArrowArray[] keys, int n, int[]? rows)
        {
            _table = table;
            _keys = keys.Select(Vectors.Plain).ToArray();
            if (table._packing is { } packing)
            {
                _first = new int[n];
                var outside = _keys.Length > 1 ? new bool[n] : null;
                var values = packing.Pack(_keys, n, outside);
                if (rows is not null) Array.Fill(_first, -1);
                if (_keys.Any(k => k.NullCount > 0))
                {
                    outside ??= new bool[n];
                    for (int r = 0; r < n; r++) if (AnyNull(_keys, r)) outside[r] = true;
                }
                if (table._rows > 0) table.FirstOfAll(values, _first, rows, outside);
                else Array.Fill(_first, -1);
                return;
            }
            if (table._rows == 0) return;
            _hashes = KeyHash.Of(_keys, n);
            _equal = _keys.Select((k, c) => Equality(table._keys[c], k)).ToArray();
        }

        /// <summary>For an integer-keyed table: each probe row's first match (−1: none); chains continue through
        /// <see cref="JoinTable.NextOf"/> unless the table is <see cref="JoinTable.Unique"/>. Null for other tables.</summary>
        public int[]? Firsts => _first;

        public int First(int row)
        {
            if (_first is not null) return _first[row];
            if (_table._rows == 0) return -1;
            foreach (var k in _keys) if (k.IsNull(row)) return -1;
            return Walk(_table._heads[(int)(_hashes[row] >> _table._shift)] - 1, row);
        }

        public int Next(int match, int row)
        {
            // Integer keys chain the rows of one key only.
            if (_first is not null) return _table._unique ? -1 : _table._next[match] - 1;
            return Walk(_table._next[match] - 1, row);
        }

        private int Walk(int m, int row)
        {
            ulong h = _hashes[row];
            for (; m >= 0; m = _table._next[m] - 1)
                if (_table._hashes[m] == h && Same(m, row)) return m;
            return -1;
        }

        private bool Same(int m, int row)
        {
            foreach (var eq in _equal) if (!eq(m, row)) return false;
            return true;
        }

        private static Func<int, int, bool> Equality(ArrowArray build, ArrowArray probe) => (build, probe) switch
        {
            (PrimitiveArray<long> x, PrimitiveArray<long> y) => (i, j) => x[i] == y[j],
            (PrimitiveArray<int> x, PrimitiveArray<int> y) => (i, j) => x[i] == y[j],
            (BinaryArray x, BinaryArray y) => (i, j) => x.GetBytes(i).SequenceEqual(y.GetBytes(j)),
            _ => Compared(Comparer.For(build, probe)),
        };

        private static Func<int, int, bool> Compared(Func<int, int, int> compare) => (i, j) => compare(i, j) == 0;
    }
}
