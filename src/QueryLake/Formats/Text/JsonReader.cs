using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Formats.Text;

/// <summary>
/// Reads JSON: an array of objects, or JSON Lines (one object per line). Columns are the union of the keys in
/// order of first appearance; types are inferred (integers BIGINT, other numbers DOUBLE, booleans, strings with
/// the text inference of <see cref="CsvReader"/>, so dates become DATE); arrays become lists of their elements'
/// inferred type (so <c>["car","truck"]</c> is VARCHAR[] and a vector of numbers DOUBLE[], as in DuckDB); objects and
/// mixed arrays are kept as JSON text.
/// </summary>
public static class JsonReader
{
    /// <summary>Reads a JSON or JSON Lines file.</summary>
    public static (Schema Schema, IReadOnlyList<RecordBatch> Batches) Read(string path)
    {
        var objects = new List<Dictionary<string, JsonElement>>();
        var text = File.ReadAllText(path);
        try
        {
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('['))
            {
                using var doc = JsonDocument.Parse(text);
                foreach (var e in doc.RootElement.EnumerateArray()) objects.Add(Object(e, path, objects.Count + 1));
            }
            else
            {
                int line = 0;
                foreach (var raw in text.Split('\n'))
                {
                    line++;
                    if (string.IsNullOrWhiteSpace(raw)) continue;
                    using var doc = JsonDocument.Parse(raw);
                    objects.Add(Object(doc.RootElement, path, line));
                }
            }
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, $"invalid JSON: {Errors.ErrorText.Describe(e)}", e);
        }
        var keys = new List<string>();
        var seen = new HashSet<string>();
        foreach (var o in objects) foreach (var k in o.Keys) if (seen.Add(k)) keys.Add(k);
        var types = keys.Select(k => Infer(objects.Select(o => o.TryGetValue(k, out var v) ? v : default))).ToList();
        var schema = new Schema(keys.Select((k, i) => new Field(k, types[i])).ToList());
        var builders = types.Select(ArrayBuilder.Create).ToArray();
        foreach (var o in objects)
            for (int c = 0; c < keys.Count; c++)
                builders[c].Append(o.TryGetValue(keys[c], out var v) ? Value(v, types[c]) : null);
        return (schema, [new RecordBatch(schema, builders.Select(b => b.Build()).ToArray(), objects.Count)]);
    }

    private static Dictionary<string, JsonElement> Object(JsonElement e, string path, int where)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new CorruptFileException(path, $"record {where} is a JSON {e.ValueKind.ToString().ToLowerInvariant()}, not an object");
        var d = new Dictionary<string, JsonElement>();
        foreach (var p in e.EnumerateObject()) d[p.Name] = p.Value.Clone();
        return d;
    }

    private static DataType Infer(IEnumerable<JsonElement> values)
    {
        var kinds = values.Where(v => v.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null)).ToList();
        if (kinds.Count == 0) return DataType.Utf8;
        if (kinds.All(v => v.ValueKind is JsonValueKind.True or JsonValueKind.False)) return DataType.Boolean;
        if (kinds.All(v => v.ValueKind == JsonValueKind.Number)) return kinds.All(v => v.TryGetInt64(out _)) ? DataType.Int64 : DataType.Float64;
        if (kinds.All(v => v.ValueKind == JsonValueKind.String)) return TextTypes.Infer(kinds.Select(v => v.GetString()));
        if (kinds.All(v => v.ValueKind == JsonValueKind.Array))
        {
            var items = kinds.SelectMany(v => v.EnumerateArray()).ToList();
            var item = Infer(items);
            bool scalarItems = items.All(i => i.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array));
            if (scalarItems && (item.Id != TypeId.Utf8 || items.All(i => i.ValueKind is JsonValueKind.String or JsonValueKind.Null)))
                return DataType.List(item);
        }
        return DataType.Utf8;
    }

    private static object? Value(JsonElement v, DataType type) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => TextTypes.Convert(v.GetString(), type),
        JsonValueKind.Number when type.Id == TypeId.Int64 => v.GetInt64(),
        JsonValueKind.Number when type.Id == TypeId.Float64 => v.GetDouble(),
        JsonValueKind.True or JsonValueKind.False when type.Id == TypeId.Boolean => v.GetBoolean(),
        JsonValueKind.Array when type is ListType list => v.EnumerateArray().Select(i => Value(i, list.ValueField.DataType)).ToList(),
        _ => v.GetRawText(),
    };
}
