using System.Numerics;
using System.Runtime.Intrinsics;

namespace QueryLake.Kernels;

/// <summary>Collects, in one pass over int64 or float64 keys arriving block by block, the rows that can be among the best
/// <c>keep</c> by key (highest when descending): every row whose key is at least as good as the keep-th best key seen,
/// ties included, and every row with a NaN key (the caller marks NULL keys NaN; their place depends on NULLS
/// FIRST/LAST and is left to the full comparison, so the caller offers them with <see cref="AddAlways"/> or as NaN). Keys that beat the current threshold collect in a buffer; when it
/// fills, the keep best of it are found in linear time, the threshold rises to the worst of them and the rest are
/// dropped. Blocks of keys none of which can reach the threshold are skipped whole. The result is a superset of the
/// best keep rows, so the caller's exact selection over it gives the same answer as over every row: a top-k fused with
/// the kernel that computes its key never materializes the key for every row.</summary>
internal sealed class BestRows<T> where T : unmanaged, INumber<T>
{
    private readonly int _keep;
    private readonly bool _descending;
    private T[] _keys, _scratch;
    private int[] _rows;
    private int _count;
    private bool _full; // the threshold is set: keep keys at least as good as it were seen
    private T _threshold;
    private List<int>? _always;

    public BestRows(int keep, bool descending)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keep);
        (_keep, _descending) = (keep, descending);
        int capacity = Math.Max(4 * keep, 256);
        (_keys, _scratch, _rows) = (new T[capacity], new T[capacity], new int[capacity]);
    }

    /// <summary>Offers the keys of rows <paramref name="firstRow"/>, <paramref name="firstRow"/> + 1, ….</summary>
    public void Add(ReadOnlySpan<T> keys, int firstRow)
    {
        // A block without NaN and without a key as good as the threshold holds no candidate: skipped with one vector
        // compare, at the widest width the CPU has (512, 256 or 128 bits); the row loop is the reference.
        int i = 0;
        if (_full && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int width = Vector512<T>.Count;
            var t = Vector512.Create(_threshold);
            for (; i + width <= keys.Length; i += width)
            {
                var block = Vector512.Create(keys.Slice(i, width));
                if (Vector512.EqualsAll(block, block) && !(_descending ? Vector512.GreaterThanOrEqualAny(block, t) : Vector512.LessThanOrEqualAny(block, t))) continue;
                for (int j = i; j < i + width; j++) Add(keys[j], firstRow + j);
            }
        }
        else if (_full && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int width = Vector256<T>.Count;
            var t = Vector256.Create(_threshold);
            for (; i + width <= keys.Length; i += width)
            {
                var block = Vector256.Create(keys.Slice(i, width));
                if (Vector256.EqualsAll(block, block) && !(_descending ? Vector256.GreaterThanOrEqualAny(block, t) : Vector256.LessThanOrEqualAny(block, t))) continue;
                for (int j = i; j < i + width; j++) Add(keys[j], firstRow + j);
            }
        }
        else if (_full && Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            int width = Vector128<T>.Count;
            var t = Vector128.Create(_threshold);
            for (; i + width <= keys.Length; i += width)
            {
                var block = Vector128.Create(keys.Slice(i, width));
                if (Vector128.EqualsAll(block, block) && !(_descending ? Vector128.GreaterThanOrEqualAny(block, t) : Vector128.LessThanOrEqualAny(block, t))) continue;
                for (int j = i; j < i + width; j++) Add(keys[j], firstRow + j);
            }
        }
        for (; i < keys.Length; i++) Add(keys[i], firstRow + i);
    }

    /// <summary>A row that is always a candidate (a NULL key).</summary>
    public void AddAlways(int row) => (_always ??= []).Add(row);

    /// <summary>Offers one row's key.</summary>
    public void Add(T x, int row)
    {
        if (T.IsNaN(x)) { AddAlways(row); return; }
        if (_full && (_descending ? x < _threshold : x > _threshold)) return;
        if (_count == _keys.Length) Narrow();
        _keys[_count] = x;
        _rows[_count++] = row;
    }

    /// <summary>Adds another collector's candidates (rows of the same numbering).</summary>
    public void Merge(BestRows<T> other)
    {
        for (int k = 0; k < other._count; k++) Add(other._keys[k], other._rows[k]);
        if (other._always is { } always) (_always ??= []).AddRange(always);
    }

    /// <summary>The candidate rows, ascending.</summary>
    public int[] Rows()
    {
        if (_count > _keep) Narrow();
        var result = new int[_count + (_always?.Count ?? 0)];
        _rows.AsSpan(0, _count).CopyTo(result);
        _always?.CopyTo(result, _count);
        Array.Sort(result);
        return result;
    }

    /// <summary>Raises the threshold to the keep-th best buffered key and drops the buffered keys worse than it.</summary>
    private void Narrow()
    {
        if (_count <= _keep) return;
        _keys.AsSpan(0, _count).CopyTo(_scratch);
        T t = SelectBest(_scratch.AsSpan(0, _count), _keep, _descending);
        int w = 0;
        for (int r = 0; r < _count; r++)
            if (_descending ? _keys[r] >= t : _keys[r] <= t)
            {
                _keys[w] = _keys[r];
                _rows[w++] = _rows[r];
            }
        (_count, _threshold, _full) = (w, t, true);
        if (_count > _keys.Length / 2)
        {
            // Many keys tie with the threshold: they all stay candidates, so the buffer grows.
            Array.Resize(ref _keys, 2 * _keys.Length);
            Array.Resize(ref _rows, _keys.Length);
            _scratch = new T[_keys.Length];
        }
    }

    /// <summary>Moves the <paramref name="keep"/> best values to the front (in any order) and returns the worst of
    /// them: quickselect with a median-of-three pivot, expected linear time. No value may be NaN.</summary>
    public static T SelectBest(Span<T> values, int keep, bool descending)
    {
        int lo = 0, hi = values.Length - 1, target = keep - 1;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            // Median of three as the pivot.
            T a = values[lo], b = values[mid], c = values[hi];
            T pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) : ((a < c) ? a : (b < c ? c : b));
            int i = lo, j = hi;
            while (i <= j)
            {
                while (Better(values[i], pivot, descending)) i++;
                while (Better(pivot, values[j], descending)) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else break;
        }
        // The front keep values are the best; the worst of them is the threshold.
        T worst = values[0];
        for (int r = 1; r < keep; r++)
            if (Better(worst, values[r], descending)) worst = values[r];
        return worst;
    }

    private static bool Better(T x, T y, bool descending) => descending ? x > y : x < y;
}
