using QueryLake.Columnar;
using QueryLake.Sessions;

namespace QueryLake.Display;

/// <summary>Results as a box-drawn text table (the REPL's table mode and notebooks' plain-text fallback): names and
/// types in the header, wide values clipped, blobs and embeddings summarised, numbers right-aligned.</summary>
public static class ResultText
{
    /// <summary>Width at which cells are clipped.</summary>
    public const int MaxCellWidth = 40;

    /// <summary>A result as a table of at most <paramref name="maxRows"/> rows (a streamed result is read, and only
    /// the rows shown are kept).</summary>
    public static string Table(QueryResult result, int maxRows = int.MaxValue) => Table(result.Schema, result, maxRows);

    /// <summary>Batches as a table of at most <paramref name="maxRows"/> rows.</summary>
    public static string Table(Schema schema, IEnumerable<RecordBatch> batches, int maxRows = int.MaxValue)
    {
        var w = new StringWriter();
        Write(w, schema, batches, maxRows);
        return w.ToString();
    }

    /// <summary>Writes batches as a table of at most <paramref name="maxRows"/> rows, then a line with the row count. The
    /// table is written as soon as its rows have arrived, before the rest are counted, so the first rows of a long
    /// result show at once.</summary>
    public static void Write(TextWriter w, Schema schema, IEnumerable<RecordBatch> batches, int maxRows = int.MaxValue)
    {
        var cells = new List<string[]>();
        long total = 0;
        bool written = false;
        foreach (var b in batches)
        {
            total += b.Length;
            for (int r = 0; r < b.Length && cells.Count < maxRows; r++)
                cells.Add(b.Columns.Select((c, i) => ValueText.Clip(ValueText.Cell(c.GetValue(r), schema.Fields[i].DataType), MaxCellWidth)).ToArray());
            if (!written && total > maxRows)
            {
                WriteTable(w, schema, cells);
                w.Flush();
                written = true;
            }
        }
        if (!written) WriteTable(w, schema, cells);
        w.Write(total > cells.Count ? $"{total} rows ({cells.Count} shown)" : $"{total} row{(total == 1 ? "" : "s")}");
    }

    private static void WriteTable(TextWriter w, Schema schema, List<string[]> cells)
    {
        var names = schema.Fields.Select(f => f.Name).ToList();
        var types = schema.Fields.Select(f => Columnar.Types.SqlTypeName.Of(f.DataType)).ToList();
        var widths = names.Select((n, i) => new[] { n.Length, types[i].Length }.Concat(cells.Select(c => c[i].Length)).Max()).ToArray();
        var numeric = schema.Fields.Select(f => f.DataType.IsNumeric || f.DataType is Columnar.Types.DecimalType).ToList();
        string Line(char l, char m, char r) => l + string.Join(m, widths.Select(x => new string('─', x + 2))) + r;
        string Row(IEnumerable<string> values, bool alignNumbers) =>
            "│" + string.Join("│", values.Select((v, i) => " " + (alignNumbers && numeric[i] ? v.PadLeft(widths[i]) : v.PadRight(widths[i])) + " ")) + "│";
        w.WriteLine(Line('┌', '┬', '┐'));
        w.WriteLine(Row(names, false));
        w.WriteLine(Row(types, false));
        w.WriteLine(Line('├', '┼', '┤'));
        foreach (var c in cells) w.WriteLine(Row(c, true));
        w.WriteLine(Line('└', '┴', '┘'));
    }
}
