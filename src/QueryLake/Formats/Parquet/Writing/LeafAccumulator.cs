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

    public void Reset()
    {
        Def.SetLength(0);
        Rep.SetLength(0);
        Values = new ValueBuffer(Values.Width);
        Entries = 0;
    }
}
