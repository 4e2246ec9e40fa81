using System.Buffers;
namespace QueryLake.Execution.Operators.HashJoin;

/// <summary>The (left row, right row) pairs a probe batch produced, in arrays rented from the shared array pool and
/// returned by <see cref="Dispose"/>: a batch of 64K rows makes about 0.8 MB of pairs, which as fresh lists survived
/// into older generations while several batches were probed at once, and the collections that copied them cost a
/// third of a join's time.</summary>
internal sealed class JoinPairs : IDisposable
{
    private int[] _left;
    private int[] _right;

    public JoinPairs(int capacity)
    {
        _left = ArrayPool<int>.Shared.Rent(Math.Max(16, capacity));
        _right = ArrayPool<int>.Shared.Rent(Math.Max(16, capacity));
    }

    public int Count { get; private set; }

    public Span<int> Left => _left.AsSpan(0, Count);

    /// <summary>The build row of each pair; −1 for none (an outer join's unmatched row).</summary>
    public Span<int> Right => _right.AsSpan(0, Count);

    public void Add(int left, int right)
    {
        if (Count == _left.Length) Grow();
        _left[Count] = left;
        _right[Count] = right;
        Count++;
    }

    /// <summary>Keeps only the pairs at <paramref name="positions"/> (ascending), in order.</summary>
    public void Keep(ReadOnlySpan<int> positions)
    {
        for (int j = 0; j < positions.Length; j++)
        {
            _left[j] = _left[positions[j]];
            _right[j] = _right[positions[j]];
        }
        Count = positions.Length;
    }

    private void Grow()
    {
        var left = ArrayPool<int>.Shared.Rent(_left.Length * 2);
        var right = ArrayPool<int>.Shared.Rent(_right.Length * 2);
        _left.AsSpan(0, Count).CopyTo(left);
        _right.AsSpan(0, Count).CopyTo(right);
        ArrayPool<int>.Shared.Return(_left);
        ArrayPool<int>.Shared.Return(_right);
        (_left, _right) = (left, right);
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_left);
        ArrayPool<int>.Shared.Return(_right);
        (_left, _right, Count) = ([], [], 0);
    }
}
