using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>A column chunk (parquet.thrift <c>ColumnChunk</c> with its <c>ColumnMetaData</c> inlined) and where its
/// page index lives.</summary>
internal sealed class ColumnChunk
{
    public PhysicalType Type;
    public List<ParquetEncoding> Encodings = [];
    public List<string> Path = [];
    public CompressionCodec Codec;
    public long NumValues;
    public long TotalUncompressedSize;
    public long TotalCompressedSize;
    public long DataPageOffset;
    public long? DictionaryPageOffset;
    public Statistics? Statistics;
    public long? OffsetIndexOffset;
    public int OffsetIndexLength;
    public long? ColumnIndexOffset;
    public int ColumnIndexLength;
    public bool HasMetaData;

    /// <summary>Where the chunk's first page starts (the dictionary page when there is one).</summary>
    public long StartOffset => DictionaryPageOffset is { } d && d > 0 && d < DataPageOffset ? d : DataPageOffset;

    public static ColumnChunk Read(ref ThriftReader r)
    {
        var c = new ColumnChunk();
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (3, ThriftType.Struct): ReadMeta(ref r, c); c.HasMetaData = true; break;
                case (4, ThriftType.I64): c.OffsetIndexOffset = r.ReadI64(); break;
                case (5, ThriftType.I32): c.OffsetIndexLength = r.ReadI32(); break;
                case (6, ThriftType.I64): c.ColumnIndexOffset = r.ReadI64(); break;
                case (7, ThriftType.I32): c.ColumnIndexLength = r.ReadI32(); break;
                case (8 or 9, _): throw new ParquetFormatException("encrypted column chunks are not supported");
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        if (!c.HasMetaData) throw new ParquetFormatException("a column chunk has no metadata");
        return c;
    }

    private static void ReadMeta(ref ThriftReader r, ColumnChunk c)
    {
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): c.Type = (PhysicalType)r.ReadI32(); break;
                case (2, ThriftType.List): { int n = r.ReadListHeader(out _); for (int i = 0; i < n; i++) c.Encodings.Add((ParquetEncoding)r.ReadI32()); break; }
                case (3, ThriftType.List): { int n = r.ReadListHeader(out _); for (int i = 0; i < n; i++) c.Path.Add(r.ReadString()); break; }
                case (4, ThriftType.I32): c.Codec = (CompressionCodec)r.ReadI32(); break;
                case (5, ThriftType.I64): c.NumValues = r.ReadI64(); break;
                case (6, ThriftType.I64): c.TotalUncompressedSize = r.ReadI64(); break;
                case (7, ThriftType.I64): c.TotalCompressedSize = r.ReadI64(); break;
                case (9, ThriftType.I64): c.DataPageOffset = r.ReadI64(); break;
                case (11, ThriftType.I64): c.DictionaryPageOffset = r.ReadI64(); break;
                case (12, ThriftType.Struct): c.Statistics = Statistics.Read(ref r); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
    }

    public void Write(ThriftWriter w)
    {
        w.BeginStruct();
        w.I64(2, 0);
        w.StructField(3);
        w.I32(1, (int)Type);
        w.ListField(2, ThriftType.I32, Encodings.Count);
        foreach (var e in Encodings) w.I32Element((int)e);
        w.ListField(3, ThriftType.Binary, Path.Count);
        foreach (var p in Path) w.StringElement(p);
        w.I32(4, (int)Codec);
        w.I64(5, NumValues);
        w.I64(6, TotalUncompressedSize);
        w.I64(7, TotalCompressedSize);
        w.I64(9, DataPageOffset);
        if (DictionaryPageOffset is { } d) w.I64(11, d);
        Statistics?.Write(w, 12);
        w.EndStruct();
        if (OffsetIndexOffset is { } oi) { w.I64(4, oi); w.I32(5, OffsetIndexLength); }
        if (ColumnIndexOffset is { } ci) { w.I64(6, ci); w.I32(7, ColumnIndexLength); }
        w.EndStruct();
    }
}
