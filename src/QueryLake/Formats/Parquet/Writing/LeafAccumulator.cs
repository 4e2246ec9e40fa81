using QueryLake.Columnar.Memory;
using QueryLake.Formats.Parquet.Reading;

namespace QueryLake.Formats.Parquet.Writing;

/// <summary>One leaf column's shredded row group so far: levels per entry and the dense non-null values.</summary>
internal sealed class LeafAccumulator(WriteNode leaf, int width)
{
    public WriteNode Leaf { get; } = leaf;
    public BufferBuilder Def { get; } = new(1024);
    public BufferBuilder Rep { get; } = new(1024);
    public ValueBuffer Values { get; private set; } = new(width);
    public int Entries { get; set; }

    /// <summary>Whether dictionary encoding did not pay in a row group of this leaf (too many distinct values); later row groups then write plain pages without trying.</summary>
    public bool DictionaryDeclined { get; set; }

    public void Reset()
    {
        Def.SetLength(0);
        Rep.SetLength(0);
        Values.Clear();
        Entries = 0;
    }
}
