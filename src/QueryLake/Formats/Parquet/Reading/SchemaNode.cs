using QueryLake.Columnar;
using QueryLake.Formats.Parquet.Metadata;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>One node of the Arrow view of a Parquet schema, with the level thresholds that turn a leaf's definition and
/// repetition levels back into it. A slot of this node starts at a level entry whose repetition level is at most
/// <see cref="SlotRep"/> and whose definition level is at least <see cref="SlotDef"/>; the slot's value is non-null when
/// the definition level is at least <see cref="NullDef"/>.</summary>
internal sealed class SchemaNode
{
    public enum NodeKind { Leaf, Struct, List }

    public required NodeKind Kind { get; init; }
    public required Field Field { get; init; }
    public int SlotRep { get; init; }
    public int SlotDef { get; init; }
    public int NullDef { get; init; }
    /// <summary>For lists: the thresholds of the element slots.</summary>
    public int ElemRep { get; init; }
    public int ElemDef { get; init; }
    public IReadOnlyList<SchemaNode> Children { get; init; } = [];
    /// <summary>For leaves: the index of the column chunk.</summary>
    public int LeafIndex { get; init; } = -1;
    public LeafColumn? Leaf { get; init; }

    /// <summary>The first leaf under this node: its levels give this node's slots.</summary>
    public int FirstLeaf => Kind == NodeKind.Leaf ? LeafIndex : Children[0].FirstLeaf;

    public IEnumerable<int> Leaves() => Kind == NodeKind.Leaf ? [LeafIndex] : Children.SelectMany(c => c.Leaves());
}

/// <summary>A leaf column: its schema element, path and maximum levels.</summary>
internal sealed record LeafColumn(int Index, SchemaElement Element, string[] Path, int MaxDef, int MaxRep)
{
    public PhysicalType Physical => Element.Type!.Value;
    public string PathText => string.Join('.', Path);
}
