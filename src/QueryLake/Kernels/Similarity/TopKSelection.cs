namespace QueryLake.Kernels.Similarity;

/// <summary>Keeps the k smallest (distance, row) pairs seen, in a bounded max-heap; ties go to the smaller row, NaN
/// distances are skipped. Shared by every backend, so they order and break ties the same way.</summary>
internal sealed class TopKSelection(int k)
{
    private readonly (float Distance, int Row)[] _heap = new (float, int)[Math.Max(0, k)];
    private int _count;

    /// <summary>Whether (a, b) is nearer than (c, d).</summary>
    private static bool Before(float a, int b, float c, int d) => a < c || (a == c && b < d);

    public void Offer(float distance, int row)
    {
        if (float.IsNaN(distance) || _heap.Length == 0) return;
        if (_count < _heap.Length)
        {
            _heap[_count] = (distance, row);
            Up(_count++);
        }
        else if (Before(distance, row, _heap[0].Distance, _heap[0].Row))
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
            if (!Before(_heap[parent].Distance, _heap[parent].Row, _heap[i].Distance, _heap[i].Row)) break;
            (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
            i = parent;
        }
    }

    private void Down(int i)
    {
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < _count && Before(_heap[worst].Distance, _heap[worst].Row, _heap[l].Distance, _heap[l].Row)) worst = l;
            if (r < _count && Before(_heap[worst].Distance, _heap[worst].Row, _heap[r].Distance, _heap[r].Row)) worst = r;
            if (worst == i) return;
            (_heap[worst], _heap[i]) = (_heap[i], _heap[worst]);
            i = worst;
        }
    }

    /// <summary>The kept pairs, nearest first.</summary>
    public NearestRows Result()
    {
        var sorted = _heap.AsSpan(0, _count).ToArray();
        Array.Sort(sorted, (x, y) => x.Distance != y.Distance ? x.Distance.CompareTo(y.Distance) : x.Row.CompareTo(y.Row));
        return new NearestRows(sorted.Select(p => p.Row).ToArray(), sorted.Select(p => p.Distance).ToArray());
    }
}
