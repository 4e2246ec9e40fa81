using System.Text.Json;
using QueryLake.Display;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>Prints results as a table (<see cref="ResultText"/>: fitted to the terminal's width when printing to one),
/// CSV (header row; NULL is an empty field), JSON (an
/// array of objects), Markdown, or one "column = value" line per value. Value text comes from the engine's
/// <see cref="ValueText"/>, shared with notebooks.</summary>
internal static class ResultPrinter
{
    public static void Print(TextWriter w, QueryResult result, OutputFormat format, int maxRows = int.MaxValue, int width = int.MaxValue, bool headers = true)
    {
        var names = result.Schema.Fields.Select(f => f.Name).ToList();
        switch (format)
        {
            case OutputFormat.Csv:
                if (headers) w.WriteLine(string.Join(",", names.Select(Csv)));
                foreach (var r in result.Rows()) w.WriteLine(string.Join(",", r.Select(v => v is null ? "" : Csv(ValueText.Format(v)))));
                break;
            case OutputFormat.Json:
                var list = result.Rows().Select(r => names.Select((n, i) => (n, r[i])).ToDictionary(x => x.n, x => Json(x.Item2))).ToList();
                w.WriteLine(JsonSerializer.Serialize(list, JsonText));
                break;
            case OutputFormat.Markdown:
                if (headers)
                {
                    w.WriteLine("| " + string.Join(" | ", names) + " |");
                    w.WriteLine("|" + string.Concat(names.Select(_ => "---|")));
                }
                foreach (var r in result.Rows()) w.WriteLine("| " + string.Join(" | ", r.Select(v => ValueText.Format(v).Replace("|", "\\|"))) + " |");
                break;
            case OutputFormat.Line:
                int nameWidth = names.Count == 0 ? 0 : names.Max(n => n.Length);
                long seen = 0;
                foreach (var row in result.Rows())
                {
                    if (seen++ >= maxRows) continue; // counted, not shown
                    if (seen > 1) w.WriteLine();
                    for (int c = 0; c < names.Count; c++) w.WriteLine($"{names[c].PadLeft(nameWidth)} = {ValueText.Cell(row[c], result.Schema.Fields[c].DataType)}");
                }
                if (seen > maxRows) w.WriteLine($"({seen} rows, {maxRows} shown)");
                break;
            default:
                ResultText.Write(w, result.Schema, result, maxRows, width);
                w.WriteLine();
                break;
        }
    }

    /// <summary>JSON as a person reads it: text stays text (&lt;, ×, é), only what JSON requires is escaped; the
    /// output is a terminal or a file, never HTML, so the web-safe default escaping has no use here.</summary>
    private static readonly JsonSerializerOptions JsonText = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static object? Json(object? v) => v switch
    {
        null or bool or string or long or int or short or sbyte or byte or ushort or uint or ulong => v,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => f,
        object?[] list => list.Select(Json).ToList(),
        Dictionary<string, object?> st => st.ToDictionary(kv => kv.Key, kv => Json(kv.Value)),
        _ => ValueText.Format(v),
    };

    /// <summary>The terminal's width when output goes to one (tables are fitted to it), else no limit.</summary>
    public static int TerminalWidth()
    {
        if (Console.IsOutputRedirected) return int.MaxValue;
        try { return Console.WindowWidth > 20 ? Console.WindowWidth : int.MaxValue; }
        catch (IOException) { return int.MaxValue; }
    }
}
