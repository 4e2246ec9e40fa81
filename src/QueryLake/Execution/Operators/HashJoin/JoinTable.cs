using System.Numerics;
using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// The hash table of a hash join: every build row numbered 0 … n−1, its key hash (<see cref="KeyHash"/>), and chains of
/// rows per bucket in two flat arrays (<c>heads</c>: bucket → first row, <c>next</c>: row → next row of its bucket),
/// so nothing is allocated per key or per probe. Chains hold rows in build order. Keys of any type and any number of
/// columns; a candidate is confirmed by its hash and then by comparing its key columns. NULL keys never match, so rows
/// with one are left out. Once built, the table is only read: probes may run on several threads at once.
/// </summary>
internal sealed class JoinTable
{
    private readonly int[] _heads;   // bucket → first row + 1 (0: empty)
    private readonly int[] _next;    // row → next row of its bucket + 1 (0: end)
    private readonly ulong[] _hashes;
    private readonly ArrowArray[] _keys; // the build keys of all rows, one array per key column
    private readonly long[]? _int64; // the one int64 key's values, compared directly
    private readonly int _shift;

    /// <summary>Where each build row came from: (build batch, row in it).</summary>
    public Gather.Pick[] Picks { get; }

    /// <summary>Bytes the table holds beyond its keys (for the memory limit).</summary>
    public static long BytesPerRow => 4 + 4 + 8 + 8 + 8;

    private JoinTable(ArrowArray[] keys, Gather.Pick[] picks)
    {
        _keys = keys;
        if (keys is [PrimitiveArray<long> single]) _int64 = single.Values.ToArray();
        Picks = picks;
        int n = picks.Length;
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * n));
        _shift = 64 - BitOperations.Log2((uint)buckets);
        _heads = new int[buckets];
        _next = new int[n];
        if (n == 0) { _hashes = []; return; }
        _hashes = KeyHash.Of(keys, n);
        bool nulls = keys.Any(k => k.NullCount > 0);
        // Rows are pushed on their chains last to first, so each chain lists its rows in build order.
        for (int r = n - 1; r >= 0; r--)
        {
            if (nulls && AnyNull(keys, r)) continue;
            int b = (int)(_hashes[r] >> _shift);
            _next[r] = _heads[b];
            _heads[b] = r + 1;
        }
    }

    private static bool AnyNull(ArrowArray[] keys, int row)
    {
        foreach (var k in keys) if (k.IsNull(row)) return true;
        return false;
    }

    /// <summary>A table over the key columns of every build batch (the same key expressions evaluated per batch, plain
    /// or dictionary-encoded).</summary>
    public static JoinTable Build(IReadOnlyList<ArrowArray[]> keysPerBatch, int keyCount)
    {
        int n = keysPerBatch.Sum(k => k.Length == 0 ? 0 : k[0].Length);
        var picks = new Gather.Pick[n];
        for (int b = 0, i = 0; b < keysPerBatch.Count; b++)
            for (int r = 0; r < (keysPerBatch[b].Length == 0 ? 0 : keysPerBatch[b][0].Length); r++) picks[i++] = new Gather.Pick(b, r);
        var keys = new ArrowArray[keyCount];
        for (int c = 0; c < keyCount && n > 0; c++)
        {
            var sources = keysPerBatch.Select(k => Vectors.Plain(k[c])).ToList();
            keys[c] = sources.Count == 1 ? sources[0] : Gather.Rows(sources[0].Type, sources, picks);
        }
        return new JoinTable(keys, picks);
    }

    /// <summary>Prepares a probe batch's key columns (hashes and comparers); the prober is used by one thread.</summary>
    public Prober Probe(ArrowArray[] keys, int n) => new(this, keys, n);

    /// <summary>The matches of one probe batch: for row r, <c>for (m = First(r); m ≥ 0; m = Next(m, r))</c> visits the
    /// build rows whose key equals r's, in build order.</summary>
    internal sealed class Prober
    {
        private readonly JoinTable _table;
        private readonly ulong[] _hashes;
        private readonly ArrowArray[] _keys;
        private readonly Func<int, int, bool>[] _equal;
        private readonly PrimitiveArray<long>? _probeInt64;

        /// <summary>For one int64 key: each row's first match, found in one pass (no hash array, no per-row calls).</summary>
        private readonly int[]? _first;

        public Prober(JoinTable table, ArrowArray[] keys, int n)
        {
            _table = table;
            _keys = keys;
            if (table._int64 is { } build && keys is [PrimitiveArray<long> single])
            {
                _probeInt64 = single;
                _hashes = [];
                _equal = [];
                _first = new int[n];
                var values = single.Values;
                var heads = table._heads;
                var next = table._next;
                int shift = table._shift;
                bool nulls = single.NullCount > 0;
                for (int r = 0; r < n; r++)
                {
                    int m = -1;
                    if (build.Length > 0 && !(nulls && single.IsNull(r)))
                    {
                        long key = values[r];
                        for (m = heads[(int)(KeyHash.OfInt64(key) >> shift)] - 1; m >= 0 && build[m] != key; m = next[m] - 1) { }
                    }
                    _first[r] = m;
                }
                return;
            }
            _hashes = KeyHash.Of(keys, n);
            if (table.Picks.Length == 0) { _equal = []; return; }
            if (table._int64 is not null && keys is [PrimitiveArray<long> p]) _probeInt64 = p;
            _equal = keys.Select((k, c) => Equality(table._keys[c], k)).ToArray();
        }

        public int First(int row)
        {
            if (_first is not null) return _first[row];
            if (_table.Picks.Length == 0) return -1;
            foreach (var k in _keys) if (k.IsNull(row)) return -1;
            return Walk(_table._heads[(int)(_hashes[row] >> _table._shift)] - 1, row);
        }

        public int Next(int match, int row) => Walk(_table._next[match] - 1, row);

        private int Walk(int m, int row)
        {
            if (_table._int64 is { } build && _probeInt64 is { } probe)
            {
                long key = probe[row];
                for (; m >= 0; m = _table._next[m] - 1)
                    if (build[m] == key) return m;
                return -1;
            }
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
