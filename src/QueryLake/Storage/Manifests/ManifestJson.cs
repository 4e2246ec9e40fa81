using System.Text.Json;
using System.Text.Json.Nodes;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Storage.Manifests;

/// <summary>Reads and writes manifests, and converts types and schemas to and from their JSON form.</summary>
internal static class ManifestJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static byte[] Serialize(Manifest m) => JsonSerializer.SerializeToUtf8Bytes(m, Options);

    public static Manifest Deserialize(ReadOnlySpan<byte> json, string path)
    {
        try
        {
            var m = JsonSerializer.Deserialize<Manifest>(json, Options) ?? throw new JsonException("manifest is null");
            if (m.Format != 1) throw new JsonException($"manifest format {m.Format} is not supported (this build reads format 1)");
            return m;
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, $"invalid manifest: {e.Message}", e);
        }
    }

    public static JsonNode TypeToJson(DataType t) => t switch
    {
        ExtensionType e => new JsonObject { ["extension"] = e.ExtensionName, ["metadata"] = e.ExtensionMetadata, ["storage"] = TypeToJson(e.StorageType) },
        PrimitiveType or VariableBinaryType => JsonValue.Create(t.ToString()),
        TimestampType ts => new JsonObject { ["timestamp"] = ts.Unit.ToString().ToLowerInvariant(), ["tz"] = ts.TimeZone },
        DecimalType d => new JsonObject { ["decimal"] = d.Precision, ["scale"] = d.Scale },
        ListType l => new JsonObject { ["list"] = FieldToJson(l.ValueField) },
        FixedSizeListType f => new JsonObject { ["fixed_size_list"] = FieldToJson(f.ValueField), ["size"] = f.ListSize },
        StructType s => new JsonObject { ["struct"] = new JsonArray(s.Fields.Select(x => (JsonNode)FieldToJson(x)).ToArray()) },
        DictionaryType d => new JsonObject { ["dictionary"] = TypeToJson(d.ValueType), ["index"] = d.IndexType.ToString(), ["ordered"] = d.Ordered },
        _ => throw new NotSupportedException($"type {t} cannot be stored in a dataset"),
    };

    private static JsonObject FieldToJson(Field f)
    {
        var o = new JsonObject { ["name"] = f.Name, ["type"] = TypeToJson(f.DataType), ["nullable"] = f.Nullable };
        if (f.Metadata.Count > 0)
        {
            var m = new JsonObject();
            foreach (var (k, v) in f.Metadata) m[k] = v;
            o["metadata"] = m;
        }
        return o;
    }

    private static readonly Dictionary<string, DataType> Named = new[]
    {
        (DataType)DataType.Boolean, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt8, DataType.UInt16,
        DataType.UInt32, DataType.UInt64, DataType.Float32, DataType.Float64, DataType.Date32, DataType.Utf8, DataType.LargeUtf8,
        DataType.Binary, DataType.LargeBinary,
    }.ToDictionary(t => t.ToString());

    public static DataType TypeFromJson(JsonNode? n)
    {
        switch (n)
        {
            case JsonValue v when v.TryGetValue<string>(out var name) && Named.TryGetValue(name, out var t): return t;
            case JsonObject o when o["extension"] is not null:
                var storage = TypeFromJson(o["storage"]);
                return ExtensionType.TryCreate((string)o["extension"]!, (string?)o["metadata"] ?? "", storage) ?? storage;
            case JsonObject o when o["decimal"] is not null:
                return new DecimalType((int)o["decimal"]!, (int?)o["scale"] ?? 0);
            case JsonObject o when o["timestamp"] is not null:
                return new TimestampType(Enum.Parse<TimeUnit>((string)o["timestamp"]!, ignoreCase: true), (string?)o["tz"]);
            case JsonObject o when o["list"] is not null: return new ListType(FieldFromJson(o["list"]!));
            case JsonObject o when o["fixed_size_list"] is not null: return new FixedSizeListType(FieldFromJson(o["fixed_size_list"]!), (int)o["size"]!);
            case JsonObject o when o["struct"] is JsonArray a: return new StructType(a.Select(x => FieldFromJson(x!)).ToArray());
            case JsonObject o when o["dictionary"] is not null:
                return new DictionaryType((PrimitiveType)TypeFromJson(o["index"]), TypeFromJson(o["dictionary"]), (bool?)o["ordered"] ?? false);
            default: throw new JsonException($"unknown type {n?.ToJsonString()}");
        }
    }

    private static Field FieldFromJson(JsonNode n) =>
        new((string)n["name"]!, TypeFromJson(n["type"]), (bool?)n["nullable"] ?? true,
            (n["metadata"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => (string)kv.Value!));

    public static Schema ToSchema(SchemaRecord s) =>
        new(s.Fields.Select(f => new Field(f.Name, TypeFromJson(f.Type), f.Nullable, f.Metadata)).ToArray(), s.Metadata);

    public static SchemaRecord FromSchema(Schema s, ref int nextFieldId)
    {
        var r = new SchemaRecord { Metadata = s.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value) };
        foreach (var f in s.Fields)
            r.Fields.Add(new FieldRecord { Id = nextFieldId++, Name = f.Name, Type = TypeToJson(f.DataType), Nullable = f.Nullable, Metadata = f.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value) });
        return r;
    }
}
