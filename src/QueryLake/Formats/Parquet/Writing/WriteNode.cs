using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet.Metadata;

namespace QueryLake.Formats.Parquet.Writing;

/// <summary>The Parquet schema written for an Arrow field: groups for structs, 3-level LIST groups for lists and
/// fixed-size lists (embeddings), leaves with physical and logical types; with each node's levels.</summary>
internal sealed class WriteNode
{
    public enum NodeKind { Leaf, Struct, List }

    public required NodeKind Kind { get; init; }
    public required Field Field { get; init; }
    public bool Optional { get; init; }
    /// <summary>Definition level when this node is present (for lists: the list itself, not its elements).</summary>
    public int Def { get; init; }
    /// <summary>For lists: the repetition level of their elements.</summary>
    public int Rep { get; init; }
    public IReadOnlyList<WriteNode> Children { get; init; } = [];
    public int LeafIndex { get; init; } = -1;
    public PhysicalType Physical { get; init; }
    public int MaxDef { get; init; }
    public int MaxRep { get; init; }
    public string[] Path { get; init; } = [];

    public IEnumerable<WriteNode> Leaves() => Kind == NodeKind.Leaf ? [this] : Children.SelectMany(c => c.Leaves());

    public static List<WriteNode> Build(Schema schema, out List<SchemaElement> elements)
    {
        elements = [new SchemaElement { Name = "schema", NumChildren = schema.Fields.Count }];
        int leaves = 0;
        var nodes = new List<WriteNode>();
        foreach (var f in schema.Fields) nodes.Add(Node(f, 0, 0, [], elements, ref leaves));
        return nodes;
    }

    private static WriteNode Node(Field f, int def, int rep, string[] path, List<SchemaElement> elements, ref int leaves)
    {
        var type = f.DataType.StorageType is DictionaryType dt ? dt.ValueType : f.DataType.StorageType;
        bool optional = f.Nullable;
        int myDef = def + (optional ? 1 : 0);
        path = [.. path, f.Name];
        var e = new SchemaElement { Name = f.Name, Repetition = optional ? Repetition.Optional : Repetition.Required };
        elements.Add(e);
        switch (type)
        {
            case StructType st:
                {
                    e.NumChildren = st.Fields.Count;
                    var children = new List<WriteNode>();
                    foreach (var c in st.Fields) children.Add(Node(c, myDef, rep, path, elements, ref leaves));
                    return new WriteNode { Kind = NodeKind.Struct, Field = f, Optional = optional, Def = myDef, Children = children };
                }
            case ListType or FixedSizeListType:
                {
                    var item = type is ListType lt ? lt.ValueField : ((FixedSizeListType)type).ValueField;
                    e.NumChildren = 1;
                    e.Converted = ConvertedType.List;
                    e.Logical = new LogicalType(LogicalKind.List);
                    elements.Add(new SchemaElement { Name = "list", Repetition = Repetition.Repeated, NumChildren = 1 });
                    var child = Node(item.WithName("element"), myDef + 1, rep + 1, [.. path, "list"], elements, ref leaves);
                    return new WriteNode { Kind = NodeKind.List, Field = f, Optional = optional, Def = myDef, Rep = rep + 1, Children = [child] };
                }
            default:
                {
                    (e.Type, e.Converted, e.Logical) = Leaf(f.DataType is UuidType ? f.DataType : type);
                    if (type is DecimalType exact) (e.Precision, e.Scale) = (exact.Precision, exact.Scale);
                    if (type.StorageType is FixedSizeBinaryType fixedWidth) e.TypeLength = fixedWidth.ByteWidth;
                    return new WriteNode
                    {
                        Kind = NodeKind.Leaf, Field = f, Optional = optional, Def = myDef, LeafIndex = leaves++, Physical = e.Type!.Value,
                        MaxDef = myDef, MaxRep = rep, Path = path,
                    };
                }
        }
    }

    private static (PhysicalType, ConvertedType?, LogicalType?) Leaf(DataType t) => t switch
    {
        PrimitiveType { Id: TypeId.Boolean } => (PhysicalType.Boolean, null, null),
        PrimitiveType { Id: TypeId.Int8 } => (PhysicalType.Int32, ConvertedType.Int8, new LogicalType(LogicalKind.Integer, BitWidth: 8)),
        PrimitiveType { Id: TypeId.Int16 } => (PhysicalType.Int32, ConvertedType.Int16, new LogicalType(LogicalKind.Integer, BitWidth: 16)),
        PrimitiveType { Id: TypeId.Int32 } => (PhysicalType.Int32, null, null),
        PrimitiveType { Id: TypeId.Int64 } => (PhysicalType.Int64, null, null),
        PrimitiveType { Id: TypeId.UInt8 } => (PhysicalType.Int32, ConvertedType.UInt8, new LogicalType(LogicalKind.Integer, BitWidth: 8, Signed: false)),
        PrimitiveType { Id: TypeId.UInt16 } => (PhysicalType.Int32, ConvertedType.UInt16, new LogicalType(LogicalKind.Integer, BitWidth: 16, Signed: false)),
        PrimitiveType { Id: TypeId.UInt32 } => (PhysicalType.Int32, ConvertedType.UInt32, new LogicalType(LogicalKind.Integer, BitWidth: 32, Signed: false)),
        PrimitiveType { Id: TypeId.UInt64 } => (PhysicalType.Int64, ConvertedType.UInt64, new LogicalType(LogicalKind.Integer, BitWidth: 64, Signed: false)),
        PrimitiveType { Id: TypeId.Float32 } => (PhysicalType.Float, null, null),
        PrimitiveType { Id: TypeId.Float64 } => (PhysicalType.Double, null, null),
        PrimitiveType { Id: TypeId.Date32 } => (PhysicalType.Int32, ConvertedType.Date, new LogicalType(LogicalKind.Date)),
        VariableBinaryType { IsUtf8: true } => (PhysicalType.ByteArray, ConvertedType.Utf8, new LogicalType(LogicalKind.String)),
        VariableBinaryType => (PhysicalType.ByteArray, null, null),
        TimestampType ts => (PhysicalType.Int64,
            ts.Unit switch { TimeUnit.Microsecond => ConvertedType.TimestampMicros, TimeUnit.Nanosecond => null, _ => ConvertedType.TimestampMillis },
            new LogicalType(LogicalKind.Timestamp, Unit: ts.Unit == TimeUnit.Second ? TimeUnit.Millisecond : ts.Unit, AdjustedToUtc: ts.TimeZone is not null)),
        NullType => (PhysicalType.Int32, null, new LogicalType(LogicalKind.Unknown)),
        UuidType => (PhysicalType.FixedLenByteArray, null, new LogicalType(LogicalKind.Uuid)),
        FixedSizeBinaryType => (PhysicalType.FixedLenByteArray, null, null),
        // DECIMAL: int64 up to 18 digits, else big-endian two's-complement bytes (both allowed by the format).
        DecimalType d => (d.Precision <= 18 ? PhysicalType.Int64 : PhysicalType.ByteArray, ConvertedType.Decimal,
            new LogicalType(LogicalKind.Decimal, Scale: d.Scale, Precision: d.Precision)),
        _ => throw new NotSupportedException($"Parquet cannot hold {t} columns"),
    };
}
