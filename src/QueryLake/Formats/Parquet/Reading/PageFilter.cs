using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet.Metadata;
using QueryLake.Columnar.Statistics;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Page-level pruning through the page index: each flat column's column index bounds every page; pages a
/// filter rules out drop their rows, and the offset index says which pages of each column hold the rows left.</summary>
internal static class PageFilter
{
    public delegate ColumnStatistics? StatisticOf(LeafColumn leaf, DataType type, byte[]? min, byte[]? max, long? nulls);

    /// <summary>The rows no page statistics rule out; null when no column has a page index (nothing to prune with).</summary>
    public static RowSelection? Select(MappedFile file, RowGroup g, ParquetSchema schema, Func<IPrunable, bool> keep, StatisticOf statistic)
    {
        RowSelection? selection = null;
        foreach (var node in schema.Columns)
        {
            if (node.Kind != SchemaNode.NodeKind.Leaf || node.Leaf!.MaxRep > 0) continue;
            var chunk = g.Columns[node.LeafIndex];
            if (chunk.ColumnIndexOffset is not { } ci || chunk.OffsetIndexOffset is null || chunk.ColumnIndexLength <= 0) continue;
            var index = new PageIndex { Pages = OffsetIndex(file, chunk) };
            index.ReadColumnIndex(Bytes(file, ci, chunk.ColumnIndexLength));
            if (index.Mins is null) continue;
            var kept = new List<(long, long)>();
            for (int p = 0; p < index.Pages.Count; p++)
            {
                long start = index.Pages[p].FirstRow, end = p + 1 < index.Pages.Count ? index.Pages[p + 1].FirstRow : g.NumRows;
                var stat = index.NullPages![p] ? null : statistic(node.Leaf, node.Field.DataType, index.Mins[p], index.Maxes![p], index.NullCounts?[p]);
                var info = new PrunableRange(stat is null ? new Dictionary<string, ColumnStatistics>() : new Dictionary<string, ColumnStatistics> { [node.Field.Name] = stat });
                if (keep(info)) kept.Add((start, end));
            }
            var s = RowSelection.Of(kept);
            selection = selection is null ? s : selection.Intersect(s);
        }
        return selection;
    }

    /// <summary>The data pages of a chunk that hold any selected row, and the rows those pages cover.</summary>
    public static (List<(long Offset, int Size)> Pages, RowSelection Covered) Pages(MappedFile file, ColumnChunk chunk, RowSelection selection, long rows)
    {
        var pages = OffsetIndex(file, chunk);
        var picked = new List<(long, int)>();
        var covered = new List<(long, long)>();
        int si = 0;
        for (int p = 0; p < pages.Count; p++)
        {
            long start = pages[p].FirstRow, end = p + 1 < pages.Count ? pages[p + 1].FirstRow : rows;
            while (si < selection.Ranges.Count && selection.Ranges[si].End <= start) si++;
            if (si < selection.Ranges.Count && selection.Ranges[si].Start < end)
            {
                picked.Add((pages[p].Offset, pages[p].Size));
                covered.Add((start, end));
            }
        }
        return (picked, RowSelection.Of(covered));
    }

    private static List<(long Offset, int Size, long FirstRow)> OffsetIndex(MappedFile file, ColumnChunk chunk) =>
        PageIndex.ReadOffsetIndex(Bytes(file, chunk.OffsetIndexOffset!.Value, chunk.OffsetIndexLength));

    private static ReadOnlySpan<byte> Bytes(MappedFile file, long offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > file.Length) throw new ParquetFormatException($"the page index at [{offset}, {offset + length}) lies outside the file");
        return file.Span(offset, length);
    }
}
