using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;

namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>
/// The hash table of a hash join: build-side rows by key. A single int64 or utf8 key uses a typed table that
/// allocates nothing per probe; other keys use <see cref="RowKey"/>. NULL keys never match. Once built, a table is
/// only read, so probes may run on several threads at once.
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

    /// <summary>Text keys as UTF-8 bytes (<see cref="Utf8KeyTable"/>); probes are read-only, so batches probe it in
    /// parallel.</summary>
    private sealed class Utf8Table : JoinTable
    {
        private readonly Utf8KeyTable _keys = new();
        private readonly List<List<Gather.Pick>> _rows = [];

        protected override void Add(ArrowArray[] keys, int row, Gather.Pick pick)
        {
            if (!keys[0].IsValid(row)) return;
            int e = _keys.FindOrAdd(((BinaryArray)keys[0]).GetBytes(row), out bool added);
            if (added) _rows.Add([]);
            _rows[e].Add(pick);
        }

        public override List<Gather.Pick>? Probe(ArrowArray[] keys, int row)
        {
            if (keys[0] is not BinaryArray a || a.IsNull(row)) return null;
            int e = _keys.Find(a.GetBytes(row));
            return e < 0 ? null : _rows[e];
        }
    }
}
