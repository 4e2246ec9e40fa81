using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>A schema element's logical type annotation, flattened: the union member and the parameters it carries.</summary>
internal sealed record LogicalType(LogicalKind Kind, int Scale = 0, int Precision = 0, TimeUnit Unit = TimeUnit.Microsecond,
    bool AdjustedToUtc = false, int BitWidth = 0, bool Signed = true)
{
    public static LogicalType Read(ref ThriftReader r)
    {
        r.EnterStruct();
        short last = 0;
        var result = new LogicalType(LogicalKind.None);
        while (r.NextField(ref last, out var t, out var id))
        {
            if (t != ThriftType.Struct) { r.Skip(t); continue; }
            result = (LogicalKind)id switch
            {
                LogicalKind.Decimal => ReadDecimal(ref r),
                LogicalKind.Time or LogicalKind.Timestamp => ReadTime(ref r, (LogicalKind)id),
                LogicalKind.Integer => ReadInt(ref r),
                var k when Enum.IsDefined(k) => SkipThen(ref r, new LogicalType(k)),
                _ => SkipThen(ref r, new LogicalType(LogicalKind.None)),
            };
        }
        r.ExitStruct();
        return result;
    }

    private static LogicalType SkipThen(ref ThriftReader r, LogicalType t) { r.Skip(ThriftType.Struct); return t; }

    private static LogicalType ReadDecimal(ref ThriftReader r)
    {
        r.EnterStruct();
        short last = 0;
        int scale = 0, precision = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            if (id == 1 && t == ThriftType.I32) scale = r.ReadI32();
            else if (id == 2 && t == ThriftType.I32) precision = r.ReadI32();
            else r.Skip(t);
        }
        r.ExitStruct();
        return new LogicalType(LogicalKind.Decimal, scale, precision);
    }

    private static LogicalType ReadTime(ref ThriftReader r, LogicalKind kind)
    {
        r.EnterStruct();
        short last = 0;
        bool utc = false;
        var unit = TimeUnit.Microsecond;
        while (r.NextField(ref last, out var t, out var id))
        {
            if (id == 1 && t is ThriftType.BoolTrue or ThriftType.BoolFalse) utc = ThriftReader.BoolOf(t);
            else if (id == 2 && t == ThriftType.Struct)
            {
                r.EnterStruct();
                short l2 = 0;
                while (r.NextField(ref l2, out var t2, out var id2))
                {
                    unit = id2 switch { 1 => TimeUnit.Millisecond, 3 => TimeUnit.Nanosecond, _ => TimeUnit.Microsecond };
                    r.Skip(t2);
                }
                r.ExitStruct();
            }
            else r.Skip(t);
        }
        r.ExitStruct();
        return new LogicalType(kind, Unit: unit, AdjustedToUtc: utc);
    }

    private static LogicalType ReadInt(ref ThriftReader r)
    {
        r.EnterStruct();
        short last = 0;
        int width = 32;
        bool signed = true;
        while (r.NextField(ref last, out var t, out var id))
        {
            if (id == 1 && t == ThriftType.Byte) width = (sbyte)r.ReadByte();
            else if (id == 2 && t is ThriftType.BoolTrue or ThriftType.BoolFalse) signed = ThriftReader.BoolOf(t);
            else r.Skip(t);
        }
        r.ExitStruct();
        return new LogicalType(LogicalKind.Integer, BitWidth: width, Signed: signed);
    }

    public void Write(ThriftWriter w, short fieldId)
    {
        w.StructField(fieldId);
        w.StructField((short)Kind);
        switch (Kind)
        {
            case LogicalKind.Decimal: w.I32(1, Scale); w.I32(2, Precision); break;
            case LogicalKind.Time or LogicalKind.Timestamp:
                w.Bool(1, AdjustedToUtc);
                w.StructField(2);
                w.StructField(Unit switch { TimeUnit.Millisecond => 1, TimeUnit.Nanosecond => 3, _ => 2 });
                w.EndStruct();
                w.EndStruct();
                break;
            case LogicalKind.Integer:
                w.ByteField(1, (sbyte)BitWidth);
                w.Bool(2, Signed);
                break;
        }
        w.EndStruct();
        w.EndStruct();
    }
}
