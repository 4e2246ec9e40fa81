using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;

namespace QueryLake.Execution;

/// <summary>
/// Assigns each row a dense group id by its key values (the hash table of aggregation). A single int64 or
/// utf8 key uses a typed table that allocates nothing per row; several keys combine per-column ids; any other single
/// key uses <see cref="RowKey"/>.
/// NULL is a group of its own, as SQL's GROUP BY requires.
/// </summary>
internal abstract class GroupIndexer
{
    /// <summary>The key values of each group, by group id (indexers that keep typed keys leave it empty and answer
    /// <see cref="Count"/> and <see cref="Key"/> themselves).</summary>
    public virtual List<object?[]> Keys { get; } = [];

    /// <summary>The number of groups.</summary>
    public virtual int Count => Keys.Count;

    /// <summary>Key column <paramref name="column"/> of group <paramref name="id"/>.</summary>
    public virtual object? Key(int id, int column) => Keys[id][column];

    /// <summary>The keys of every group as one array of <paramref name="type"/>, when the indexer holds them typed; null
    /// otherwise (the caller builds the column from <see cref="Key"/>).</summary>
    public virtual ArrowArray? KeyColumn(Columnar.Types.DataType type) => null;

    public abstract void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids);

    public static GroupIndexer For(IReadOnlyList<ArrowArray> sample) => sample switch
    {
        [DictionaryArray] => new DictionaryIndexer(),
        [PrimitiveArray<long> l] when l.Type.Id == Columnar.Types.TypeId.Int64 => new Int64Indexer(),
        [BinaryArray b] when b.Type.Id == Columnar.Types.TypeId.Utf8 => new Utf8Indexer(),
        { Count: > 1 } => new CompositeIndexer(sample.Count),
        _ => new GenericIndexer(),
    };

    /// <summary>Several keys: each column gets its own typed indexer (dense ids per distinct value), and the ids are
    /// combined column by column through tables of (ids so far, next column's id) pairs packed into one int64, so no
    /// row allocates. A group's key values are recovered by unpacking its pairs.</summary>
    private sealed class CompositeIndexer(int width) : GroupIndexer
    {
        private readonly GroupIndexer?[] _columns = new GroupIndexer?[width];
        private readonly Dictionary<long, int>[] _pairs = Enumerable.Range(0, width - 1).Select(_ => new Dictionary<long, int>(PairHash.Instance)).ToArray();
        private readonly List<(int Left, int Right)>[] _parts = Enumerable.Range(0, width - 1).Select(_ => new List<(int, int)>()).ToArray();
        private int[] _current = [], _next = [];

        /// <summary>Ids below this on both sides of a pair are looked up in a direct table (1 M entries, 4 MB).</summary>
        private const int DirectSide = 1024;
        private readonly int[]?[] _direct = new int[]?[width - 1];
        private const long DirectAfterRows = 1 << 16;
        private long _rows;

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            int n = ids.Length;
            if (_current.Length < n) { _current = new int[n]; _next = new int[n]; }
            var current = _current.AsSpan(0, n);
            var next = _next.AsSpan(0, n);
            (_columns[0] ??= For([keys[0]])).Assign([keys[0]], current);
            // The direct tables pay for themselves only over many rows.
            _rows += n;
            bool large = _rows >= DirectAfterRows;
            for (int c = 1; c < width; c++)
            {
                (_columns[c] ??= For([keys[c]])).Assign([keys[c]], next);
                var pairs = _pairs[c - 1];
                var parts = _parts[c - 1];
                var direct = _direct[c - 1];
                for (int i = 0; i < n; i++)
                {
                    // Pairs of small ids (the usual case: a few hundred values per column) are found in a direct table;
                    // the dictionary holds every pair and serves the rest.
                    int left = current[i], right = next[i];
                    bool small = large && (left | right) < DirectSide;
                    if (small)
                    {
                        direct ??= _direct[c - 1] = new int[DirectSide * DirectSide];
                        int known = direct[left * DirectSide + right];
                        if (known > 0) { current[i] = known - 1; continue; }
                    }
                    long packed = ((long)left << 32) | (uint)right;
                    if (!pairs.TryGetValue(packed, out int id))
                    {
                        pairs[packed] = id = parts.Count;
                        parts.Add((left, right));
                    }
                    if (small) direct![left * DirectSide + right] = id + 1;
                    current[i] = id;
                }
            }
            for (int i = 0; i < n; i++)
            {
                ids[i] = current[i];
                while (Keys.Count <= current[i]) Keys.Add(Values(Keys.Count));
            }
        }

        private object?[] Values(int id)
        {
            var values = new object?[width];
            for (int c = width - 1; c >= 1; c--)
            {
                var (left, right) = _parts[c - 1][id];
                values[c] = _columns[c]!.Key(right, 0);
                id = left;
            }
            values[0] = _columns[0]!.Key(id, 0);
            return values;
        }
    }

    /// <summary>A dictionary-encoded key: each dictionary value gets its group id once (through the indexer for the
    /// value type, which owns the groups), and rows then map index → group id through a table, with no hashing per
    /// row. Plain batches of the same column (storage written before encoding, or decoded elsewhere) go straight to
    /// the value indexer, so both kinds of batch share the groups.</summary>
    private sealed class DictionaryIndexer : GroupIndexer
    {
        private GroupIndexer? _values;
        private ArrayData? _dictionary;
        private int[] _map = []; // group id + 1 of each dictionary index, 0 while unknown
        private int[] _scratch = [];

        public override List<object?[]> Keys => _values?.Keys ?? base.Keys;

        public override int Count => _values?.Count ?? 0;

        public override object? Key(int id, int column) => _values!.Key(id, column);

        public override ArrowArray? KeyColumn(Columnar.Types.DataType type) => _values?.KeyColumn(type);

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            if (keys[0] is not DictionaryArray d)
            {
                (_values ??= For(keys)).Assign(keys, ids);
                return;
            }
            _values ??= For([d.Dictionary]);
            if (!ReferenceEquals(d.Dictionary.Data, _dictionary)) { _dictionary = d.Dictionary.Data; _map = new int[d.Dictionary.Length]; }
            var indices = Vectors.IndexSpan(d);
            bool nulls = d.NullCount > 0;
            // First the dictionary values not seen yet, all at once through the value indexer.
            var missing = new List<int>();
            for (int i = 0; i < ids.Length; i++)
            {
                if (nulls && d.IsNull(i)) continue;
                int k = indices[i];
                if (_map[k] == 0) { _map[k] = -1; missing.Add(k); }
            }
            if (missing.Count > 0)
            {
                if (_scratch.Length < missing.Count) _scratch = new int[missing.Count];
                var found = _scratch.AsSpan(0, missing.Count);
                _values.Assign([Kernels.Gather.Rows(d.Dictionary, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(missing))], found);
                for (int j = 0; j < missing.Count; j++) _map[missing[j]] = found[j] + 1;
            }
            int nullId = -1;
            if (nulls)
            {
                Span<int> one = stackalloc int[1];
                _values.Assign([Columnar.Builders.ArrayBuilder.Nulls(d.Dictionary.Type, 1)], one);
                nullId = one[0];
            }
            var map = _map;
            for (int i = 0; i < ids.Length; i++)
                ids[i] = nulls && d.IsNull(i) ? nullId : map[indices[i]] - 1;
        }
    }

    private sealed class GenericIndexer : GroupIndexer
    {
        private readonly Dictionary<RowKey, int> _ids = [];

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                var key = RowKey.Of(keys, i);
                if (!_ids.TryGetValue(key, out int id)) { _ids[key] = id = Keys.Count; Keys.Add(key.Values); }
                ids[i] = id;
            }
        }
    }

    /// <summary>int64 keys. Keys within a narrow range of values (a month, a bucket number) are looked up in a direct
    /// table indexed by value − low bound, the way a perfect hash would; the hash table stays the record of every key
    /// and serves batches whose values spread wider.</summary>
    private sealed class Int64Indexer : GroupIndexer
    {
        /// <summary>The widest value range the direct table may always cover (4 MB of ids); wider ranges, up to 64 MB of
        /// ids, while the keys fill at least 1/16 of it (order keys 1…6,000,000 grouped: 1.5 million of them).</summary>
        private const long DirectSpan = 1 << 20, DenseSpan = 1 << 24;

        private long Allowed(int batch) => Math.Max(DirectSpan, Math.Min(DenseSpan, 16L * (Count + batch)));
        // Keys inside the direct table's range are found there only; the hash table holds the others.
        private readonly Dictionary<long, int> _ids = [];
        private readonly List<long> _keys = []; // by group id (the NULL group's slot is unused)
        private int _null = -1;
        private long _low;
        private int[] _direct = []; // id + 1 of the key _low + i, 0 when not seen yet

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            if (keys[0] is not PrimitiveArray<long> a) { Fallback(keys, ids); return; }
            var values = a.Values;
            bool noNulls = a.NullCount == 0;
            if (Range(a) is var (min, max) && Cover(min, max, Allowed(ids.Length)))
            {
                var direct = _direct;
                long low = _low;
                for (int i = 0; i < ids.Length; i++)
                {
                    if (!noNulls && a.IsNull(i)) { ids[i] = NullId(); continue; }
                    ref int slot = ref direct[values[i] - low];
                    if (slot == 0) slot = New(values[i]) + 1;
                    ids[i] = slot - 1;
                }
                return;
            }
            for (int i = 0; i < ids.Length; i++)
                ids[i] = !noNulls && a.IsNull(i) ? NullId() : Lookup(values[i]);
        }

        public override int Count => _keys.Count;

        public override object? Key(int id, int column) => id == _null ? null : _keys[id];

        public override ArrowArray? KeyColumn(Columnar.Types.DataType type)
        {
            if (type.Id != Columnar.Types.TypeId.Int64) return null;
            var values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_keys).ToArray();
            if (_null < 0) return Kernels.Vectors.Make(type, values, Columnar.Memory.ArrowBuffer.Empty, 0);
            var valid = new byte[Columnar.Memory.BitUtil.BytesFor(values.Length)];
            Array.Fill(valid, (byte)0xFF);
            Columnar.Memory.BitUtil.SetBit(valid, _null, false);
            return Kernels.Vectors.Make(type, values, Columnar.Memory.ArrowBuffer.Copy(valid), 1);
        }

        private int New(long v)
        {
            _keys.Add(v);
            return _keys.Count - 1;
        }

        private int NullId()
        {
            if (_null < 0) _null = New(0);
            return _null;
        }

        private int Lookup(long v)
        {
            Int128 at = (Int128)v - _low;
            if (_direct.Length > 0 && at >= 0 && at < _direct.Length)
            {
                ref int slot = ref _direct[(int)at];
                if (slot == 0) slot = New(v) + 1;
                return slot - 1;
            }
            if (!_ids.TryGetValue(v, out int id)) _ids[v] = id = New(v);
            return id;
        }

        /// <summary>The smallest and largest non-NULL value, or null when there is none.</summary>
        private static (long Min, long Max)? Range(PrimitiveArray<long> a)
        {
            var values = a.Values;
            long min = long.MaxValue, max = long.MinValue;
            if (a.NullCount == 0)
            {
                if (values.IsEmpty) return null;
                (min, max) = (System.Numerics.Tensors.TensorPrimitives.Min(values), System.Numerics.Tensors.TensorPrimitives.Max(values));
            }
            else
            {
                for (int i = 0; i < values.Length; i++)
                    if (a.IsValid(i)) { min = Math.Min(min, values[i]); max = Math.Max(max, values[i]); }
            }
            return min > max ? null : (min, max);
        }

        /// <summary>Widens the direct table to cover [min, max] when the result stays within <paramref name="span"/>;
        /// false when it would not (the batch then uses the hash table).</summary>
        private bool Cover(long min, long max, long span)
        {
            // Differences in 128 bits: keys may span the whole int64 range.
            if ((Int128)max - min >= span) return false;
            if (_direct.Length == 0) { _low = min; _direct = new int[(int)(max - min + 1)]; Absorb(); return true; }
            long high = _low + _direct.Length - 1;
            if (min >= _low && max <= high) return true;
            long low = Math.Min(min, _low), top = Math.Max(max, high);
            if ((Int128)top - low >= span) return false;
            // Grow geometrically (up to the span), so a key range met batch by batch is copied O(log) times.
            // Never past long.MaxValue: the table's last slot must stay a representable key.
            long size = (long)Int128.Min((Int128)long.MaxValue - low + 1, Math.Min(span, Math.Max(top - low + 1, 2L * _direct.Length)));
            var wider = new int[(int)size];
            _direct.CopyTo(wider, (int)(_low - low));
            (_low, _direct) = (low, wider);
            Absorb();
            return true;
        }

        /// <summary>Moves the hash table's keys that the direct table now covers into it, so each key has one home.</summary>
        private void Absorb()
        {
            if (_ids.Count == 0) return;
            List<long>? moved = null;
            foreach (var (v, id) in _ids)
            {
                Int128 at = (Int128)v - _low;
                if (at < 0 || at >= _direct.Length) continue;
                _direct[(int)at] = id + 1;
                (moved ??= []).Add(v);
            }
            if (moved is not null) foreach (var v in moved) _ids.Remove(v);
        }

        private void Fallback(IReadOnlyList<ArrowArray> keys, Span<int> ids) =>
            throw new InvalidOperationException($"group key changed type to {keys[0].Type}");
    }

    /// <summary>Text keys hashed and compared as UTF-8 bytes (<see cref="Utf8KeyTable"/>): no string is made per row,
    /// only one per new group (for its key value).</summary>
    private sealed class Utf8Indexer : GroupIndexer
    {
        private readonly Utf8KeyTable _table = new();
        private readonly List<int> _ids = [];
        private int _null = -1;

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            var a = (BinaryArray)Kernels.Vectors.Plain(keys[0]);
            bool nulls = a.NullCount > 0;
            for (int i = 0; i < ids.Length; i++)
            {
                if (nulls && a.IsNull(i))
                {
                    if (_null < 0) { _null = Keys.Count; Keys.Add([null]); }
                    ids[i] = _null;
                    continue;
                }
                var bytes = a.GetBytes(i);
                int e = _table.FindOrAdd(bytes, out bool added);
                if (added)
                {
                    _ids.Add(Keys.Count);
                    Keys.Add([Encoding.UTF8.GetString(bytes)]);
                }
                ids[i] = _ids[e];
            }
        }
    }
}
