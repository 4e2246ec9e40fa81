using System.Text;
using QueryLake.Columnar.Arrays;

namespace QueryLake.Execution;

/// <summary>
/// Assigns each row a dense group id by its key values (the hash table of aggregation). A single int64 or
/// utf8 key uses a typed table that allocates nothing per row; several keys combine per-column ids; any other single
/// key uses <see cref="RowKey"/>.
/// NULL is a group of its own, as SQL's GROUP BY requires.
/// </summary>
internal abstract class GroupIndexer
{
    public List<object?[]> Keys { get; } = [];

    public abstract void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids);

    public static GroupIndexer For(IReadOnlyList<ArrowArray> sample) => sample switch
    {
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

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            int n = ids.Length;
            if (_current.Length < n) { _current = new int[n]; _next = new int[n]; }
            var current = _current.AsSpan(0, n);
            var next = _next.AsSpan(0, n);
            (_columns[0] ??= For([keys[0]])).Assign([keys[0]], current);
            for (int c = 1; c < width; c++)
            {
                (_columns[c] ??= For([keys[c]])).Assign([keys[c]], next);
                var pairs = _pairs[c - 1];
                var parts = _parts[c - 1];
                for (int i = 0; i < n; i++)
                {
                    long packed = ((long)current[i] << 32) | (uint)next[i];
                    if (!pairs.TryGetValue(packed, out int id))
                    {
                        pairs[packed] = id = parts.Count;
                        parts.Add((current[i], next[i]));
                    }
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
                values[c] = _columns[c]!.Keys[right][0];
                id = left;
            }
            values[0] = _columns[0]!.Keys[id][0];
            return values;
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

    private sealed class Int64Indexer : GroupIndexer
    {
        private readonly Dictionary<long, int> _ids = [];
        private int _null = -1;

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            if (keys[0] is not PrimitiveArray<long> a) { Fallback(keys, ids); return; }
            var values = a.Values;
            bool noNulls = a.NullCount == 0;
            for (int i = 0; i < ids.Length; i++)
            {
                if (!noNulls && a.IsNull(i))
                {
                    if (_null < 0) { _null = Keys.Count; Keys.Add([null]); }
                    ids[i] = _null;
                    continue;
                }
                long v = values[i];
                if (!_ids.TryGetValue(v, out int id)) { _ids[v] = id = Keys.Count; Keys.Add([v]); }
                ids[i] = id;
            }
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
            var a = (BinaryArray)keys[0];
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
