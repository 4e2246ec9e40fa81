using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Data;

/// <summary>Arrow values as the CLR values ADO.NET callers expect: strings, byte[], float[] for embeddings, object?[]
/// for lists, dictionaries for structs, DateTime for dates and timestamps, Guid for UUIDs.</summary>
internal static class ValueConverter
{
    public static Type ClrType(DataType type) => type switch
    {
        EmbeddingType => typeof(float[]),
        UuidType => typeof(Guid),
        _ => type.StorageType switch
        {
            PrimitiveType { Id: TypeId.Boolean } => typeof(bool),
            PrimitiveType { Id: TypeId.Int8 } => typeof(sbyte),
            PrimitiveType { Id: TypeId.Int16 } => typeof(short),
            PrimitiveType { Id: TypeId.Int32 } => typeof(int),
            PrimitiveType { Id: TypeId.Int64 } => typeof(long),
            PrimitiveType { Id: TypeId.UInt8 } => typeof(byte),
            PrimitiveType { Id: TypeId.UInt16 } => typeof(ushort),
            PrimitiveType { Id: TypeId.UInt32 } => typeof(uint),
            PrimitiveType { Id: TypeId.UInt64 } => typeof(ulong),
            PrimitiveType { Id: TypeId.Float32 } => typeof(float),
            PrimitiveType { Id: TypeId.Float64 } => typeof(double),
            DecimalType => typeof(decimal),
            PrimitiveType { Id: TypeId.Date32 } or TimestampType => typeof(DateTime),
            VariableBinaryType { IsUtf8: true } => typeof(string),
            VariableBinaryType or FixedSizeBinaryType => typeof(byte[]),
            DictionaryType d => ClrType(d.ValueType),
            FixedSizeListType { ValueType.Id: TypeId.Float32 } => typeof(float[]),
            ListType or FixedSizeListType => typeof(object[]),
            StructType => typeof(Dictionary<string, object?>),
            _ => typeof(object),
        },
    };

    public static object? ToClr(ArrowArray a, int i)
    {
        if (a.IsNull(i)) return null;
        switch (a)
        {
            case FixedSizeListArray f when f.Values is PrimitiveArray<float>:
                return f.GetFloats(i).ToArray();
            case FixedSizeListArray f:
                return Elements(f.GetSlice(i));
            case ListArray l:
                return Elements(l.GetSlice(i));
            case StructArray s:
                {
                    var d = new Dictionary<string, object?>();
                    for (int j = 0; j < s.StructType.Fields.Count; j++) d[s.StructType.Fields[j].Name] = ToClr(s.Field(j), i);
                    return d;
                }
            case BinaryArray b when b.Type.StorageType is VariableBinaryType { IsUtf8: false }:
                return b.GetBytes(i).ToArray();
        }
        return a.GetValue(i) switch
        {
            DateOnly d => d.ToDateTime(TimeOnly.MinValue),
            DateTime t when a.Type.StorageType is TimestampType { TimeZone: not null } => DateTime.SpecifyKind(t, DateTimeKind.Utc),
            // A TIMESTAMP without a zone is a wall-clock time, as Npgsql and Microsoft.Data.Sqlite return it.
            DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Unspecified),
            var v => v,
        };
    }

    private static object?[] Elements(ArrowArray slice)
    {
        var items = new object?[slice.Length];
        for (int k = 0; k < items.Length; k++) items[k] = ToClr(slice, k);
        return items;
    }
}
