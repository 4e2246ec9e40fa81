using System.Text.Json.Serialization;

namespace QueryLake.Storage.Manifests;

/// <summary>One version of a dataset: the JSON document in <c>_versions/&lt;branch&gt;/&lt;version&gt;.json</c>.
/// See docs/format.md; every field here is documented there.</summary>
internal sealed class Manifest
{
    [JsonPropertyName("format")] public int Format { get; set; } = ManifestJson.CurrentFormat;
    [JsonPropertyName("dataset")] public string Dataset { get; set; } = "";
    [JsonPropertyName("branch")] public string Branch { get; set; } = "main";
    [JsonPropertyName("version")] public long Version { get; set; }
    [JsonPropertyName("parent")] public long? Parent { get; set; }
    [JsonPropertyName("base")] public VersionRef? Base { get; set; }
    [JsonPropertyName("mergedFrom")] public VersionRef? MergedFrom { get; set; }
    [JsonPropertyName("timestampMicros")] public long TimestampMicros { get; set; }
    [JsonPropertyName("operation")] public OperationRecord Operation { get; set; } = new();
    [JsonPropertyName("schema")] public SchemaRecord Schema { get; set; } = new();
    [JsonPropertyName("nextFieldId")] public int NextFieldId { get; set; }
    [JsonPropertyName("nextFragmentId")] public long NextFragmentId { get; set; }
    [JsonPropertyName("fragments")] public List<FragmentRecord> Fragments { get; set; } = [];

    /// <summary>The transaction spanning several datasets this version belongs to: visible once it committed.</summary>
    [JsonPropertyName("transaction")] public string? Transaction { get; set; }

    public Manifest Clone() => ManifestJson.Deserialize(ManifestJson.Serialize(this), "<clone>");
}

internal sealed class VersionRef
{
    [JsonPropertyName("branch")] public string Branch { get; set; } = "main";
    [JsonPropertyName("version")] public long Version { get; set; }
}

internal sealed class OperationRecord
{
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("touchedFragments")] public List<long> TouchedFragments { get; set; } = [];
    [JsonPropertyName("schemaChanged")] public bool SchemaChanged { get; set; }
    [JsonPropertyName("rowsAdded")] public long RowsAdded { get; set; }
    [JsonPropertyName("rowsDeleted")] public long RowsDeleted { get; set; }
    [JsonPropertyName("detail")] public string? Detail { get; set; }
}

internal sealed class SchemaRecord
{
    [JsonPropertyName("fields")] public List<FieldRecord> Fields { get; set; } = [];
    [JsonPropertyName("metadata")] public Dictionary<string, string> Metadata { get; set; } = [];
}

internal sealed class FieldRecord
{
    [JsonPropertyName("id")] public int Id { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public System.Text.Json.Nodes.JsonNode Type { get; set; } = "null";
    [JsonPropertyName("nullable")] public bool Nullable { get; set; } = true;
    [JsonPropertyName("metadata")] public Dictionary<string, string> Metadata { get; set; } = [];
}

internal sealed class FragmentRecord
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("physicalRows")] public long PhysicalRows { get; set; }
    [JsonPropertyName("files")] public List<DataFileRecord> Files { get; set; } = [];
    [JsonPropertyName("deletions")] public DeletionRecord? Deletions { get; set; }
    [JsonPropertyName("batchRows")] public List<int> BatchRows { get; set; } = [];

    [JsonIgnore] public long LiveRows => PhysicalRows - (Deletions?.Count ?? 0);
}

internal sealed class DataFileRecord
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("fieldIds")] public List<int> FieldIds { get; set; } = [];
    [JsonPropertyName("bytes")] public long Bytes { get; set; }

    /// <summary>The file's format: absent for Arrow IPC (the hot tier), <see cref="Parquet"/> for the cold tier.</summary>
    [JsonPropertyName("format")] public string? Format { get; set; }

    /// <summary>The <see cref="Format"/> of cold-tier files.</summary>
    public const string Parquet = "parquet";

    [JsonIgnore] public bool IsCold => Format == Parquet;

    /// <summary>XXH3 of the whole file, 16 hex digits (<see cref="Integrity.FileChecksum"/>); absent in files written before format 2.</summary>
    [JsonPropertyName("xxh3")] public string? Checksum { get; set; }

    /// <summary>Checksums of the file's parts, verified as they are read (<see cref="Integrity.PartChecksums"/>);
    /// absent in files written before them.</summary>
    [JsonPropertyName("parts")] public PartsRecord? Parts { get; set; }
    [JsonPropertyName("stats")] public Dictionary<string, StatsRecord> Stats { get; set; } = [];
}

internal sealed class DeletionRecord
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("count")] public long Count { get; set; }

    /// <summary>XXH3 of the whole file, 16 hex digits; absent in vectors written before format 2.</summary>
    [JsonPropertyName("xxh3")] public string? Checksum { get; set; }
}

internal sealed class StatsRecord
{
    [JsonPropertyName("min")] public System.Text.Json.Nodes.JsonNode? Min { get; set; }
    [JsonPropertyName("max")] public System.Text.Json.Nodes.JsonNode? Max { get; set; }
    [JsonPropertyName("nulls")] public long Nulls { get; set; }

    /// <summary>A HyperLogLog sketch of the column's distinct values in the file (base64 of 1,024 registers).</summary>
    [JsonPropertyName("distinct")] public string? Distinct { get; set; }
}

/// <summary>A data file's part checksums (<see cref="Integrity.PartChecksums"/>): the prefix [0, PrefixEnd), the suffix
/// [SuffixStart, end), and per record batch its metadata then each column (base64 of little-endian XXH3-64 values).</summary>
internal sealed class PartsRecord
{
    [JsonPropertyName("prefixEnd")] public long PrefixEnd { get; set; }
    [JsonPropertyName("prefix")] public string Prefix { get; set; } = "";
    [JsonPropertyName("suffixStart")] public long SuffixStart { get; set; }
    [JsonPropertyName("suffix")] public string Suffix { get; set; } = "";
    [JsonPropertyName("batches")] public string Batches { get; set; } = "";
}
