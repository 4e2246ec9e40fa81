using System.Text;

namespace QueryLake.Display;

/// <summary>Words laid out in columns across a terminal, down each column first, as a shell lists its completions.</summary>
public static class ColumnList
{
    /// <summary>
    /// The lines showing <paramref name="items"/> in as many columns as fit <paramref name="width"/> characters (two
    /// spaces between them); past <paramref name="maxRows"/> rows the list is cut and its last line says how many
    /// more there are.
    /// </summary>
    public static IReadOnlyList<string> Format(IReadOnlyList<string> items, int width, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return [];
        width = Math.Max(width, 1);
        maxRows = Math.Max(maxRows, 1);
        int cell = items.Max(s => s.Length) + 2;
        int columns = Math.Max(1, (width + 2) / cell);
        int rows = (items.Count + columns - 1) / columns;
        int shownRows = rows <= maxRows ? rows : maxRows - 1;
        // Cut lists fill whole rows across, so the words shown are the first ones in order.
        int shown = rows <= maxRows ? items.Count : Math.Max(0, shownRows * columns);
        if (rows > maxRows) rows = shownRows;
        var lines = new List<string>(rows + 1);
        var line = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            line.Clear();
            for (int c = 0; c < columns; c++)
            {
                int i = shown == items.Count ? c * rows + r : r * columns + c;
                if (i >= shown) break;
                if (c > 0) line.Append(' ', c * cell - line.Length);
                line.Append(items[i]);
            }
            lines.Add(line.ToString());
        }
        if (shown < items.Count) lines.Add($"… {items.Count - shown} more");
        return lines;
    }
}
