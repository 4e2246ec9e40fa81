using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet.Metadata;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Rebuilds the schema tree from the footer's depth-first list, computes every node's levels and maps it to
/// Arrow: LIST and MAP groups (3-level, and the legacy 2-level forms) become lists, other groups structs, and each
/// leaf's physical and logical type its Arrow type.</summary>
internal sealed class ParquetSchema
{
    private sealed class Raw(SchemaElement e)
    {
        public SchemaElement E = e;
        public List<Raw> Children = [];
        public int Def, Rep;
        public string[] Path = [];
    }

    public Schema Arrow { get; }
    public IReadOnlyList<SchemaNode> Columns { get; }
    public IReadOnlyList<LeafColumn> Leaves { get; }

    public ParquetSchema(IReadOnlyList<SchemaElement> elements)
    {
        int pos = 0;
        var root = Build(elements, ref pos, 0);
        if (pos != elements.Count) throw new ParquetFormatException($"the schema lists {elements.Count} elements but its tree holds {pos}");
        var leaves = new List<LeafColumn>();
        Levels(root, 0, 0, [], leaves, isRoot: true);
        Leaves = leaves;
        int next = 0;
        var columns = root.Children.Select(c => Map(c, 0, 0, ref next)).ToList();
        Columns = columns;
        var dup = columns.GroupBy(c => c.Field.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ParquetFormatException($"the schema names column '{dup.Key}' twice");
        try { Arrow = new Schema(columns.Select(c => c.Field).ToList()); }
        catch (ArgumentException e) { throw new ParquetFormatException($"the schema is invalid: {Errors.ErrorText.Describe(e)}"); }
    }

    private static Raw Build(IReadOnlyList<SchemaElement> elements, ref int pos, int depth)
    {
        if (pos >= elements.Count) throw new ParquetFormatException("the schema's children counts run past its element list");
        if (depth > 64) throw new ParquetFormatException("the schema nests deeper than 64 levels");
        var node = new Raw(elements[pos++]);
        if (node.E.Type is null)
        {
            if (node.E.NumChildren < 0 || node.E.NumChildren > elements.Count - pos) throw new ParquetFormatException($"schema group '{node.E.Name}' declares {node.E.NumChildren} children");
            for (int i = 0; i < node.E.NumChildren; i++) node.Children.Add(Build(elements, ref pos, depth + 1));
            if (node.Children.Count == 0 && depth > 0) throw new ParquetFormatException($"schema group '{node.E.Name}' has no children");
        }
        return node;
    }

    private static void Levels(Raw n, int def, int rep, string[] path, List<LeafColumn> leaves, bool isRoot)
    {
        if (!isRoot)
        {
            var r = n.E.Repetition ?? Repetition.Optional;
            if (r != Repetition.Required) def++;
            if (r == Repetition.Repeated) rep++;
            path = [.. path, n.E.Name];
        }
        if (def > 255 || rep > 255) throw new ParquetFormatException("the schema nests more than 255 levels");
        (n.Def, n.Rep, n.Path) = (def, rep, path);
        if (n.E.Type is not null && !isRoot) leaves.Add(new LeafColumn(leaves.Count, n.E, path, def, rep));
        foreach (var c in n.Children) Levels(c, def, rep, path, leaves, false);
    }

    private static bool IsList(SchemaElement e) => e.Logical?.Kind == LogicalKind.List || e.Converted == ConvertedType.List;

    private static bool IsMap(SchemaElement e) => e.Logical?.Kind == LogicalKind.Map || e.Converted is ConvertedType.Map or ConvertedType.MapKeyValue;

    /// <summary>Maps a node whose slots are given by (slotRep, slotDef); <paramref name="next"/> counts leaves in order.</summary>
    private SchemaNode Map(Raw n, int slotRep, int slotDef, ref int next, bool asElement = false)
    {
        var rep = n.E.Repetition ?? Repetition.Optional;
        bool nullable = rep == Repetition.Optional;
        if (rep == Repetition.Repeated && !asElement)
        {
            // A bare repeated field: a list of required elements.
            var elem = Map(n, n.Rep, n.Def, ref next, asElement: true);
            return new SchemaNode
            {
                Kind = SchemaNode.NodeKind.List, Field = new Field(n.E.Name, new ListType(elem.Field.WithName("element")), false),
                SlotRep = slotRep, SlotDef = slotDef, NullDef = slotDef, ElemRep = n.Rep, ElemDef = n.Def, Children = [elem],
            };
        }
        if (n.E.Type is null && (IsList(n.E) || IsMap(n.E)) && n.Children is [{ E.Repetition: Repetition.Repeated } repeated])
        {
            Raw element = repeated;
            bool threeLevel = IsList(n.E) && repeated.E.Type is null && repeated.Children.Count == 1
                && repeated.E.Name != "array" && repeated.E.Name != n.E.Name + "_tuple";
            if (threeLevel) element = repeated.Children[0];
            SchemaNode child = threeLevel
                ? Map(element, repeated.Rep, repeated.Def, ref next)
                : Map(repeated, repeated.Rep, repeated.Def, ref next, asElement: true);
            string childName = IsMap(n.E) ? "entries" : "element";
            return new SchemaNode
            {
                Kind = SchemaNode.NodeKind.List, Field = new Field(n.E.Name, new ListType(child.Field.WithName(childName)), nullable),
                SlotRep = slotRep, SlotDef = slotDef, NullDef = n.Def, ElemRep = repeated.Rep, ElemDef = repeated.Def, Children = [child],
            };
        }
        if (n.E.Type is null)
        {
            var children = new List<SchemaNode>();
            foreach (var c in n.Children) children.Add(Map(c, slotRep, slotDef, ref next));
            return new SchemaNode
            {
                Kind = SchemaNode.NodeKind.Struct, Field = new Field(n.E.Name, new StructType(children.Select(c => c.Field).ToList()), nullable && !asElement),
                SlotRep = slotRep, SlotDef = slotDef, NullDef = n.Def, Children = children,
            };
        }
        var leaf = Leaves[next++];
        return new SchemaNode
        {
            Kind = SchemaNode.NodeKind.Leaf, Field = new Field(n.E.Name, ArrowType(n.E), nullable && !asElement),
            SlotRep = slotRep, SlotDef = slotDef, NullDef = n.Def, LeafIndex = leaf.Index, Leaf = leaf,
        };
    }

    /// <summary>The Arrow type a leaf reads as. Decimals read as DECIMAL(p, s) (as float64 beyond 38 digits), TIME as
    /// int64 microseconds since midnight,
    /// UUID as UUID, other FIXED_LEN_BYTE_ARRAY as fixed_size_binary, FLOAT16 as float32 and INT96 as a nanosecond timestamp.</summary>
    public static DataType ArrowType(SchemaElement e)
    {
        var lt = e.Logical;
        var ct = e.Converted;
        if (lt?.Kind == LogicalKind.Decimal || ct == ConvertedType.Decimal)
        {
            var (precision, scale) = lt?.Kind == LogicalKind.Decimal ? (lt.Precision, lt.Scale) : (e.Precision, e.Scale);
            return precision is >= 1 and <= DecimalType.MaxPrecision && scale >= 0 && scale <= precision ? new DecimalType(precision, scale) : DataType.Float64;
        }
        if (lt?.Kind == LogicalKind.Time || ct is ConvertedType.TimeMillis or ConvertedType.TimeMicros) return DataType.Int64;
        switch (e.Type)
        {
            case PhysicalType.Boolean: return DataType.Boolean;
            case PhysicalType.Int32:
                if (lt?.Kind == LogicalKind.Date || ct == ConvertedType.Date) return DataType.Date32;
                if (lt?.Kind == LogicalKind.Integer)
                    return (lt.BitWidth, lt.Signed) switch
                    {
                        (8, true) => DataType.Int8, (16, true) => DataType.Int16, (8, false) => DataType.UInt8,
                        (16, false) => DataType.UInt16, (32, false) => DataType.UInt32, _ => DataType.Int32,
                    };
                return ct switch
                {
                    ConvertedType.Int8 => DataType.Int8, ConvertedType.Int16 => DataType.Int16, ConvertedType.UInt8 => DataType.UInt8,
                    ConvertedType.UInt16 => DataType.UInt16, ConvertedType.UInt32 => DataType.UInt32, _ => DataType.Int32,
                };
            case PhysicalType.Int64:
                if (lt?.Kind == LogicalKind.Timestamp) return new TimestampType(lt.Unit, lt.AdjustedToUtc ? "UTC" : null);
                if (ct == ConvertedType.TimestampMillis) return new TimestampType(TimeUnit.Millisecond, "UTC");
                if (ct == ConvertedType.TimestampMicros) return new TimestampType(TimeUnit.Microsecond, "UTC");
                if (lt is { Kind: LogicalKind.Integer, Signed: false } || ct == ConvertedType.UInt64) return DataType.UInt64;
                return DataType.Int64;
            case PhysicalType.Int96: return new TimestampType(TimeUnit.Nanosecond, null);
            case PhysicalType.Float: return DataType.Float32;
            case PhysicalType.Double: return DataType.Float64;
            case PhysicalType.ByteArray:
                return lt?.Kind is LogicalKind.String or LogicalKind.Enum or LogicalKind.Json || ct is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json
                    ? DataType.Utf8 : DataType.Binary;
            case PhysicalType.FixedLenByteArray:
                if (e.TypeLength <= 0) throw new ParquetFormatException($"column '{e.Name}' is FIXED_LEN_BYTE_ARRAY of length {e.TypeLength}");
                if (lt?.Kind == LogicalKind.Uuid && e.TypeLength == 16) return UuidType.Instance;
                if (lt?.Kind == LogicalKind.Float16 && e.TypeLength == 2) return DataType.Float32;
                return new FixedSizeBinaryType(e.TypeLength);
            default: throw new ParquetFormatException($"column '{e.Name}' has unknown physical type {(int?)e.Type}");
        }
    }
}
