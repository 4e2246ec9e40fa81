using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;

namespace QueryLake.Display;

/// <summary>
/// Results as a box-drawn text table in DuckDB's "duckbox" style (the REPL's table mode and notebooks' plain-text
/// fallback): names and SQL types in the header, numbers right-aligned, wide values clipped, blobs and embeddings
/// summarised, text with line breaks (EXPLAIN's plans) shown whole over several lines. A result longer than the row
/// limit shows its first and last rows around a "·" row; a table wider than the width keeps its first and last
/// columns around a "…" column. A footer counts the rows (and the columns, when some are hidden).
/// </summary>
public static class ResultText
{
    /// <summary>Width at which one line of a cell is clipped.</summary>
    public const int MaxCellWidth = 40;

    /// <summary>A result as a table of at most <paramref name="maxRows"/> rows, at most <paramref name="width"/>
    /// characters wide (a streamed result is read to its end; only the rows shown are kept).</summary>
    public static string Table(QueryResult result, int maxRows = int.MaxValue, int width = int.MaxValue) => Table(result.Schema, result, maxRows, width);

    /// <summary>Batches as a table of at most <paramref name="maxRows"/> rows and <paramref name="width"/> characters.</summary>
    public static string Table(Schema schema, IEnumerable<RecordBatch> batches, int maxRows = int.MaxValue, int width = int.MaxValue)
    {
        var w = new StringWriter();
        Write(w, schema, batches, maxRows, width);
        return w.ToString();
    }

    /// <summary>Writes batches as a table, then a line with the row count. With more rows than
    /// <paramref name="maxRows"/>, the first half and the last half of that many are shown; with a table wider than
    /// <paramref name="width"/>, middle columns are left out.</summary>
    public static void Write(TextWriter w, Schema schema, IEnumerable<RecordBatch> batches, int maxRows = int.MaxValue, int width = int.MaxValue)
    {
        maxRows = Math.Max(1, maxRows);
        int headCount = maxRows == int.MaxValue ? int.MaxValue : (maxRows + 1) / 2, tailCount = maxRows == int.MaxValue ? 0 : maxRows / 2;
        var head = new List<string[]>();
        var tail = new Queue<string[]>();
        long total = 0;
        foreach (var b in batches)
        {
            int r = 0;
            for (; r < b.Length && head.Count < headCount; r++) head.Add(Cells(schema, b, r));
            // Only a batch's last tailCount rows can be among the result's last: the rows before are counted, not formatted.
            for (r = Math.Max(r, b.Length - tailCount); r < b.Length; r++)
            {
                if (tail.Count == tailCount) tail.Dequeue();
                tail.Enqueue(Cells(schema, b, r));
            }
            total += b.Length;
        }
        bool gap = total > head.Count + tail.Count;
        WriteTable(w, schema, head, gap, tail.ToList(), width, out int shownColumns);
        string rows = gap ? $"{total} rows ({head.Count + tail.Count} shown)" : $"{total} row{(total == 1 ? "" : "s")}";
        string columns = shownColumns < schema.Fields.Count ? $"  {schema.Fields.Count} columns ({shownColumns} shown)" : "";
        w.Write(rows + columns);
    }

    private static string[] Cells(Schema schema, RecordBatch b, int r) =>
        b.Columns.Select((c, i) => string.Join('\n', ValueText.Cell(c.GetValue(r), schema.Fields[i].DataType).Split('\n').Select(l => ValueText.Clip(l.TrimEnd('\r'), MaxCellWidth)))).ToArray();

    private static void WriteTable(TextWriter w, Schema schema, List<string[]> head, bool gap, List<string[]> tail, int width, out int shownColumns)
    {
        var all = head.Concat(tail).ToList();
        int n = schema.Fields.Count;
        var names = schema.Fields.Select(f => f.Name).ToArray();
        var types = schema.Fields.Select(f => SqlTypeName.Of(f.DataType)).ToArray();
        var widths = Enumerable.Range(0, n).Select(i => new[] { names[i].Length, types[i].Length }.Concat(all.Select(c => c[i].Split('\n').Max(l => l.Length))).Max()).ToArray();
        var numeric = schema.Fields.Select(f => f.DataType.IsNumeric || f.DataType is DecimalType).ToArray();
        // Columns to show: all that fit, taken from both ends towards the middle; the rest become one "…" column.
        var shown = Fit(widths, width);
        shownColumns = shown.Count(c => c >= 0);
        int[] colWidths = shown.Select(c => c < 0 ? 1 : widths[c]).ToArray();
        string Line(char l, char m, char r) => l + string.Join(m, colWidths.Select(x => new string('─', x + 2))) + r;
        string Cell(string[] values, int c, bool alignNumbers) => shown[c] < 0 ? "…" : alignNumbers && numeric[shown[c]] ? values[shown[c]].PadLeft(colWidths[c]) : values[shown[c]].PadRight(colWidths[c]);
        void Row(string[] values, bool alignNumbers)
        {
            // A cell with line breaks spans several lines; the others are blank below their first line.
            var lines = values.Select(v => v.Split('\n')).ToArray();
            int height = shown.Where(c => c >= 0).Select(c => lines[c].Length).DefaultIfEmpty(1).Max();
            for (int k = 0; k < height; k++)
            {
                var part = lines.Select(l => k < l.Length ? l[k] : "").ToArray();
                w.WriteLine("│" + string.Join("│", Enumerable.Range(0, shown.Length).Select(c => " " + Cell(part, c, alignNumbers && k == 0) + " ")) + "│");
            }
        }
        w.WriteLine(Line('┌', '┬', '┐'));
        Row(names, false);
        Row(types, false);
        w.WriteLine(Line('├', '┼', '┤'));
        foreach (var c in head) Row(c, true);
        if (gap)
        {
            for (int k = 0; k < 3; k++) w.WriteLine("│" + string.Join("│", Enumerable.Range(0, shown.Length).Select(c => " " + (shown[c] < 0 ? " " : "·".PadLeft((colWidths[c] + 1) / 2).PadRight(colWidths[c])) + " ")) + "│");
        }
        foreach (var c in tail) Row(c, true);
        w.WriteLine(Line('└', '┴', '┘'));
    }

    /// <summary>The columns shown, in order, with -1 for the "…" column standing for those left out: every column when
    /// the table fits <paramref name="width"/>, else columns from the left and right ends in turn while they fit.</summary>
    private static int[] Fit(int[] widths, int width)
    {
        int Total(IEnumerable<int> ws) => 1 + ws.Sum(x => x + 3);
        if (width == int.MaxValue || Total(widths) <= width || widths.Length <= 2) return Enumerable.Range(0, widths.Length).ToArray();
        var left = new List<int>();
        var right = new List<int>();
        int l = 0, r = widths.Length - 1;
        int used = Total([1]); // the "…" column
        bool fromLeft = true;
        while (l <= r)
        {
            int c = fromLeft ? l : r;
            if (used + widths[c] + 3 > width && left.Count + right.Count > 0) break;
            used += widths[c] + 3;
            if (fromLeft) { left.Add(l++); } else { right.Insert(0, r--); }
            fromLeft = !fromLeft;
        }
        return l > r ? Enumerable.Range(0, widths.Length).ToArray() : [.. left, -1, .. right];
    }
}
