using System.Text.Json;
using QueryLake.Errors;

namespace QueryLake.Lineage;

/// <summary>Views persisted in the lake as <c>_views/&lt;name&gt;.json</c>, each written whole and renamed into place.</summary>
internal sealed class ViewStore(string lakePath)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private string Root => Path.Combine(lakePath, "_views");

    private string File(string name) => Path.Combine(Root, name + ".json");

    public bool Exists(string name) => System.IO.File.Exists(File(name));

    public IReadOnlyList<string> List() =>
        Directory.Exists(Root) ? Directory.EnumerateFiles(Root, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];

    public ViewDefinition Load(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<ViewDefinition>(System.IO.File.ReadAllText(File(name)), Json) ?? throw new CorruptFileException(File(name), "empty view definition");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(File(name), e.Message, e);
        }
    }

    public void Save(ViewDefinition v)
    {
        Directory.CreateDirectory(Root);
        var temp = File(v.Name) + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(v, Json));
        System.IO.File.Move(temp, File(v.Name), overwrite: true);
    }

    public void Drop(string name) => System.IO.File.Delete(File(name));
}
