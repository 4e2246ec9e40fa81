using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Paths;

namespace QueryLake.Splits;

/// <summary>
/// Splits persisted in the lake: <c>_splits/&lt;name&gt;/split.json</c> (the definition) and
/// <c>_splits/&lt;name&gt;/assignments.arrow</c> (unit key → part), both replaced atomically (written beside, then
/// renamed), so a crash leaves the old split or the new one, never a mix.
/// </summary>
internal sealed class SplitStore(string lakePath)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly Schema AssignmentSchema = new([new Field("unit", DataType.Utf8, false), new Field("part", DataType.Int32, false)]);

    private string Root => Path.Combine(lakePath, "_splits");

    private string Folder(string name) => Path.Combine(Root, LakeNames.Check(name, "split"));

    public bool Exists(string name)
    {
        Recover(name);
        return File.Exists(Path.Combine(Folder(name), "split.json"));
    }

    /// <summary>A crash between moving the old split aside and moving the new one in leaves only the old one: restore it.</summary>
    private void Recover(string name)
    {
        if (Directory.Exists(Folder(name)) || !Directory.Exists(Root)) return;
        var old = Directory.EnumerateDirectories(Root, name + ".old-*").FirstOrDefault();
        if (old is not null) Directory.Move(old, Folder(name));
    }

    public IReadOnlyList<string> List() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(LakeNames.IsValid).Where(Exists).Order(StringComparer.Ordinal).ToList() : [];

    public (SplitDefinition Definition, Dictionary<string, int> Assignments) Load(string name)
    {
        var folder = Folder(name);
        try
        {
            var def = JsonSerializer.Deserialize<SplitDefinition>(File.ReadAllText(Path.Combine(folder, "split.json")), Json)
                ?? throw new CorruptFileException(Path.Combine(folder, "split.json"), "empty split definition");
            var assignments = new Dictionary<string, int>(StringComparer.Ordinal);
            using var reader = ArrowFileReader.Open(Path.Combine(folder, "assignments.arrow"));
            foreach (var b in reader.ReadAll())
            {
                var units = (BinaryArray)b.Columns[0];
                var parts = (PrimitiveArray<int>)b.Columns[1];
                for (int r = 0; r < b.Length; r++) assignments[units.GetString(r)!] = parts[r];
            }
            return (def, assignments);
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(Path.Combine(folder, "split.json"), Errors.ErrorText.Describe(e), e);
        }
    }

    public void Save(SplitDefinition definition, IReadOnlyDictionary<string, int> assignments)
    {
        Directory.CreateDirectory(Root);
        var folder = Folder(definition.Name);
        // Staging folders start with '.', which no split name can: a killed CREATE SPLIT's leftover is never listed.
        var staging = Path.Combine(Root, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "split.json"), JsonSerializer.Serialize(definition, Json));
        var units = new BinaryBuilder(DataType.Utf8);
        var parts = new PrimitiveBuilder<int>(DataType.Int32);
        foreach (var (unit, part) in assignments.OrderBy(kv => kv.Key, StringComparer.Ordinal)) { units.Append(unit); parts.Append(part); }
        using (var w = ArrowFileWriter.Create(Path.Combine(staging, "assignments.arrow"), AssignmentSchema, new IpcWriteOptions { Compression = IpcCompression.Zstd }))
            w.Write(new RecordBatch(AssignmentSchema, [units.Build(), parts.Build()], assignments.Count));
        var old = folder + ".old-" + Guid.NewGuid().ToString("N")[..8];
        if (Directory.Exists(folder)) Directory.Move(folder, old);
        Directory.Move(staging, folder);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    public void Drop(string name) => Directory.Delete(Folder(name), recursive: true);
}
