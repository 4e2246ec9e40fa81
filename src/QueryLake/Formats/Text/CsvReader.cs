using System.Globalization;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Formats.Text;

/// <summary>
/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF) with a header row. Column types are inferred
/// from every value, as narrow as fits: BOOLEAN, BIGINT, DOUBLE, DATE (yyyy-MM-dd), TIMESTAMP, else VARCHAR.
/// An empty unquoted field is NULL. Errors name the file, line and column.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads a CSV file into batches of at most <paramref name="batchRows"/> rows.</summary>
    public static (Schema Schema, IReadOnlyList<RecordBatch> Batches) Read(string path, char delimiter = ',', int batchRows = 1 << 16)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var rows = Parse(text, delimiter, path);
        if (rows.Count == 0) throw new CorruptFileException(path, "the CSV file is empty (it needs at least a header row)");
        var header = rows[0].Fields.Select((h, i) => string.IsNullOrWhiteSpace(h) ? $"column{i}" : h!).ToList();
        var unique = new HashSet<string>();
        for (int i = 0; i < header.Count; i++)
            for (int k = 1; !unique.Add(header[i]); k++) header[i] = $"{header[i]}_{k}";
        for (int r = 1; r < rows.Count; r++)
            if (rows[r].Fields.Count != header.Count)
                throw new CorruptFileException(path, $"line {rows[r].Line}: {rows[r].Fields.Count} fields, but the header has {header.Count}");
        var types = header.Select((_, c) => TextTypes.Infer(rows.Skip(1).Select(r => r.Fields[c]))).ToList();
        var schema = new Schema(header.Select((h, i) => new Field(h, types[i])).ToList());
        var batches = new List<RecordBatch>();
        for (int start = 1; start < rows.Count; start += batchRows)
        {
            int n = Math.Min(batchRows, rows.Count - start);
            var builders = types.Select(ArrayBuilder.Create).ToArray();
            for (int r = start; r < start + n; r++)
                for (int c = 0; c < builders.Length; c++)
                    builders[c].Append(TextTypes.Convert(rows[r].Fields[c], types[c]));
            batches.Add(new RecordBatch(schema, builders.Select(b => b.Build()).ToArray(), n));
        }
        return (schema, batches);
    }

    private readonly record struct Row(int Line, List<string?> Fields);

    private static List<Row> Parse(string text, char delimiter, string path)
    {
        var rows = new List<Row>();
        var fields = new List<string?>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        int line = 1, rowLine = 1;
        void EndField()
        {
            fields.Add(field.Length == 0 && !wasQuoted ? null : field.ToString());
            field.Clear();
            wasQuoted = false;
        }
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            if (ch == '"' && field.Length == 0) { quoted = true; wasQuoted = true; }
            else if (ch == delimiter) EndField();
            else if (ch == '\n' || ch == '\r')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                EndField();
                if (!(fields.Count == 1 && fields[0] is null)) rows.Add(new Row(rowLine, fields));
                fields = [];
                line++;
                rowLine = line;
            }
            else field.Append(ch);
        }
        if (quoted) throw new CorruptFileException(path, $"line {rowLine}: a quoted field is not closed before the end of the file");
        if (field.Length > 0 || fields.Count > 0 || wasQuoted)
        {
            EndField();
            rows.Add(new Row(rowLine, fields));
        }
        return rows;
    }
}
