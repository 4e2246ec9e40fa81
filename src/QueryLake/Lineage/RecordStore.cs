using System.Text.Json;
using QueryLake.Errors;
using QueryLake.Storage.Paths;

namespace QueryLake.Lineage;

/// <summary>Lineage records persisted in the lake as <c>&lt;folder&gt;/&lt;key&gt;.json</c>, each written whole under a
/// temporary name and renamed into place, so a killed process leaves the old record or the new one.</summary>
internal sealed class RecordStore<T>(string root, string what, Func<T, string> key) where T : class
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private string File(string name) => Path.Combine(root, LakeNames.Check(name, what) + ".json");

    public bool Exists(string name) => System.IO.File.Exists(File(name));

    public IReadOnlyList<string> List() =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Where(LakeNames.IsValid).Order(StringComparer.Ordinal).ToList() : [];

    public T Load(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(System.IO.File.ReadAllText(File(name)), Json) ?? throw new CorruptFileException(File(name), "empty lineage record");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(File(name), Errors.ErrorText.Describe(e), e);
        }
    }

    public void Save(T record)
    {
        Directory.CreateDirectory(root);
        var path = File(key(record));
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(record, Json));
        System.IO.File.Move(temp, path, overwrite: true);
    }

    public void Drop(string name) => System.IO.File.Delete(File(name));
}
