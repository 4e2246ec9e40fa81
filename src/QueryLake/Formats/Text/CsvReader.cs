using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Formats.Text;

/// <summary>
/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF) with a header row, streaming: the file is read twice,
/// row by row, never whole. The first pass checks every row's field count and infers each column's type from every
/// value, as narrow as fits: BOOLEAN, BIGINT, DOUBLE, DATE (yyyy-MM-dd), TIMESTAMP, else VARCHAR; the second converts
/// rows to batches as they are read. An empty unquoted field is NULL. Errors name the file, line and column.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads a CSV file into batches of at most <paramref name="batchRows"/> rows, held in memory.</summary>
    public static (Schema Schema, IReadOnlyList<RecordBatch> Batches) Read(string path, char delimiter = ',', int batchRows = 1 << 16)
    {
        var (schema, _, batches) = Open(path, delimiter, batchRows);
        return (schema, batches().ToList());
    }

    /// <summary>Checks a CSV file and infers its schema (one streaming pass); returns the schema, the number of data
    /// rows, and a function that streams the rows as batches of at most <paramref name="batchRows"/> rows each time it
    /// is called (a second pass, converting as it reads). Both passes stop when <paramref name="cancel"/> is cancelled
    /// (a statement's timeout reaches the checking pass of a file of gigabytes).</summary>
    public static (Schema Schema, long Rows, Func<IEnumerable<RecordBatch>> Batches) Open(string path, char delimiter = ',', int batchRows = 1 << 16,
        CancellationToken cancel = default)
    {
        List<string>? header = null;
        TextTypes.Inferrer[] inferrers = [];
        long rows = 0;
        foreach (var row in Rows(path, delimiter))
        {
            if (header is null)
            {
                header = row.Fields.Select((h, i) => string.IsNullOrWhiteSpace(h) ? $"column{i}" : h!).ToList();
                var unique = new HashSet<string>();
                for (int i = 0; i < header.Count; i++)
                    for (int k = 1; !unique.Add(header[i]); k++) header[i] = $"{header[i]}_{k}";
                inferrers = header.Select(_ => new TextTypes.Inferrer()).ToArray();
                continue;
            }
            if (row.Fields.Count != header.Count)
                throw new CorruptFileException(path, $"line {row.Line}: {row.Fields.Count} fields, but the header has {header.Count}");
            for (int c = 0; c < inferrers.Length; c++) inferrers[c].Add(row.Fields[c]);
            if ((++rows & 0xFFFF) == 0) cancel.ThrowIfCancellationRequested();
        }
        if (header is null) throw new CorruptFileException(path, "the CSV file is empty (it needs at least a header row)");
        var types = inferrers.Select(i => i.Type).ToList();
        var schema = new Schema(header.Select((h, i) => new Field(h, types[i])).ToList());
        IEnumerable<RecordBatch> Batches()
        {
            ArrayBuilder[]? builders = null;
            int n = 0;
            bool first = true;
            foreach (var row in Rows(path, delimiter))
            {
                if (first) { first = false; continue; }
                if (row.Fields.Count != types.Count)
                    throw new CorruptFileException(path, $"line {row.Line}: {row.Fields.Count} fields, but the header has {types.Count} (the file changed while it was read)");
                builders ??= types.Select(ArrayBuilder.Create).ToArray();
                for (int c = 0; c < builders.Length; c++)
                {
                    try { builders[c].Append(TextTypes.Convert(row.Fields[c], types[c])); }
                    catch (FormatException) { throw new CorruptFileException(path, $"line {row.Line}, column '{header[c]}': '{row.Fields[c]}' is not {types[c]} (the file changed while it was read)"); }
                }
                if (++n == batchRows)
                {
                    cancel.ThrowIfCancellationRequested();
                    yield return new RecordBatch(schema, builders.Select(b => b.Build()).ToArray(), n);
                    builders = null;
                    n = 0;
                }
            }
            if (n > 0) yield return new RecordBatch(schema, builders!.Select(b => b.Build()).ToArray(), n);
        }
        return (schema, rows, Batches);
    }

    private readonly record struct Row(int Line, List<string?> Fields);

    /// <summary>The file's rows, parsed as they are read (blank lines skipped).</summary>
    private static IEnumerable<Row> Rows(string path, char delimiter)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
        var buffer = new char[1 << 16];
        int length = 0, at = 0;
        bool More()
        {
            if (at < length) return true;
            length = reader.Read(buffer, 0, buffer.Length);
            at = 0;
            return length > 0;
        }
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
        while (More())
        {
            char ch = buffer[at++];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (More() && buffer[at] == '"') { field.Append('"'); at++; }
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
                if (ch == '\r' && More() && buffer[at] == '\n') at++;
                EndField();
                if (!(fields.Count == 1 && fields[0] is null)) yield return new Row(rowLine, fields);
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
            yield return new Row(rowLine, fields);
        }
    }
}
