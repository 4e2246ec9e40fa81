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

    /// <summary>CSV written batch by batch: a header row, then one line per row. Rows are formatted straight to UTF-8
    /// by one <see cref="CsvField"/> per column chosen once per batch, in chunks of rows formatted in parallel and
    /// written in order.</summary>
    internal sealed class CsvSink : IDisposable
    {
        private const int ChunkRows = 8192;
        private readonly FileStream _stream;
        private readonly byte _delimiter;
        private readonly char _delimiterChar;
        private readonly byte[] _delimiterBytes;

        public CsvSink(string path, Schema schema, char delimiter)
        {
            _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            _delimiterChar = delimiter;
            // A delimiter beyond ASCII is not one byte: every field then goes through the general path.
            _delimiter = delimiter < 0x80 ? (byte)delimiter : (byte)0;
            _delimiterBytes = Encoding.UTF8.GetBytes(delimiter.ToString());
            var header = Encoding.UTF8.GetBytes(string.Join(delimiter, schema.Fields.Select(f => Quote(f.Name, delimiter))) + "\n");
            _stream.Write(header);
        }

        public long Rows { get; private set; }

        public void Write(RecordBatch b)
        {
            int chunks = (b.Length + ChunkRows - 1) / ChunkRows;
            if (chunks == 0) return;
            var fields = b.Columns.Select(c => CsvField.For(c, _delimiter, _delimiterChar)).ToArray();
            try
            {
                var formatted = new Utf8Text[chunks];
                void Format(int k)
                {
                    var text = new Utf8Text();
                    int end = Math.Min(b.Length, (k + 1) * ChunkRows);
                    for (int r = k * ChunkRows; r < end; r++)
                    {
                        for (int c = 0; c < fields.Length; c++)
                        {
                            if (c > 0) text.Append(_delimiterBytes);
                            fields[c].Write(text, r);
                        }
                        text.Append((byte)'\n');
                    }
                    formatted[k] = text;
                }
                if (chunks == 1) Format(0);
                else Parallel.For(0, chunks, Format);
                foreach (var t in formatted)
                {
                    _stream.Write(t.Written);
                    t.Return();
                }
            }
            finally
            {
                foreach (var f in fields) f.Release();
            }
            Rows += b.Length;
        }

        public void Dispose() => _stream.Dispose();
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

    internal static string Quote(string s, char delimiter) =>
        s.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
