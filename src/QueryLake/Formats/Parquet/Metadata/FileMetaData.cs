using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>The footer (parquet.thrift <c>FileMetaData</c>): the flattened schema, the row groups and key/value metadata.</summary>
internal sealed class FileMetaData
{
    public int Version = 2;
    public List<SchemaElement> Schema = [];
    public long NumRows;
    public List<RowGroup> RowGroups = [];
    public List<KeyValuePair<string, string?>> KeyValues = [];
    public string? CreatedBy;

    public static FileMetaData Read(ReadOnlySpan<byte> bytes)
    {
        var r = new ThriftReader(bytes);
        var m = new FileMetaData();
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): m.Version = r.ReadI32(); break;
                case (2, ThriftType.List): { int n = r.ReadListHeader(out _); for (int i = 0; i < n; i++) m.Schema.Add(SchemaElement.Read(ref r)); break; }
                case (3, ThriftType.I64): m.NumRows = r.ReadI64(); break;
                case (4, ThriftType.List): { int n = r.ReadListHeader(out _); for (int i = 0; i < n; i++) m.RowGroups.Add(RowGroup.Read(ref r)); break; }
                case (5, ThriftType.List): { int n = r.ReadListHeader(out _); for (int i = 0; i < n; i++) m.KeyValues.Add(ReadKeyValue(ref r)); break; }
                case (6, ThriftType.Binary): m.CreatedBy = r.ReadString(); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        if (m.Schema.Count == 0) throw new ParquetFormatException("the footer has no schema");
        return m;
    }

    private static KeyValuePair<string, string?> ReadKeyValue(ref ThriftReader r)
    {
        r.EnterStruct();
        short last = 0;
        string key = "";
        string? value = null;
        while (r.NextField(ref last, out var t, out var id))
        {
            if (id == 1 && t == ThriftType.Binary) key = r.ReadString();
            else if (id == 2 && t == ThriftType.Binary) value = r.ReadString();
            else r.Skip(t);
        }
        r.ExitStruct();
        return new(key, value);
    }

    public void Write(ThriftWriter w)
    {
        w.BeginStruct();
        w.I32(1, Version);
        w.ListField(2, ThriftType.Struct, Schema.Count);
        foreach (var s in Schema) s.Write(w);
        w.I64(3, NumRows);
        w.ListField(4, ThriftType.Struct, RowGroups.Count);
        foreach (var g in RowGroups) g.Write(w);
        if (KeyValues.Count > 0)
        {
            w.ListField(5, ThriftType.Struct, KeyValues.Count);
            foreach (var kv in KeyValues)
            {
                w.BeginStruct();
                w.String(1, kv.Key);
                if (kv.Value is not null) w.String(2, kv.Value);
                w.EndStruct();
            }
        }
        if (CreatedBy is not null) w.String(6, CreatedBy);
        w.EndStruct();
    }
}
