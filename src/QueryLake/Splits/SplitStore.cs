using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Paths;
using QueryLake.Storage.Stores;

namespace QueryLake.Splits;

/// <summary>
/// Splits persisted in the lake: <c>_splits/&lt;name&gt;/split.json</c> (the definition) and
/// <c>_splits/&lt;name&gt;/assignments.arrow</c> (unit key → part). A save writes both under names of their own
/// (<c>split-&lt;id&gt;.json</c>, <c>assignments-&lt;id&gt;.arrow</c>) and then replaces <c>split.json</c>, which names the
/// assignments file it goes with: one object's write is atomic on a folder (rename) and on object storage alike, so a
/// crash leaves the old split or the new one, never a mix.
/// </summary>
internal sealed class SplitStore(LakeStorage storage)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly Schema AssignmentSchema = new([new Field("unit", DataType.Utf8, false), new Field("part", DataType.Int32, false)]);

    private string Root => Path.Combine(storage.Root, "_splits");

    private string Folder(string name) => Path.Combine(Root, LakeNames.Check(name, "split"));

    public bool Exists(string name) => storage.Exists(Path.Combine(Folder(name), "split.json"));

    public IReadOnlyList<string> List() =>
        storage.Folders(Root).Where(LakeNames.IsValid).Where(Exists).Order(StringComparer.Ordinal).ToList();

    public (SplitDefinition Definition, Dictionary<string, int> Assignments) Load(string name)
    {
        var folder = Folder(name);
        var definitionPath = Path.Combine(folder, "split.json");
        try
        {
            var stored = JsonSerializer.Deserialize<StoredSplit>(storage.ReadAll(definitionPath), Json)
                ?? throw new CorruptFileException(definitionPath, "empty split definition");
            var def = JsonSerializer.Deserialize<SplitDefinition>(storage.ReadAll(definitionPath), Json)!;
            var assignmentsPath = Path.Combine(folder, stored.Assignments ?? "assignments.arrow");
            var assignments = new Dictionary<string, int>(StringComparer.Ordinal);
            using var reader = ArrowFileReader.FromMemory(storage.ReadAll(assignmentsPath), assignmentsPath);
            foreach (var b in reader.ReadAll())
            {
                if (b.Columns.Count != 2 || b.Columns[0] is not BinaryArray units || b.Columns[1] is not PrimitiveArray<int> parts)
                    throw new CorruptFileException(assignmentsPath, "does not hold the columns unit (text) and part (int32)");
                for (int r = 0; r < b.Length; r++) assignments[units.GetString(r)!] = parts[r];
            }
            return (def, assignments);
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(definitionPath, Errors.ErrorText.Describe(e), e);
        }
    }

    /// <summary>The name of the assignments file a definition goes with (absent in splits saved before it existed).</summary>
    private sealed class StoredSplit
    {
        [System.Text.Json.Serialization.JsonPropertyName("assignments")] public string? Assignments { get; set; }
    }

    public void Save(SplitDefinition definition, IReadOnlyDictionary<string, int> assignments)
    {
        var folder = Folder(definition.Name);
        var id = Guid.NewGuid().ToString("N");
        var units = new BinaryBuilder(DataType.Utf8);
        var parts = new PrimitiveBuilder<int>(DataType.Int32);
        foreach (var (unit, part) in assignments.OrderBy(kv => kv.Key, StringComparer.Ordinal)) { units.Append(unit); parts.Append(part); }
        var buffer = new MemoryStream();
        using (var w = new ArrowFileWriter(buffer, AssignmentSchema, new IpcWriteOptions { Compression = IpcCompression.Zstd }, leaveOpen: true))
            w.Write(new RecordBatch(AssignmentSchema, [units.Build(), parts.Build()], assignments.Count));
        var assignmentsName = $"assignments-{id}.arrow";
        storage.Write(Path.Combine(folder, assignmentsName), buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        // The definition, naming its assignments, replaces the old one last: the commit point.
        var node = JsonSerializer.SerializeToNode(definition, Json)!.AsObject();
        node["assignments"] = assignmentsName;
        var previous = storage.Files(folder).Select(o => o.Key[(o.Key.LastIndexOf('/') + 1)..]).Where(n => n.StartsWith("assignments", StringComparison.Ordinal)).ToList();
        storage.Write(Path.Combine(folder, "split.json"), System.Text.Encoding.UTF8.GetBytes(node.ToJsonString(Json)));
        foreach (var old in previous.Where(n => n != assignmentsName))
            try { storage.Delete(Path.Combine(folder, old)); } catch (QueryLakeException) { }
    }

    public void Drop(string name) => storage.DeleteFolder(Folder(name));
}
