using System.Globalization;
using System.Text;
using System.Text.Json;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>Prints results as a table, CSV (header row; NULL is an empty field), JSON (an array of objects), Markdown,
/// or one "column = value" line per value. Tables clip wide values, summarise blobs (<c>&lt;jpeg 640×480, 52 KB&gt;</c>)
/// and embeddings (<c>&lt;embedding 512: 0.12, -0.03, …&gt;</c>), and show at most <c>maxRows</c> rows.</summary>
internal static class ResultPrinter
{
    public static void Print(TextWriter w, QueryResult result, OutputFormat format, int maxRows = int.MaxValue)
    {
        var names = result.Schema.Fields.Select(f => f.Name).ToList();
        var all = result.Rows();
        var rows = (format is OutputFormat.Table or OutputFormat.Line ? all.Take(maxRows) : all).ToList();
        long total = format is OutputFormat.Table or OutputFormat.Line ? result.RowCount : rows.Count;
        if (result.Schema.Fields.Count > 0 && format is OutputFormat.Table or OutputFormat.Line)
            for (int c = 0; c < names.Count; c++)
            {
                var type = result.Schema.Fields[c].DataType;
                foreach (var r in rows) r[c] = Summarise(r[c], type);
            }
        switch (format)
        {
            case OutputFormat.Csv:
                w.WriteLine(string.Join(",", names.Select(Csv)));
                foreach (var r in rows) w.WriteLine(string.Join(",", r.Select(v => v is null ? "" : Csv(Text(v)))));
                break;
            case OutputFormat.Json:
                var list = rows.Select(r => names.Select((n, i) => (n, r[i])).ToDictionary(x => x.n, x => Json(x.Item2))).ToList();
                w.WriteLine(JsonSerializer.Serialize(list));
                break;
            case OutputFormat.Markdown:
                w.WriteLine("| " + string.Join(" | ", names) + " |");
                w.WriteLine("|" + string.Concat(names.Select(_ => "---|")));
                foreach (var r in rows) w.WriteLine("| " + string.Join(" | ", r.Select(v => v is null ? "NULL" : Text(v).Replace("|", "\\|"))) + " |");
                break;
            case OutputFormat.Line:
                int width = names.Count == 0 ? 0 : names.Max(n => n.Length);
                for (int r = 0; r < rows.Count; r++)
                {
                    if (r > 0) w.WriteLine();
                    for (int c = 0; c < names.Count; c++) w.WriteLine($"{names[c].PadLeft(width)} = {(rows[r][c] is { } v ? Text(v) : "NULL")}");
                }
                if (total > rows.Count) w.WriteLine($"({total} rows, {rows.Count} shown)");
                break;
            default:
                Table(w, result, names, rows, total);
                break;
        }
    }

    /// <summary>Blobs and embeddings as one-line summaries.</summary>
    private static object? Summarise(object? v, DataType type) => (v, type) switch
    {
        (null, _) => null,
        (byte[] b, _) => Blob(b),
        (object?[] items, EmbeddingType or FixedSizeListType { ValueType.Id: TypeId.Float32 }) when items.Length > 4 =>
            $"<embedding {items.Length}: {string.Join(", ", items.Take(3).Select(x => x is float f ? f.ToString("0.##", CultureInfo.InvariantCulture) : "NULL"))}, …>",
        _ => v,
    };

    private static string Blob(byte[] b)
    {
        string size = b.Length >= 1 << 20 ? $"{b.Length / 1048576.0:0.#} MB" : b.Length >= 1024 ? $"{b.Length / 1024} KB" : $"{b.Length} bytes";
        return QueryLake.Formats.Images.ImageHeader.Read(b) is { } h ? $"<{h.Format} {h.Width}×{h.Height}, {size}>" : $"<blob {size}>";
    }

    private static void Table(TextWriter w, QueryResult result, List<string> names, List<object?[]> rows, long total)
    {
        const int MaxWidth = 40;
        var types = result.Schema.Fields.Select(f => f.DataType.ToString()).ToList();
        var cells = rows.Select(r => r.Select(v => Clip(v is null ? "NULL" : Text(v), MaxWidth)).ToArray()).ToList();
        var widths = names.Select((n, i) => new[] { n.Length, types[i].Length }.Concat(cells.Select(c => c[i].Length)).Max()).ToArray();
        string Line(char l, char m, char r) => l + string.Join(m, widths.Select(x => new string('─', x + 2))) + r;
        string Row(IEnumerable<string> values, IReadOnlyList<bool>? right = null) =>
            "│" + string.Join("│", values.Select((v, i) => " " + (right is not null && right[i] ? v.PadLeft(widths[i]) : v.PadRight(widths[i])) + " ")) + "│";
        var numeric = result.Schema.Fields.Select(f => f.DataType.IsNumeric).ToList();
        w.WriteLine(Line('┌', '┬', '┐'));
        w.WriteLine(Row(names));
        w.WriteLine(Row(types));
        w.WriteLine(Line('├', '┼', '┤'));
        foreach (var c in cells) w.WriteLine(Row(c, numeric));
        w.WriteLine(Line('└', '┴', '┘'));
        w.WriteLine(total > rows.Count ? $"{total} rows ({rows.Count} shown; .maxrows changes this)" : $"{rows.Count} row{(rows.Count == 1 ? "" : "s")}");
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    public static string Text(object v) => v switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => Kernels(d),
        float f => float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) : Kernels(f),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00",
        byte[] b => Blob(b),
        object?[] list => "[" + string.Join(", ", list.Select(x => x is null ? "NULL" : Text(x))) + "]",
        Dictionary<string, object?> st => "{" + string.Join(", ", st.Select(kv => $"'{kv.Key}': {(kv.Value is null ? "NULL" : Text(kv.Value))}")) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Kernels(double d) =>
        double.IsNaN(d) ? "nan" : double.IsInfinity(d) ? (d > 0 ? "inf" : "-inf") : d.ToString("R", CultureInfo.InvariantCulture);

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static object? Json(object? v) => v switch
    {
        null or bool or string or long or int or short or sbyte or byte or ushort or uint or ulong => v,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => f,
        object?[] list => list.Select(Json).ToList(),
        Dictionary<string, object?> st => st.ToDictionary(kv => kv.Key, kv => Json(kv.Value)),
        _ => Text(v),
    };
}
