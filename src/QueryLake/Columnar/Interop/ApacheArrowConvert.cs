using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using A = Apache.Arrow;
using AT = Apache.Arrow.Types;

namespace QueryLake.Columnar.Interop;

/// <summary>
/// Converts between QueryLake's columnar types and Apache.Arrow's, <b>without copying</b>: both keep buffers as
/// <see cref="ReadOnlyMemory{T}"/>, in the same Arrow layout, so a converted array shares its buffers with the
/// original (it keeps them alive: a mapped file stays mapped while a converted array refers to it). Extension types
/// (<c>querylake.embedding</c>, <c>querylake.image</c>, <c>arrow.fixed_shape_tensor</c>,
/// <c>arrow.variable_shape_tensor</c>, intervals) travel as their storage type with the <c>ARROW:extension:name</c>
/// and <c>ARROW:extension:metadata</c> field metadata, as in Arrow IPC, and are rebuilt from it on the way in.
/// Apache.Arrow types QueryLake does not have fail with QL-UNSUPPORTED-TYPE naming the field.
/// </summary>
internal static class ApacheArrowConvert
{
    // ---- QueryLake → Apache.Arrow ----

    public static A.Schema ToApache(Schema schema) =>
        new(schema.Fields.Select(ToApache), schema.Metadata.Count == 0 ? null : schema.Metadata);

    public static A.Field ToApache(Field field)
    {
        var metadata = new Dictionary<string, string>(field.Metadata);
        var type = field.DataType;
        if (type is ExtensionType ext)
        {
            metadata[ArrowSchemaCodec.ExtensionNameKey] = ext.ExtensionName;
            metadata[ArrowSchemaCodec.ExtensionMetadataKey] = ext.ExtensionMetadata;
            type = ext.StorageType;
        }
        return new A.Field(field.Name, ToApache(type, field.Name), field.Nullable, metadata.Count == 0 ? null : metadata);
    }

    private static AT.IArrowType ToApache(DataType type, string field) => type switch
    {
        ExtensionType e => ToApache(e.StorageType, field),
        PrimitiveType p => p.Id switch
        {
            TypeId.Boolean => AT.BooleanType.Default,
            TypeId.Int8 => AT.Int8Type.Default,
            TypeId.Int16 => AT.Int16Type.Default,
            TypeId.Int32 => AT.Int32Type.Default,
            TypeId.Int64 => AT.Int64Type.Default,
            TypeId.UInt8 => AT.UInt8Type.Default,
            TypeId.UInt16 => AT.UInt16Type.Default,
            TypeId.UInt32 => AT.UInt32Type.Default,
            TypeId.UInt64 => AT.UInt64Type.Default,
            TypeId.Float32 => AT.FloatType.Default,
            TypeId.Float64 => AT.DoubleType.Default,
            TypeId.Date32 => AT.Date32Type.Default,
            _ => throw Unsupported(field, type.ToString()),
        },
        VariableBinaryType v => v.Id switch
        {
            TypeId.Utf8 => AT.StringType.Default,
            TypeId.LargeUtf8 => AT.LargeStringType.Default,
            TypeId.Binary => AT.BinaryType.Default,
            _ => AT.LargeBinaryType.Default,
        },
        TimestampType t => new AT.TimestampType(t.Unit switch
        {
            TimeUnit.Second => AT.TimeUnit.Second,
            TimeUnit.Millisecond => AT.TimeUnit.Millisecond,
            TimeUnit.Microsecond => AT.TimeUnit.Microsecond,
            _ => AT.TimeUnit.Nanosecond,
        }, t.TimeZone),
        DecimalType d => new AT.Decimal128Type(d.Precision, d.Scale),
        FixedSizeBinaryType f => new AT.FixedSizeBinaryType(f.ByteWidth),
        ListType l => new AT.ListType(ToApache(l.ValueField)),
        FixedSizeListType f => new AT.FixedSizeListType(ToApache(f.ValueField), f.ListSize),
        StructType s => new AT.StructType(s.Fields.Select(ToApache).ToList()),
        DictionaryType d => new AT.DictionaryType(ToApache(d.IndexType, field), ToApache(d.ValueType, field), d.Ordered),
        NullType => AT.NullType.Default,
        _ => throw Unsupported(field, type.ToString()),
    };

    public static A.ArrayData ToApache(ArrayData data, string field = "")
    {
        var type = ToApache(data.Type, field);
        if (data.Type.StorageType is NullType)
            return new A.ArrayData(type, data.Length, data.Length, 0, [A.ArrowBuffer.Empty]);
        var buffers = data.Buffers.Select(b => b.IsEmpty ? A.ArrowBuffer.Empty : new A.ArrowBuffer(b.Memory)).ToArray();
        var children = data.Children.Select(c => ToApache(c, field)).ToArray();
        var dictionary = data.Dictionary is { } dict ? ToApache(dict, field)
            : data.Type.StorageType is DictionaryType dt ? ToApache(Builders.ArrayBuilder.Create(dt.ValueType).BuildData(), field) : null;
        return new A.ArrayData(type, data.Length, data.NullCount, data.Offset, buffers, children, dictionary);
    }

    public static A.RecordBatch ToApache(RecordBatch batch, A.Schema? schema = null)
    {
        schema ??= ToApache(batch.Schema);
        var arrays = new A.IArrowArray[batch.Columns.Count];
        for (int i = 0; i < arrays.Length; i++)
            arrays[i] = A.ArrowArrayFactory.BuildArray(ToApache(batch.Columns[i].Data, batch.Schema.Fields[i].Name));
        return new A.RecordBatch(schema, arrays, batch.Length);
    }

    // ---- Apache.Arrow → QueryLake ----

    public static Schema FromApache(A.Schema schema) =>
        new(schema.FieldsList.Select(FromApache).ToList(), schema.Metadata is { Count: > 0 } m ? new Dictionary<string, string>(m) : null);

    public static Field FromApache(A.Field field)
    {
        var type = FromApache(field.DataType, field.Name);
        var metadata = field.HasMetadata ? new Dictionary<string, string>(field.Metadata) : new Dictionary<string, string>();
        if (metadata.TryGetValue(ArrowSchemaCodec.ExtensionNameKey, out var name)
            && ExtensionType.TryCreate(name, metadata.GetValueOrDefault(ArrowSchemaCodec.ExtensionMetadataKey, ""), type) is { } ext)
        {
            metadata.Remove(ArrowSchemaCodec.ExtensionNameKey);
            metadata.Remove(ArrowSchemaCodec.ExtensionMetadataKey);
            type = ext;
        }
        return new Field(field.Name, type, field.IsNullable, metadata.Count == 0 ? null : metadata);
    }

    private static DataType FromApache(AT.IArrowType type, string field) => type switch
    {
        AT.BooleanType => DataType.Boolean,
        AT.Int8Type => DataType.Int8,
        AT.Int16Type => DataType.Int16,
        AT.Int32Type => DataType.Int32,
        AT.Int64Type => DataType.Int64,
        AT.UInt8Type => DataType.UInt8,
        AT.UInt16Type => DataType.UInt16,
        AT.UInt32Type => DataType.UInt32,
        AT.UInt64Type => DataType.UInt64,
        AT.FloatType => DataType.Float32,
        AT.DoubleType => DataType.Float64,
        AT.Date32Type => DataType.Date32,
        AT.StringType => DataType.Utf8,
        AT.LargeStringType => DataType.LargeUtf8,
        AT.BinaryType => DataType.Binary,
        AT.LargeBinaryType => DataType.LargeBinary,
        AT.TimestampType t => new TimestampType(t.Unit switch
        {
            AT.TimeUnit.Second => TimeUnit.Second,
            AT.TimeUnit.Millisecond => TimeUnit.Millisecond,
            AT.TimeUnit.Microsecond => TimeUnit.Microsecond,
            _ => TimeUnit.Nanosecond,
        }, t.Timezone),
        AT.Decimal128Type d when d.Precision is >= 1 and <= DecimalType.MaxPrecision && d.Scale >= 0 && d.Scale <= d.Precision => new DecimalType(d.Precision, d.Scale),
        // decimal256: as the engine reads it from an Arrow IPC file (Decimal256Type.EngineType).
        AT.Decimal256Type d when d.Precision is >= 1 and <= Decimal256Type.MaxPrecision && d.Scale >= 0 && d.Scale <= d.Precision => new Decimal256Type(d.Precision, d.Scale).EngineType,
        AT.FixedSizeBinaryType f when f.ByteWidth > 0 && f is not (AT.Decimal128Type or AT.Decimal256Type) => new FixedSizeBinaryType(f.ByteWidth),
        AT.ListType l => new ListType(FromApache(l.ValueField)),
        AT.FixedSizeListType f => new FixedSizeListType(FromApache(f.ValueField), f.ListSize),
        AT.StructType s => new StructType(s.Fields.Select(FromApache).ToList()),
        AT.DictionaryType d when FromApache(d.IndexType, field) is PrimitiveType index && IsInteger(index) =>
            new DictionaryType(index, FromApache(d.ValueType, field), d.Ordered),
        AT.NullType => NullType.Instance,
        _ => throw Unsupported(field, type.Name),
    };

    private static bool IsInteger(PrimitiveType t) => t.Id is TypeId.Int8 or TypeId.Int16 or TypeId.Int32 or TypeId.Int64
        or TypeId.UInt8 or TypeId.UInt16 or TypeId.UInt32 or TypeId.UInt64;

    /// <summary>The array's data as QueryLake's, typed <paramref name="type"/> (the field's type: an extension is kept).
    /// With <paramref name="copy"/>, the buffers are copied into memory QueryLake owns: for producers that free or reuse
    /// a batch's memory once the next one is read (DuckDB's Arrow stream does).</summary>
    public static ArrayData FromApache(A.ArrayData data, DataType type, bool copy = false)
    {
        var storage = type.StorageType;
        if (storage is NullType) return new ArrayData(type, data.Length, 0, 0, []);
        if (data.DataType is AT.Decimal256Type wide) return FromDecimal256(data, wide, type);
        // Views keep the Apache.Arrow array (and so its buffers' owners) alive: see KeptAliveMemory.
        var buffers = data.Buffers.Select(b => b.IsEmpty ? ArrowBuffer.Empty
            : copy ? ArrowBuffer.Copy(b.Span) : new ArrowBuffer(new KeptAliveMemory(b.Memory, data).Memory)).ToArray();
        // Apache.Arrow may hand a validity buffer with no nulls; QueryLake's empty buffer says the same.
        if (buffers.Length > 0 && data.NullCount == 0) buffers[0] = ArrowBuffer.Empty;
        ArrayData[] children = storage switch
        {
            ListType l => [FromApache(data.Children[0], l.ValueType, copy)],
            FixedSizeListType f => [FromApache(data.Children[0], f.ValueType, copy)],
            StructType s => s.Fields.Select((f, i) => FromApache(data.Children[i], f.DataType, copy)).ToArray(),
            _ => [],
        };
        var dictionary = storage is DictionaryType dt && data.Dictionary is { } d ? FromApache(d, dt.ValueType, copy) : null;
        return new ArrayData(type, data.Length, data.Offset, data.NullCount, buffers, children, dictionary);
    }

    /// <summary>decimal256 values as <paramref name="type"/> (see <see cref="Decimal256Values"/>).</summary>
    private static ArrayData FromDecimal256(A.ArrayData data, AT.Decimal256Type wide, DataType type) =>
        Decimal256Values.ToEngine(wide.Precision, wide.Scale, data.Buffers[1].Span, data.Buffers[0].Span, data.Offset, data.Length, data.NullCount, type);

    public static RecordBatch FromApache(A.RecordBatch batch, Schema? schema = null)
    {
        schema ??= FromApache(batch.Schema);
        var columns = new ArrowArray[batch.ColumnCount];
        for (int i = 0; i < columns.Length; i++)
            columns[i] = ArrowArray.FromData(FromApache(batch.Column(i).Data, schema.Fields[i].DataType));
        return new RecordBatch(schema, columns, batch.Length);
    }

    private static QueryLakeException Unsupported(string field, string type) =>
        new("QL-UNSUPPORTED-TYPE", $"column '{field}' has Arrow type {type}, which QueryLake does not support; cast it to a supported type first (see docs/sql.md, Types)");
}
