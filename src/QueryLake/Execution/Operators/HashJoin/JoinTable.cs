using System.Text;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// The hash table of a hash join: build-side rows by key. A single int64 or utf8 key uses a typed table that
/// allocates nothing per probe; other keys use <see cref="RowKey"/>. NULL keys never match.
/// </summary>
internal abstract class JoinTable
{
    /// <summary>The build rows whose key equals the probe row's, or null.</summary>
    public abstract List<Gather.Pick>? Probe(ArrowArray[] keys, int row);

    public static JoinTable Build(List<ArrowArray[]> keys, int keyCount)
    {
        if (keyCount == 0) return new GenericTable(); // a cross or non-equi join probes nothing
        JoinTable table = keyCount == 1 && keys.All(k => k[0] is PrimitiveArray<long> && k[0].Type.Id == TypeId.Int64) ? new Int64Table()
            : keyCount == 1 && keys.All(k => k[0] is BinaryArray && k[0].Type.Id == TypeId.Utf8) ? new Utf8Table()
            : new GenericTable();
        for (int b = 0; b < keys.Count; b++)
            for (int r = 0; r < (keys[b].Length == 0 ? 0 : keys[b][0].Length); r++)
                table.Add(keys[b], r, new Gather.Pick(b, r));
        return table;
    }

    protected abstract void Add(ArrowArray[] keys, int row, Gather.Pick pick);

    private static void Insert<TKey>(Dictionary<TKey, List<Gather.Pick>> d, TKey key, Gather.Pick pick) where TKey : notnull
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = [];
        list.Add(pick);
    }

    private sealed class GenericTable : JoinTable
    {
        private readonly Dictionary<RowKey, List<Gather.Pick>> _rows = [];

        protected override void Add(ArrowArray[] keys, int row, Gather.Pick pick)
        {
            var key = RowKey.Of(keys, row);
            if (!key.HasNull) Insert(_rows, key, pick);
        }

        public override List<Gather.Pick>? Probe(ArrowArray[] keys, int row)
        {
            var key = RowKey.Of(keys, row);
            return key.HasNull ? null : _rows.GetValueOrDefault(key);
        }
    }

    private sealed class Int64Table : JoinTable
    {
        private readonly Dictionary<long, List<Gather.Pick>> _rows = [];

        protected override void Add(ArrowArray[] keys, int row, Gather.Pick pick)
        {
            if (keys[0].IsValid(row)) Insert(_rows, ((PrimitiveArray<long>)keys[0])[row], pick);
        }

        public override List<Gather.Pick>? Probe(ArrowArray[] keys, int row) =>
            keys[0] is PrimitiveArray<long> a && a.IsValid(row) ? _rows.GetValueOrDefault(a[row]) : null;
    }

    private sealed class Utf8Table : JoinTable
    {
        private readonly Dictionary<string, List<Gather.Pick>> _rows = [];
        private char[] _chars = new char[256];

        protected override void Add(ArrowArray[] keys, int row, Gather.Pick pick)
        {
            if (keys[0].IsValid(row)) Insert(_rows, ((BinaryArray)keys[0]).GetString(row)!, pick);
        }

        public override List<Gather.Pick>? Probe(ArrowArray[] keys, int row)
        {
            if (keys[0] is not BinaryArray a || a.IsNull(row)) return null;
            var bytes = a.GetBytes(row);
            if (_chars.Length < bytes.Length) _chars = new char[bytes.Length * 2];
            int n = Encoding.UTF8.GetChars(bytes, _chars);
            return _rows.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(_chars.AsSpan(0, n), out var list) ? list : null;
        }
    }
}
