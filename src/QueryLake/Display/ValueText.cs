using System.Globalization;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Images;

namespace QueryLake.Display;

/// <summary>How values read as text in every front end (the REPL's tables, notebooks): SQL-style literals,
/// blobs as <c>&lt;jpeg 640×480, 52 KB&gt;</c>, embeddings as <c>&lt;embedding 512: 0.12, -0.03, …&gt;</c>.</summary>
public static class ValueText
{
    /// <summary>A value as text (NULL for null).</summary>
    public static string Format(object? v) => v switch
    {
        null => "NULL",
        string s => s,
        bool b => b ? "true" : "false",
        double d => Number(d),
        float f => float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) : Number(f),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00",
        byte[] b => Blob(b),
        object?[] list => "[" + string.Join(", ", list.Select(Format)) + "]",
        Dictionary<string, object?> st => "{" + string.Join(", ", st.Select(kv => $"'{kv.Key}': {Format(kv.Value)}")) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Number(double d) =>
        double.IsNaN(d) ? "nan" : double.IsInfinity(d) ? (d > 0 ? "inf" : "-inf") : d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A blob's one-line summary: its image format and size when it is an image.</summary>
    public static string Blob(byte[] b) =>
        ImageHeader.Read(b) is { } h ? $"<{h.Format} {h.Width}×{h.Height}, {Size(b.Length)}>" : $"<blob {Size(b.Length)}>";

    /// <summary>A byte count for people: 812 bytes, 52 KB, 3.1 MB.</summary>
    public static string Size(long bytes) =>
        bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.#} MB" : bytes >= 1024 ? $"{bytes / 1024} KB" : $"{bytes} bytes";

    /// <summary>The value as it appears in a table cell of a column of <paramref name="type"/>: embeddings and long
    /// float vectors summarised, blobs summarised, the rest formatted.</summary>
    public static string Cell(object? v, DataType type) => (v, type) switch
    {
        (object?[] items, EmbeddingType or FixedSizeListType { ValueType.Id: TypeId.Float32 }) when items.Length > 4 =>
            $"<embedding {items.Length}: {string.Join(", ", items.Take(3).Select(x => x is float f ? f.ToString("0.##", CultureInfo.InvariantCulture) : "NULL"))}, …>",
        _ => Format(v),
    };

    /// <summary>Clips to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
