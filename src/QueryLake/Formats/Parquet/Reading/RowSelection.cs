namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Rows of a row group as sorted, disjoint ranges [start, end).</summary>
internal sealed class RowSelection(IReadOnlyList<(long Start, long End)> ranges)
{
    public IReadOnlyList<(long Start, long End)> Ranges { get; } = ranges;

    public bool IsEmpty => Ranges.Count == 0;

    public int Count => (int)Ranges.Sum(r => r.End - r.Start);

    public static RowSelection All(long rows) => new([(0, rows)]);

    public bool SameAs(RowSelection other) => Ranges.SequenceEqual(other.Ranges);

    /// <summary>The selected rows' numbers.</summary>
    public int[] Rows()
    {
        var rows = new int[Count];
        int k = 0;
        foreach (var (s, e) in Ranges) for (long r = s; r < e; r++) rows[k++] = (int)r;
        return rows;
    }

    /// <summary>Where each row of <paramref name="selection"/> (a subset of this) sits among this selection's rows.</summary>
    public int[] PositionsOf(RowSelection selection)
    {
        var result = new int[selection.Count];
        int k = 0, ri = 0;
        long before = 0;
        foreach (var (s, e) in selection.Ranges)
            for (long r = s; r < e; r++)
            {
                while (ri < Ranges.Count && Ranges[ri].End <= r) { before += Ranges[ri].End - Ranges[ri].Start; ri++; }
                if (ri == Ranges.Count || r < Ranges[ri].Start) throw new ParquetFormatException("a page selection does not cover the rows it should");
                result[k++] = (int)(before + r - Ranges[ri].Start);
            }
        return result;
    }

    public RowSelection Intersect(RowSelection other)
    {
        var result = new List<(long, long)>();
        int i = 0, j = 0;
        while (i < Ranges.Count && j < other.Ranges.Count)
        {
            long s = Math.Max(Ranges[i].Start, other.Ranges[j].Start), e = Math.Min(Ranges[i].End, other.Ranges[j].End);
            if (s < e) result.Add((s, e));
            if (Ranges[i].End < other.Ranges[j].End) i++; else j++;
        }
        return new RowSelection(result);
    }

    /// <summary>Builds a selection from ranges in order, merging neighbours.</summary>
    public static RowSelection Of(IEnumerable<(long Start, long End)> ranges)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var r in ranges)
        {
            if (r.End <= r.Start) continue;
            if (merged.Count > 0 && merged[^1].End >= r.Start) merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, r.End));
            else merged.Add(r);
        }
        return new RowSelection(merged);
    }
}
