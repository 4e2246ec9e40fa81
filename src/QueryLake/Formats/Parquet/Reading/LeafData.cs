namespace QueryLake.Formats.Parquet.Reading;

/// <summary>A decoded column chunk (or the part of it a page selection kept): one level entry per value slot, with
/// definition and repetition levels (null when the column has none) and the dense non-null values.</summary>
internal sealed class LeafData(int entries, byte[]? def, byte[]? rep, ValueBuffer values)
{
    public int Entries { get; } = entries;
    public byte[]? Def { get; } = def;
    public byte[]? Rep { get; } = rep;
    public ValueBuffer Values { get; } = values;
}
