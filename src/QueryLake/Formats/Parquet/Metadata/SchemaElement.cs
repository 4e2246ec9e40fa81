using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>One node of the depth-first flattened schema (parquet.thrift <c>SchemaElement</c>).</summary>
internal sealed class SchemaElement
{
    public PhysicalType? Type;
    public int TypeLength;
    public Repetition? Repetition;
    public string Name = "";
    public int NumChildren;
    public ConvertedType? Converted;
    public int Scale;
    public int Precision;
    public int? FieldId;
    public LogicalType? Logical;

    public static SchemaElement Read(ref ThriftReader r)
    {
        var e = new SchemaElement();
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): e.Type = (PhysicalType)r.ReadI32(); break;
                case (2, ThriftType.I32): e.TypeLength = r.ReadI32(); break;
                case (3, ThriftType.I32): e.Repetition = (Repetition)r.ReadI32(); break;
                case (4, ThriftType.Binary): e.Name = r.ReadString(); break;
                case (5, ThriftType.I32): e.NumChildren = r.ReadI32(); break;
                case (6, ThriftType.I32): e.Converted = (ConvertedType)r.ReadI32(); break;
                case (7, ThriftType.I32): e.Scale = r.ReadI32(); break;
                case (8, ThriftType.I32): e.Precision = r.ReadI32(); break;
                case (9, ThriftType.I32): e.FieldId = r.ReadI32(); break;
                case (10, ThriftType.Struct): e.Logical = LogicalType.Read(ref r); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        return e;
    }

    public void Write(ThriftWriter w)
    {
        w.BeginStruct();
        if (Type is { } t) w.I32(1, (int)t);
        if (TypeLength != 0) w.I32(2, TypeLength);
        if (Repetition is { } rep) w.I32(3, (int)rep);
        w.String(4, Name);
        if (Type is null) w.I32(5, NumChildren);
        if (Converted is { } c) w.I32(6, (int)c);
        if (Logical?.Kind == LogicalKind.Decimal) { w.I32(7, Scale); w.I32(8, Precision); }
        if (FieldId is { } f) w.I32(9, f);
        Logical?.Write(w, 10);
        w.EndStruct();
    }
}
