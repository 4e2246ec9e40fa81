using System.Globalization;
using System.Text;
using System.Text.Json;
using QueryLake.Columnar;

namespace QueryLake.Formats.Text;

/// <summary>Writes batches as CSV (header row, NULL as an empty field, RFC 4180 quoting) or JSON Lines.</summary>
public static class TextWriters
{
    /// <summary>Writes CSV; returns the number of rows written.</summary>
    public static long WriteCsv(string path, Schema schema, IEnumerable<RecordBatch> batches, char delimiter = ',')
    {
        using var w = new CsvSink(path, schema, delimiter);
        foreach (var b in batches) w.Write(b);
        return w.Rows;
    }

    /// <summary>Writes JSON Lines (one object per row); returns the number of rows written.</summary>
    public static long WriteJsonLines(string path, Schema schema, IEnumerable<RecordBatch> batches)
    {
        using var w = new JsonLinesSink(path, schema);
        foreach (var b in batches) w.Write(b);
        return w.Rows;
    }

    /// <summary>CSV written batch by batch: a header row, then one line per row.</summary>
    internal sealed class CsvSink : IDisposable
    {
        private readonly StreamWriter _w;
        private readonly char _delimiter;

        public CsvSink(string path, Schema schema, char delimiter)
        {
            _w = new StreamWriter(path, false, new UTF8Encoding(false));
            _delimiter = delimiter;
            _w.Write(string.Join(delimiter, schema.Fields.Select(f => Quote(f.Name, delimiter))) + "\n");
        }

        public long Rows { get; private set; }

        public void Write(RecordBatch b)
        {
            for (int r = 0; r < b.Length; r++, Rows++)
                _w.Write(string.Join(_delimiter, b.Columns.Select(c => c.GetValue(r) is { } v ? Quote(Text(v), _delimiter) : "")) + "\n");
        }

        public void Dispose() => _w.Dispose();
    }

    /// <summary>JSON Lines written batch by batch.</summary>
    internal sealed class JsonLinesSink(string path, Schema schema) : IDisposable
    {
        private readonly FileStream _stream = File.Create(path);

        public long Rows { get; private set; }

        public void Write(RecordBatch b)
        {
            for (int r = 0; r < b.Length; r++, Rows++)
            {
                using (var w = new Utf8JsonWriter(_stream))
                {
                    w.WriteStartObject();
                    for (int c = 0; c < b.Columns.Count; c++)
                    {
                        w.WritePropertyName(schema.Fields[c].Name);
                        Json(w, b.Columns[c].GetValue(r));
                    }
                    w.WriteEndObject();
                }
                _stream.WriteByte((byte)'\n');
            }
        }

        public void Dispose() => _stream.Dispose();
    }

    internal static void Json(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
            case long or int or short or sbyte or byte or ushort or uint or ulong: w.WriteRawValue(Convert.ToString(v, CultureInfo.InvariantCulture)!); break;
            case object?[] list:
                w.WriteStartArray();
                foreach (var x in list) Json(w, x);
                w.WriteEndArray();
                break;
            case Dictionary<string, object?> st:
                w.WriteStartObject();
                foreach (var (k, x) in st) { w.WritePropertyName(k); Json(w, x); }
                w.WriteEndObject();
                break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            default: w.WriteStringValue(Text(v)); break;
        }
    }

    internal static string Text(object v) => v switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        byte[] b => Convert.ToBase64String(b),
        object?[] list => "[" + string.Join(", ", list.Select(x => x is null ? "NULL" : Text(x))) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Quote(string s, char delimiter) =>
        s.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
