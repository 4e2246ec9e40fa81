using System.Text;
using QueryLake.Columnar.Arrays;

namespace QueryLake.Execution;

/// <summary>
/// Assigns each row a dense group id by its key values (the hash table of aggregation). A single int64 or
/// utf8 key uses a typed table that allocates nothing per row; other keys use <see cref="RowKey"/>.
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
        _ => new GenericIndexer(),
    };

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

    private sealed class Utf8Indexer : GroupIndexer
    {
        private readonly Dictionary<string, int> _ids = [];
        private int _null = -1;
        private char[] _chars = new char[256];

        public override void Assign(IReadOnlyList<ArrowArray> keys, Span<int> ids)
        {
            var a = (BinaryArray)keys[0];
            var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
            for (int i = 0; i < ids.Length; i++)
            {
                if (a.IsNull(i))
                {
                    if (_null < 0) { _null = Keys.Count; Keys.Add([null]); }
                    ids[i] = _null;
                    continue;
                }
                var bytes = a.GetBytes(i);
                if (_chars.Length < bytes.Length) _chars = new char[bytes.Length * 2];
                int n = Encoding.UTF8.GetChars(bytes, _chars);
                var chars = _chars.AsSpan(0, n);
                if (!lookup.TryGetValue(chars, out int id))
                {
                    var s = new string(chars);
                    _ids[s] = id = Keys.Count;
                    Keys.Add([s]);
                }
                ids[i] = id;
            }
        }
    }
}
