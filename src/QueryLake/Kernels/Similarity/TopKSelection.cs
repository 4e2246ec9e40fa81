namespace QueryLake.Kernels.Similarity;

/// <summary>Keeps the k nearest (distance, row) pairs seen, in a bounded max-heap, in <see cref="Compare"/> order; NaN
/// distances are skipped, or with <c>nanFirst</c> kept before every other. Shared by every backend, so they order and
/// break ties the same way.</summary>
internal sealed class TopKSelection(int k, bool nanFirst = false)
{
    private readonly (float Distance, int Row)[] _heap = new (float, int)[Math.Max(0, k)];
    private int _count;

    /// <summary>The order of candidates: NaN first (where they are candidates), then by distance, then by row.</summary>
    public static int Compare((float Distance, int Row) x, (float Distance, int Row) y)
    {
        bool xn = float.IsNaN(x.Distance), yn = float.IsNaN(y.Distance);
        int c = xn != yn ? (xn ? -1 : 1) : xn ? 0 : x.Distance.CompareTo(y.Distance);
        return c != 0 ? c : x.Row.CompareTo(y.Row);
    }

    private static bool Before((float, int) x, (float, int) y) => Compare(x, y) < 0;

    public void Offer(float distance, int row)
    {
        if ((float.IsNaN(distance) && !nanFirst) || _heap.Length == 0) return;
        if (_count < _heap.Length)
        {
            _heap[_count] = (distance, row);
            Up(_count++);
        }
        else if (Before((distance, row), _heap[0]))
        {
            _heap[0] = (distance, row);
            Down(0);
        }
    }

    private void Up(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Before(_heap[parent], _heap[i])) break;
            (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
            i = parent;
        }
    }

    private void Down(int i)
    {
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < _count && Before(_heap[worst], _heap[l])) worst = l;
            if (r < _count && Before(_heap[worst], _heap[r])) worst = r;
            if (worst == i) return;
            (_heap[worst], _heap[i]) = (_heap[i], _heap[worst]);
            i = worst;
        }
    }

    /// <summary>The kept pairs, nearest first.</summary>
    public NearestRows Result() => Sorted(_heap.AsSpan(0, _count).ToArray());

    /// <summary>Pairs in <see cref="Compare"/> order, as a result.</summary>
    public static NearestRows Sorted((float Distance, int Row)[] pairs)
    {
        Array.Sort(pairs, Compare);
        return new NearestRows(pairs.Select(p => p.Row).ToArray(), pairs.Select(p => p.Distance).ToArray());
    }
}
