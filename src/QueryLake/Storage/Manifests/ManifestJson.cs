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

    /// <summary>The newest manifest format this build reads and writes: 2 adds checksums (of the manifest and of every
    /// file it references); 3 adds cold-tier Parquet data files (<c>"format": "parquet"</c>), and is written only by a
    /// manifest that names one, so builds that cannot read them refuse it clearly instead of misreading it.</summary>
    public const int CurrentFormat = 3;

    /// <summary>The JSON of <paramref name="m"/>, ending with its own checksum: the last member is
    /// <c>"checksum": "&lt;16 hex digits&gt;"</c>, XXH3 of every byte before the comma that precedes it.</summary>
    public static byte[] Serialize(Manifest m)
    {
        m.Format = m.Fragments.Any(f => f.Files.Any(x => x.IsCold)) ? 3 : 2;
        var body = JsonSerializer.SerializeToUtf8Bytes(m, Options).AsSpan();
        int end = body.LastIndexOf((byte)'}');
        var prefix = body[..end].TrimEnd(" \t\r\n"u8);
        var tail = System.Text.Encoding.UTF8.GetBytes($",\n  \"checksum\": \"{Integrity.FileChecksum.Hex(System.IO.Hashing.XxHash3.HashToUInt64(prefix))}\"\n}}\n");
        return [.. prefix, .. tail];
    }

    private static readonly System.Text.RegularExpressions.Regex ChecksumTail =
        new(@",\s*""checksum""\s*:\s*""([0-9a-f]{16})""\s*\}\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex TransactionMember =
        new("\"transaction\"\\s*:\\s*\"([^\"]+)\"", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The transaction a manifest names, read without parsing it (its checksum verified first, so a damaged
    /// name is QL-CORRUPT rather than an unknown transaction); null when it names none.</summary>
    public static string? TransactionOf(ReadOnlySpan<byte> json, string path)
    {
        if (json.IndexOf("\"transaction\""u8) < 0) return null;
        if (Tail(json) is not { Recorded: var recorded, Actual: var actual } || recorded != actual)
            return Deserialize(json, path).Transaction; // reports what is wrong
        var id = TransactionMember.Match(System.Text.Encoding.UTF8.GetString(json));
        return id.Success ? id.Groups[1].Value : null;
    }

    /// <summary>The checksum a manifest's tail records and the hash of the bytes before it; null without a tail.</summary>
    private static (string Recorded, string Actual)? Tail(ReadOnlySpan<byte> json)
    {
        int from = Math.Max(0, json.Length - 128);
        var match = ChecksumTail.Match(System.Text.Encoding.Latin1.GetString(json[from..]));
        return match.Success
            ? (match.Groups[1].Value, Integrity.FileChecksum.Hex(System.IO.Hashing.XxHash3.HashToUInt64(json[..(from + match.Index)])))
            : null;
    }

    /// <summary>Reads a manifest, verifying its checksum (required from format 2 on, checked wherever present) and its
    /// structure; anything else is <see cref="CorruptFileException"/> (QL-CORRUPT) naming <paramref name="path"/>.</summary>
    public static Manifest Deserialize(ReadOnlySpan<byte> json, string path)
    {
        try
        {
            var tail = Tail(json);
            if (tail is { Recorded: var recorded, Actual: var actual } && recorded != actual)
                throw new CorruptFileException(path, $"manifest checksum mismatch: it records {recorded}, its contents hash to {actual}; the file was changed or damaged after it was written");
            var m = JsonSerializer.Deserialize<Manifest>(json, Options) ?? throw new JsonException("manifest is null");
            if (m.Format is < 1 or > CurrentFormat) throw new JsonException($"manifest format {m.Format} is not supported (this build reads formats 1 to {CurrentFormat})");
            if (m.Format >= 2 && tail is null) throw new JsonException("the manifest's checksum is missing");
            Validate(m);
            return m;
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, $"invalid manifest: {ErrorText.Describe(e)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException or NotSupportedException or InvalidCastException)
        {
            throw new CorruptFileException(path, $"invalid manifest: {ErrorText.Describe(e)}", e);
        }
    }

    /// <summary>Checks what a reader relies on: identity, a schema of known types with unique ids, and fragments whose
    /// files and deletion vectors lie inside the dataset folder and whose row counts agree.</summary>
    private static void Validate(Manifest m)
    {
        static void Require(bool ok, string problem) { if (!ok) throw new JsonException(problem); }
        Require(m.Dataset.Length > 0, "no dataset name");
        Require(m.Version >= 1, $"version {m.Version} is not a version number");
        Require(m.Branch.Length > 0, "no branch");
        Require(m.Parent is null || (m.Parent >= 1 && m.Parent < m.Version), $"parent {m.Parent} does not precede version {m.Version}");
        Require(m.Operation.Kind.Length > 0, "no operation");
        var ids = new HashSet<int>();
        foreach (var f in m.Schema.Fields)
        {
            Require(f.Name.Length > 0, "a field has no name");
            Require(f.Id >= 0 && f.Id < m.NextFieldId && ids.Add(f.Id), $"field {f.Name} has id {f.Id}, repeated or not below nextFieldId {m.NextFieldId}");
            TypeFromJson(f.Type);
        }
        var fragments = new HashSet<long>();
        foreach (var fr in m.Fragments)
        {
            Require(fr.Id >= 0 && fr.Id < m.NextFragmentId && fragments.Add(fr.Id), $"fragment {fr.Id} is repeated or not below nextFragmentId {m.NextFragmentId}");
            Require(fr.PhysicalRows >= 0 && (fr.BatchRows.Count == 0 || fr.BatchRows.Sum(n => (long)n) == fr.PhysicalRows),
                $"fragment {fr.Id} has {fr.PhysicalRows} rows but batches of {fr.BatchRows.Sum(n => (long)n)}");
            foreach (var file in fr.Files)
                Require(Inside(file.Path, "data/") || (file.IsCold && ColdLocation(file.Path, m.Dataset)), $"fragment {fr.Id} refers to '{file.Path}', not a data file of the dataset");
            if (fr.Deletions is { } d)
                Require(Inside(d.Path, "deletions/") && d.Count >= 0 && d.Count <= fr.PhysicalRows, $"fragment {fr.Id} has an invalid deletion vector '{d.Path}' ({d.Count} rows)");
        }
    }

    /// <summary>Whether <paramref name="path"/> is a cold file kept outside the lake: an absolute location
    /// (<c>s3://…</c> or <c>/…</c>) ending in <c>/&lt;dataset&gt;/data/&lt;32 hex digits&gt;.parquet</c>, without <c>.</c>
    /// or <c>..</c> parts, so a manifest can name no other file outside the lake (VACUUM and DROP delete such files).</summary>
    internal static bool ColdLocation(string path, string dataset) =>
        Stores.LakeStorage.IsAbsolute(path) && !path.Contains('\\') && !path.Split('/').Skip(1).Any(p => p is "." or "..")
        && System.Text.RegularExpressions.Regex.IsMatch(path, "/" + System.Text.RegularExpressions.Regex.Escape(dataset) + "/data/[0-9a-f]{32}\\.parquet$");

    private static bool Inside(string path, string folder) =>
        path.StartsWith(folder, StringComparison.Ordinal) && !path.Contains("..", StringComparison.Ordinal) && !path.Contains('\\') && path.Length > folder.Length;

    public static JsonNode TypeToJson(DataType t) => t switch
    {
        ExtensionType e => new JsonObject { ["extension"] = e.ExtensionName, ["metadata"] = e.ExtensionMetadata, ["storage"] = TypeToJson(e.StorageType) },
        PrimitiveType or VariableBinaryType => JsonValue.Create(t.ToString()),
        TimestampType ts => new JsonObject { ["timestamp"] = ts.Unit.ToString().ToLowerInvariant(), ["tz"] = ts.TimeZone },
        DecimalType d => new JsonObject { ["decimal"] = d.Precision, ["scale"] = d.Scale },
        FixedSizeBinaryType f => new JsonObject { ["fixed_size_binary"] = f.ByteWidth },
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
            case JsonObject o when o["fixed_size_binary"] is not null:
            {
                int width = (int)o["fixed_size_binary"]!;
                return width >= 1 ? new FixedSizeBinaryType(width) : throw new FormatException($"fixed_size_binary width {width} is invalid");
            }
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
