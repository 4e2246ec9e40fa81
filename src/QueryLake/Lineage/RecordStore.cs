using System.Text.Json;
using QueryLake.Errors;
using QueryLake.Storage.Paths;
using QueryLake.Storage.Stores;

namespace QueryLake.Lineage;

/// <summary>Lineage records persisted in the lake as <c>&lt;folder&gt;/&lt;key&gt;.json</c>, each written whole (renamed
/// into place in a folder, one PUT on object storage), so a killed process leaves the old record or the new one.</summary>
internal sealed class RecordStore<T>(LakeStorage storage, string root, string what, Func<T, string> key) where T : class
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private string File(string name) => Path.Combine(root, LakeNames.Check(name, what) + ".json");

    public bool Exists(string name) => storage.Exists(File(name));

    public IReadOnlyList<string> List() =>
        storage.FileNames(root, ".json").Select(n => n[..^5]).Where(LakeNames.IsValid).Order(StringComparer.Ordinal).ToList();

    public T Load(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(storage.ReadAll(File(name)), Json) ?? throw new CorruptFileException(File(name), "empty lineage record");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(File(name), Errors.ErrorText.Describe(e), e);
        }
    }

    /// <summary>Writes the record whole (a rename in a folder, one PUT on object storage).</summary>
    public void Save(T record) => storage.Write(File(key(record)), JsonSerializer.SerializeToUtf8Bytes(record, Json));

    public void Drop(string name) => storage.Delete(File(name));
}
