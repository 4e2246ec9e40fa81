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

    /// <summary>The keys of every group as one array per key column of <paramref name="types"/>, when the indexer holds
    /// them typed; null otherwise (the caller builds the columns from <see cref="Key"/>).</summary>
    public virtual ArrowArray[]? KeyColumns(IReadOnlyList<Columnar.Types.DataType> types) =>
        types.Count == 1 && KeyColumn(types[0]) is { } column ? [column] : null;

    public abstract void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids);

    /// <summary>Finds each row's group without adding any: the id, or −1 for a key no group has (a hash aggregation
    /// that spills sends those rows to disk). Keys of the same types as <see cref="Assign"/> was given.</summary>
    public abstract void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids);

    public static GroupIndexer For(IReadOnlyList<ArrowArray> sample) => sample switch
    {
        [DictionaryArray] => new DictionaryIndexer(),
        [PrimitiveArray<long> l] when l.Type.Id == Columnar.Types.TypeId.Int64 => new Int64Indexer(),
        [BinaryArray b] when b.Type.Id == Columnar.Types.TypeId.Utf8 => new Utf8Indexer(),
        { Count: > 1 } => DependentIndexer.Determinant(sample) is { } d ? new DependentIndexer(sample.Count, d) : new CompositeIndexer(sample.Count),
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

        public override void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            int n = ids.Length;
            if (_current.Length < n) { _current = new int[n]; _next = new int[n]; }
            var current = _current.AsSpan(0, n);
            var next = _next.AsSpan(0, n);
            if (_columns[0] is not { } first) { ids.Fill(-1); return; }
            first.Probe([keys[0]], current);
            for (int c = 1; c < width; c++)
            {
                if (_columns[c] is not { } column) { ids.Fill(-1); return; }
                column.Probe([keys[c]], next);
                var pairs = _pairs[c - 1];
                for (int i = 0; i < n; i++)
                {
                    if (current[i] < 0) continue;
                    if (next[i] < 0) { current[i] = -1; continue; }
                    current[i] = pairs.TryGetValue(((long)current[i] << 32) | (uint)next[i], out int id) ? id : -1;
                }
            }
            current.CopyTo(ids);
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

    /// <summary>
    /// Several keys where one int64 column usually determines the others (GROUP BY c_custkey, c_name, c_address, …: a
    /// key and the columns of its row). Rows are numbered by that column alone (the int64 indexer), and each of its
    /// values remembers the other columns' values of the first row that had it; a row whose other values are the same
    /// gets that group, found with one int64 lookup and a comparison per column (for dictionary-encoded text, of the
    /// dictionary index first). A row that differs is numbered by a composite indexer over all columns instead, so every
    /// distinct combination still gets exactly one group: the remembered one, or one of its own. The determinant is the
    /// int64 column with the most distinct values in the first batch; the other columns must be numbers, dates,
    /// timestamps or text (their equality as grouping defines it: NULL equals NULL, −0.0 equals 0.0, NaN equals NaN).
    /// </summary>
    private sealed class DependentIndexer(int width, int determinant) : GroupIndexer
    {
        private readonly Int64Indexer _primary = new();
        private readonly List<int> _primaryGroup = [];   // primary id → group id
        private readonly Remembered[] _columns = Enumerable.Range(0, width).Select(c => c == determinant ? null! : new Remembered()).ToArray();
        private CompositeIndexer? _other;
        private readonly List<int> _otherGroup = [];     // composite id → group id
        private readonly List<int> _origin = [];         // group id → primary id (≥ 0) or −1 − composite id
        private int[] _scratch = [];

        /// <summary>The int64 column with the most distinct values in <paramref name="sample"/> when every other column
        /// can be remembered; null otherwise.</summary>
        public static int? Determinant(IReadOnlyList<ArrowArray> sample)
        {
            int? best = null;
            int most = 0;
            for (int c = 0; c < sample.Count; c++)
            {
                if (sample[c] is not PrimitiveArray<long> { Type.Id: Columnar.Types.TypeId.Int64 } a) continue;
                var values = a.Values;
                var distinct = new HashSet<long>();
                for (int i = 0; i < Math.Min(values.Length, 4096); i++) distinct.Add(values[i]);
                if (best is null || distinct.Count > most) (best, most) = (c, distinct.Count);
            }
            // Only a column with many values can fix the others (a size with eight values cannot fix a brand).
            if (best is not { } d || most * 4 < Math.Min(sample[d].Length, 4096)) return null;
            for (int c = 0; c < sample.Count; c++)
                if (c != d && !Remembered.Supports(sample[c])) return null;
            return d;
        }

        public override int Count => _origin.Count;

        public override object? Key(int id, int column)
        {
            int origin = _origin[id];
            if (origin < 0) return _other!.Key(-1 - origin, column);
            return column == determinant ? _primary.Key(origin, 0) : _columns[column].Value(origin);
        }

        /// <summary>Typed columns while every group is a primary one (then group id = primary id).</summary>
        public override ArrowArray[]? KeyColumns(IReadOnlyList<Columnar.Types.DataType> types)
        {
            if (_otherGroup.Count > 0 || _primary.KeyColumn(types[determinant]) is not { } keys) return null;
            var columns = new ArrowArray[width];
            for (int c = 0; c < width; c++)
                if ((columns[c] = c == determinant ? keys : _columns[c].Column(types[c])!) is null) return null;
            return columns;
        }

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            int n = ids.Length;
            if (_scratch.Length < n) _scratch = new int[n];
            var primary = _scratch.AsSpan(0, n);
            _primary.Assign([keys[determinant]], primary);
            for (int c = 0; c < width; c++)
                if (c != determinant && !_columns[c].Bind(keys[c])) throw new InvalidOperationException($"group key changed type to {keys[c].Type}");
            List<int>? differ = null;
            for (int i = 0; i < n; i++)
            {
                int p = primary[i];
                if (p == _primaryGroup.Count)
                {
                    // A new value of the determinant: the row's values are the group's.
                    for (int c = 0; c < width; c++) if (c != determinant) _columns[c].Remember(i);
                    _primaryGroup.Add(_origin.Count);
                    _origin.Add(p);
                    ids[i] = _primaryGroup[p];
                    continue;
                }
                bool same = true;
                for (int c = 0; c < width && same; c++) if (c != determinant) same = _columns[c].Same(i, p);
                if (same) ids[i] = _primaryGroup[p];
                else (differ ??= []).Add(i);
            }
            if (differ is null) return;
            // Rows unlike their determinant's first row: numbered by all their values.
            var rows = differ.ToArray();
            var picked = keys.Select(k => Gather.Rows(k, rows)).ToArray();
            var other = new int[rows.Length];
            (_other ??= new CompositeIndexer(width)).Assign(picked, other);
            for (int j = 0; j < rows.Length; j++)
            {
                int o = other[j];
                while (_otherGroup.Count <= o) { _origin.Add(-1 - _otherGroup.Count); _otherGroup.Add(_origin.Count - 1); }
                ids[rows[j]] = _otherGroup[o];
            }
        }

        public override void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            int n = ids.Length;
            if (_scratch.Length < n) _scratch = new int[n];
            var primary = _scratch.AsSpan(0, n);
            _primary.Probe([keys[determinant]], primary);
            for (int c = 0; c < width; c++)
                if (c != determinant && !_columns[c].Bind(keys[c])) throw new InvalidOperationException($"group key changed type to {keys[c].Type}");
            List<int>? differ = null;
            for (int i = 0; i < n; i++)
            {
                int p = primary[i];
                bool same = p >= 0;
                for (int c = 0; c < width && same; c++) if (c != determinant) same = _columns[c].Same(i, p);
                if (same) ids[i] = _primaryGroup[p];
                else if (_other is null) ids[i] = -1;
                else (differ ??= []).Add(i);
            }
            if (differ is null) return;
            var rows = differ.ToArray();
            var other = new int[rows.Length];
            _other!.Probe(keys.Select(k => Gather.Rows(k, rows)).ToArray(), other);
            for (int j = 0; j < rows.Length; j++) ids[rows[j]] = other[j] < 0 ? -1 : _otherGroup[other[j]];
        }

        /// <summary>One non-determinant column: the value of each primary group's first row, compared as grouping does.</summary>
        private sealed class Remembered
        {
            private readonly List<long> _fixed = [];      // numbers as normalized bits
            private readonly List<Int128> _wide = [];     // DECIMAL
            private readonly List<bool> _null = [];
            private readonly List<int> _start = [];       // text: the bytes of each value in _bytes
            private readonly List<byte> _bytes = [];
            private readonly List<(ArrayData? Dictionary, int Index)> _seen = []; // text: where the value was last met
            private bool _text;

            // The batch being assigned.
            private ArrowArray _column = null!;
            private long[] _batch = [];
            private Int128[] _batchWide = [];
            private BinaryArray? _plain;
            private DictionaryArray? _encoded;
            private BinaryArray? _dictionary;
            private bool _nulls;

            public static bool Supports(ArrowArray a) => a switch
            {
                PrimitiveArray<long> or PrimitiveArray<int> or PrimitiveArray<double> or PrimitiveArray<float> or PrimitiveArray<Int128> => true,
                BinaryArray b => b.Type.Id == Columnar.Types.TypeId.Utf8,
                DictionaryArray d => d.Dictionary is BinaryArray { Type.Id: Columnar.Types.TypeId.Utf8 },
                _ => false,
            };

            /// <summary>Reads a batch's column; false when it is of a kind this column does not hold.</summary>
            public bool Bind(ArrowArray column)
            {
                if (!Supports(column)) return false;
                bool text = column is BinaryArray or DictionaryArray;
                if (_null.Count > 0 && text != _text) return false;
                _text = text;
                _column = column;
                _type ??= column is DictionaryArray encoded ? encoded.Dictionary.Type : column.Type;
                _nulls = column.NullCount > 0;
                (_plain, _encoded, _dictionary) = (column as BinaryArray, column as DictionaryArray, (column as DictionaryArray)?.Dictionary as BinaryArray);
                int n = column.Length;
                switch (column)
                {
                    case PrimitiveArray<Int128> d:
                        if (_batchWide.Length < n) _batchWide = new Int128[n];
                        d.Values.CopyTo(_batchWide);
                        break;
                    case PrimitiveArray<long> l: Bits(l.Values, n, v => v); break;
                    case PrimitiveArray<int> i: Bits(i.Values, n, v => v); break;
                    case PrimitiveArray<double> d: Bits(d.Values, n, v => Normal(v)); break;
                    case PrimitiveArray<float> f: Bits(f.Values, n, v => Normal(v)); break;
                }
                return true;
            }

            private void Bits<T>(ReadOnlySpan<T> values, int n, Func<T, long> bits)
            {
                if (_batch.Length < n) _batch = new long[n];
                for (int i = 0; i < n; i++) _batch[i] = bits(values[i]);
            }

            /// <summary>The bits a double groups by: −0.0 as 0.0, every NaN as one.</summary>
            private static long Normal(double v) => double.IsNaN(v) ? 0x7FF8000000000000L : BitConverter.DoubleToInt64Bits(v == 0 ? 0.0 : v);

            private ReadOnlySpan<byte> Bytes(int row) => _encoded is not null ? _dictionary!.GetBytes(Index(row)) : _plain!.GetBytes(row);

            private int Index(int row) => checked((int)_encoded!.GetIndex(row));

            /// <summary>Remembers row <paramref name="row"/>'s value as the next primary group's.</summary>
            public void Remember(int row)
            {
                bool isNull = _nulls && _column.IsNull(row);
                _null.Add(isNull);
                if (_text)
                {
                    _start.Add(_bytes.Count);
                    if (!isNull) _bytes.AddRange(Bytes(row));
                    _seen.Add(_encoded is null || isNull ? (null, 0) : (_encoded.Dictionary.Data, Index(row)));
                }
                else if (_column is PrimitiveArray<Int128>) _wide.Add(isNull ? 0 : _batchWide[row]);
                else _fixed.Add(isNull ? 0 : _batch[row]);
            }

            /// <summary>Whether row <paramref name="row"/>'s value equals primary group <paramref name="group"/>'s.</summary>
            public bool Same(int row, int group)
            {
                bool isNull = _nulls && _column.IsNull(row);
                if (isNull || _null[group]) return isNull && _null[group];
                if (!_text) return _column is PrimitiveArray<Int128> ? _wide[group] == _batchWide[row] : _fixed[group] == _batch[row];
                if (_encoded is not null)
                {
                    int index = Index(row);
                    var seen = _seen[group];
                    if (seen.Index == index && ReferenceEquals(seen.Dictionary, _encoded.Dictionary.Data)) return true;
                    if (!Stored(group).SequenceEqual(_dictionary!.GetBytes(index))) return false;
                    _seen[group] = (_encoded.Dictionary.Data, index);
                    return true;
                }
                return Stored(group).SequenceEqual(_plain!.GetBytes(row));
            }

            private ReadOnlySpan<byte> Stored(int group)
            {
                int start = _start[group], end = group + 1 < _start.Count ? _start[group + 1] : _bytes.Count;
                return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes)[start..end];
            }

            /// <summary>Primary group <paramref name="group"/>'s value, as the aggregation outputs it.</summary>
            public object? Value(int group) => _null[group] ? null : Column(_type!)!.GetValue(group);

            private Columnar.Types.DataType? _type;
            private ArrowArray? _built;

            /// <summary>Every primary group's value as an array of <paramref name="type"/>; null for a type it does not hold.</summary>
            public ArrowArray? Column(Columnar.Types.DataType type)
            {
                int n = _null.Count;
                if (_built is { } built && built.Length == n && ReferenceEquals(built.Type, type)) return built;
                int nulls = 0;
                var valid = new byte[Columnar.Memory.BitUtil.BytesFor(n)];
                for (int g = 0; g < n; g++) if (_null[g]) nulls++; else Columnar.Memory.BitUtil.SetBit(valid, g, true);
                var validity = nulls == 0 ? Columnar.Memory.ArrowBuffer.Empty : Columnar.Memory.ArrowBuffer.Copy(valid);
                Columnar.Memory.ArrowBuffer[] buffers;
                switch (type.StorageType)
                {
                    case Columnar.Types.VariableBinaryType { IsLarge: false } when _text:
                        var offsets = new int[n + 1];
                        for (int g = 0; g < n; g++) offsets[g] = _start[g];
                        offsets[n] = _bytes.Count;
                        buffers = [validity, Columnar.Memory.ArrowBuffer.Copy<int>(offsets), Columnar.Memory.ArrowBuffer.Copy<byte>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes))];
                        break;
                    case var _ when _text: return null;
                    case Columnar.Types.DecimalType: buffers = [validity, Columnar.Memory.ArrowBuffer.Copy<Int128>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_wide))]; break;
                    case Columnar.Types.PrimitiveType { Id: Columnar.Types.TypeId.Float64 }:
                        buffers = [validity, Columnar.Memory.ArrowBuffer.Copy<long>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_fixed))];
                        break;
                    case Columnar.Types.PrimitiveType { Id: Columnar.Types.TypeId.Float32 }:
                        buffers = [validity, Columnar.Memory.ArrowBuffer.Copy<float>(_fixed.Select(b => (float)BitConverter.Int64BitsToDouble(b)).ToArray())];
                        break;
                    case Columnar.Types.PrimitiveType { ByteWidth: 4 }:
                        buffers = [validity, Columnar.Memory.ArrowBuffer.Copy<int>(_fixed.Select(b => (int)b).ToArray())];
                        break;
                    case Columnar.Types.PrimitiveType { ByteWidth: 8 } or Columnar.Types.TimestampType:
                        buffers = [validity, Columnar.Memory.ArrowBuffer.Copy<long>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_fixed))];
                        break;
                    default: return null;
                }
                return _built = ArrowArray.FromData(new ArrayData(type, n, 0, nulls, buffers));
            }
        }
    }

    /// <summary>A dictionary-encoded key: each dictionary value gets its group id once (through the indexer for the
    /// value type, which owns the groups), and rows then map index → group id through a table, with no hashing per
    /// row. Plain batches of the same column (storage written before encoding, or decoded elsewhere) go straight to
    /// the value indexer, so both kinds of batch share the groups.</summary>
    private sealed partial class DictionaryIndexer : GroupIndexer
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

    private sealed partial class DictionaryIndexer
    {
        public override void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            if (_values is null) { ids.Fill(-1); return; }
            // The values themselves, decoded: probing adds nothing to the dictionary map.
            _values.Probe([Kernels.Vectors.Plain(keys[0])], ids);
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

        public override void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            for (int i = 0; i < ids.Length; i++) ids[i] = _ids.TryGetValue(RowKey.Of(keys, i), out int id) ? id : -1;
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

        public override void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            if (keys[0] is not PrimitiveArray<long> a) { Fallback(keys, ids); return; }
            var values = a.Values;
            bool noNulls = a.NullCount == 0;
            for (int i = 0; i < ids.Length; i++)
            {
                if (!noNulls && a.IsNull(i)) { ids[i] = _null; continue; }
                long v = values[i];
                Int128 at = (Int128)v - _low;
                ids[i] = _direct.Length > 0 && at >= 0 && at < _direct.Length ? _direct[(int)at] - 1
                    : _ids.TryGetValue(v, out int id) ? id : -1;
            }
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

        public override void Probe(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            var a = (BinaryArray)Kernels.Vectors.Plain(keys[0]);
            bool nulls = a.NullCount > 0;
            for (int i = 0; i < ids.Length; i++)
            {
                if (nulls && a.IsNull(i)) { ids[i] = _null; continue; }
                int e = _table.Find(a.GetBytes(i));
                ids[i] = e < 0 ? -1 : _ids[e];
            }
        }
    }
}
