using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Converts between <see cref="Schema"/> and the Schema table of Arrow's Schema.fbs. Dictionary ids are
/// assigned in depth-first field order; extension types travel as ARROW:extension:* field metadata.
/// </summary>
internal static class ArrowSchemaCodec
{
    public const string ExtensionNameKey = "ARROW:extension:name";
    public const string ExtensionMetadataKey = "ARROW:extension:metadata";

    // Type union codes from Schema.fbs.
    private const byte TInt = 2, TFloat = 3, TBinary = 4, TUtf8 = 5, TBool = 6, TDecimal = 7, TDate = 8, TTimestamp = 10,
        TList = 12, TStruct = 13, TFixedSizeBinary = 15, TFixedSizeList = 16, TLargeBinary = 19, TLargeUtf8 = 20;

    private static readonly string[] UnionNames =
    [
        "NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time", "Timestamp",
        "Interval", "List", "Struct", "Union", "FixedSizeBinary", "FixedSizeList", "Map", "Duration", "LargeBinary",
        "LargeUtf8", "LargeList", "RunEndEncoded", "BinaryView", "Utf8View", "ListView", "LargeListView",
    ];

    public static int Write(FlatBufferBuilder b, Schema schema)
    {
        long nextDictId = 0;
        var fields = new int[schema.Fields.Count];
        for (int i = 0; i < fields.Length; i++) fields[i] = WriteField(b, schema.Fields[i], ref nextDictId);
        int fieldsVec = b.CreateOffsetVector(fields);
        int meta = WriteMetadata(b, schema.Metadata);
        b.StartTable(4);
        b.AddInt16(0, 0); // little endian
        b.AddOffset(1, fieldsVec);
        if (meta != 0) b.AddOffset(2, meta);
        return b.EndTable();
    }

    private static int WriteMetadata(FlatBufferBuilder b, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0) return 0;
        var kvs = new List<int>();
        foreach (var (k, v) in metadata)
        {
            int ks = b.CreateString(k), vs = b.CreateString(v);
            b.StartTable(2);
            b.AddOffset(0, ks);
            b.AddOffset(1, vs);
            kvs.Add(b.EndTable());
        }
        return b.CreateOffsetVector(kvs);
    }

    private static int WriteField(FlatBufferBuilder b, Field field, ref long nextDictId)
    {
        var type = field.DataType;
        var metadata = new Dictionary<string, string>(field.Metadata);
        if (type is ExtensionType ext)
        {
            metadata[ExtensionNameKey] = ext.ExtensionName;
            metadata[ExtensionMetadataKey] = ext.ExtensionMetadata;
            type = ext.StorageType;
        }
        int dictionary = 0;
        if (type is DictionaryType dt)
        {
            int indexType = WriteInt(b, dt.IndexType);
            b.StartTable(4);
            b.AddInt64(0, nextDictId++);
            b.AddOffset(1, indexType);
            b.AddBool(2, dt.Ordered);
            dictionary = b.EndTable();
            type = dt.ValueType;
        }
        IReadOnlyList<Field> childFields = type switch
        {
            ListType l => [l.ValueField],
            FixedSizeListType f => [f.ValueField],
            StructType s => s.Fields,
            _ => [],
        };
        var children = new int[childFields.Count];
        for (int i = 0; i < children.Length; i++) children[i] = WriteField(b, childFields[i], ref nextDictId);
        int childVec = b.CreateOffsetVector(children);
        var (code, typeTable) = WriteType(b, type, field.Name);
        int name = b.CreateString(field.Name);
        int meta = WriteMetadata(b, metadata);
        b.StartTable(7);
        b.AddOffset(0, name);
        b.AddBool(1, field.Nullable);
        b.AddByte(2, code);
        b.AddOffset(3, typeTable);
        if (dictionary != 0) b.AddOffset(4, dictionary);
        b.AddOffset(5, childVec);
        if (meta != 0) b.AddOffset(6, meta);
        return b.EndTable();
    }

    private static int WriteInt(FlatBufferBuilder b, PrimitiveType t)
    {
        b.StartTable(2);
        b.AddInt32(0, t.BitWidth);
        b.AddBool(1, t.IsSigned);
        return b.EndTable();
    }

    private static int WriteDecimal(FlatBufferBuilder b, int precision, int scale, int bitWidth)
    {
        b.StartTable(3);
        b.AddInt32(0, precision);
        b.AddInt32(1, scale);
        b.AddInt32(2, bitWidth);
        return b.EndTable();
    }

    private static int EmptyTable(FlatBufferBuilder b)
    {
        b.StartTable(0);
        return b.EndTable();
    }

    private static (byte Code, int Table) WriteType(FlatBufferBuilder b, DataType type, string fieldName)
    {
        switch (type)
        {
            case PrimitiveType { Id: TypeId.Boolean }: return (TBool, EmptyTable(b));
            case PrimitiveType { IsInteger: true } p: return (TInt, WriteInt(b, p));
            case PrimitiveType { IsFloatingPoint: true } p:
                b.StartTable(1);
                b.AddInt16(0, (short)(p.Id == TypeId.Float32 ? 1 : 2));
                return (TFloat, b.EndTable());
            case PrimitiveType { Id: TypeId.Date32 }:
                b.StartTable(1);
                b.AddInt16(0, 0); // DAY (the schema default is MILLISECOND, so it must be written)
                return (TDate, b.EndTable());
            case DecimalType d: return (TDecimal, WriteDecimal(b, d.Precision, d.Scale, 128));
            case Decimal256Type d: return (TDecimal, WriteDecimal(b, d.Precision, d.Scale, 256));
            case TimestampType ts:
                int tz = ts.TimeZone is null ? 0 : b.CreateString(ts.TimeZone);
                b.StartTable(2);
                b.AddInt16(0, (short)ts.Unit);
                if (tz != 0) b.AddOffset(1, tz);
                return (TTimestamp, b.EndTable());
            case VariableBinaryType v:
                return (v.Id switch { TypeId.Utf8 => TUtf8, TypeId.LargeUtf8 => TLargeUtf8, TypeId.Binary => TBinary, _ => TLargeBinary }, EmptyTable(b));
            case FixedSizeBinaryType fb:
                b.StartTable(1);
                b.AddInt32(0, fb.ByteWidth);
                return (TFixedSizeBinary, b.EndTable());
            case ListType: return (TList, EmptyTable(b));
            case StructType: return (TStruct, EmptyTable(b));
            case FixedSizeListType f:
                b.StartTable(1);
                b.AddInt32(0, f.ListSize);
                return (TFixedSizeList, b.EndTable());
            default:
                throw new NotSupportedException($"column '{fieldName}' has type {type}, which cannot be written to Arrow IPC");
        }
    }

    /// <summary>Reads a Schema table. <paramref name="dictionaryFields"/> receives the dictionary-encoded
    /// fields' ids and types in depth-first order.</summary>
    public static Schema Read(FlatTable schema, Dictionary<long, DictionaryType> dictionaryFields)
    {
        if (schema.GetInt16(0) != 0) throw new FlatBufferException("big-endian Arrow data is not supported");
        var fields = schema.GetVectorTables(1).Select(f => ReadField(f, dictionaryFields, 0)).ToArray();
        return new Schema(fields, ReadMetadata(schema, 2));
    }

    private static Dictionary<string, string> ReadMetadata(FlatTable t, int slot)
    {
        var result = new Dictionary<string, string>();
        foreach (var kv in t.GetVectorTables(slot))
            result[kv.GetString(0) ?? ""] = kv.GetString(1) ?? "";
        return result;
    }

    private static Field ReadField(FlatTable f, Dictionary<long, DictionaryType> dictionaryFields, int depth)
    {
        if (depth > 64) throw new FlatBufferException("fields are nested more than 64 levels deep");
        string name = f.GetString(0) ?? "";
        var children = f.GetVectorTables(5).Select(c => ReadField(c, dictionaryFields, depth + 1)).ToArray();
        byte code = f.GetByte(2);
        var typeTable = f.GetTable(3);
        DataType type = ReadType(code, typeTable, children, name);
        var metadata = ReadMetadata(f, 6);
        if (f.GetTable(4) is { } dict)
        {
            long id = dict.GetInt64(0);
            PrimitiveType index = dict.GetTable(1) is { } it ? IntType(it, name) : DataType.Int32;
            var dt = new DictionaryType(index, type, dict.GetBool(2));
            if (!dictionaryFields.TryAdd(id, dt)) throw new FlatBufferException($"dictionary id {id} is used by two fields");
            type = dt;
        }
        if (metadata.TryGetValue(ExtensionNameKey, out var extName))
        {
            var ext = ExtensionType.TryCreate(extName, metadata.GetValueOrDefault(ExtensionMetadataKey, ""), type);
            if (ext is not null)
            {
                metadata.Remove(ExtensionNameKey);
                metadata.Remove(ExtensionMetadataKey);
                type = ext;
            }
        }
        return new Field(name, type, f.GetBool(1), metadata);
    }

    private static PrimitiveType IntType(FlatTable t, string field)
    {
        bool signed = t.GetBool(1);
        return t.GetInt32(0) switch
        {
            8 => signed ? DataType.Int8 : DataType.UInt8,
            16 => signed ? DataType.Int16 : DataType.UInt16,
            32 => signed ? DataType.Int32 : DataType.UInt32,
            64 => signed ? DataType.Int64 : DataType.UInt64,
            var w => throw new FlatBufferException($"field '{field}': integer bit width {w} is invalid"),
        };
    }

    private static DataType ReadType(byte code, FlatTable? table, Field[] children, string field)
    {
        FlatTable T() => table ?? throw new FlatBufferException($"field '{field}' has no type table");
        int Expect(int n)
        {
            if (children.Length != n) throw new FlatBufferException($"field '{field}' of type {UnionNames[code]} has {children.Length} children, expected {n}");
            return n;
        }
        switch (code)
        {
            case TBool: return DataType.Boolean;
            case TInt: return IntType(T(), field);
            case TFloat:
                return T().GetInt16(0) switch
                {
                    1 => DataType.Float32,
                    2 => DataType.Float64,
                    var p => throw new FlatBufferException($"field '{field}': {(p == 0 ? "half-precision floats are" : $"float precision {p} is")} not supported"),
                };
            case TDate:
                if (T().GetInt16(0, 1) != 0) throw new FlatBufferException($"field '{field}': date64 (milliseconds) is not supported; QueryLake reads date32");
                return DataType.Date32;
            case TDecimal:
            {
                int precision = T().GetInt32(0), scale = T().GetInt32(1), width = T().GetInt32(2, 128);
                if (width is not (128 or 256)) throw new FlatBufferException($"field '{field}': decimal{width} is not supported; QueryLake reads decimal128 and decimal256");
                if (precision < 1 || precision > (width == 128 ? DecimalType.MaxPrecision : Decimal256Type.MaxPrecision) || scale < 0 || scale > precision)
                    throw new FlatBufferException($"field '{field}': decimal{width} precision {precision} and scale {scale} are invalid");
                // decimal256 is read as stored; the engine narrows it (Decimal256Type.EngineType).
                return width == 128 ? new DecimalType(precision, scale) : new Decimal256Type(precision, scale);
            }
            case TFixedSizeBinary:
            {
                int width = T().GetInt32(0);
                if (width < 1) throw new FlatBufferException($"field '{field}': fixed_size_binary width {width} is invalid");
                return new FixedSizeBinaryType(width);
            }
            case TTimestamp:
                short unit = T().GetInt16(0);
                if (unit is < 0 or > 3) throw new FlatBufferException($"field '{field}': timestamp unit {unit} is invalid");
                return new TimestampType((TimeUnit)unit, T().GetString(1));
            case TUtf8: return DataType.Utf8;
            case TLargeUtf8: return DataType.LargeUtf8;
            case TBinary: return DataType.Binary;
            case TLargeBinary: return DataType.LargeBinary;
            case TList: Expect(1); return new ListType(children[0]);
            case TFixedSizeList:
                Expect(1);
                int size = T().GetInt32(0);
                if (size < 0) throw new FlatBufferException($"field '{field}': fixed-size list size {size} is negative");
                return new FixedSizeListType(children[0], size);
            case TStruct: return new StructType(children);
            default:
                string what = code < UnionNames.Length ? UnionNames[code] : $"#{code}";
                throw new FlatBufferException($"field '{field}' has Arrow type {what}, which QueryLake does not support yet");
        }
    }
}
