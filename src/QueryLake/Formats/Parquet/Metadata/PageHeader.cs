using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>A page header (parquet.thrift <c>PageHeader</c>, with the data page v1/v2 and dictionary headers flattened).</summary>
internal sealed class PageHeader
{
    public PageType Type;
    public int UncompressedSize;
    public int CompressedSize;
    public int NumValues;
    public ParquetEncoding Encoding;
    public ParquetEncoding DefinitionEncoding = ParquetEncoding.Rle;
    public ParquetEncoding RepetitionEncoding = ParquetEncoding.Rle;
    // Data page v2.
    public int NumNulls;
    public int NumRows;
    public int DefinitionLevelsLength;
    public int RepetitionLevelsLength;
    public bool IsCompressed = true;
    public Statistics? Statistics;

    public static PageHeader Read(ref ThriftReader r)
    {
        var h = new PageHeader();
        r.EnterStruct();
        short last = 0;
        bool any = false;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): h.Type = (PageType)r.ReadI32(); break;
                case (2, ThriftType.I32): h.UncompressedSize = r.ReadI32(); break;
                case (3, ThriftType.I32): h.CompressedSize = r.ReadI32(); break;
                case (5, ThriftType.Struct): ReadDataV1(ref r, h); any = true; break;
                case (7, ThriftType.Struct): ReadDictionary(ref r, h); any = true; break;
                case (8, ThriftType.Struct): ReadDataV2(ref r, h); any = true; break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        if (h.UncompressedSize < 0 || h.CompressedSize < 0) throw new ParquetFormatException($"a page header declares a negative size ({h.CompressedSize} compressed, {h.UncompressedSize} uncompressed)");
        if (!any && h.Type != PageType.IndexPage) throw new ParquetFormatException($"a {h.Type} page has no type-specific header");
        if (h.NumValues < 0) throw new ParquetFormatException($"a page declares {h.NumValues} values");
        return h;
    }

    private static void ReadDataV1(ref ThriftReader r, PageHeader h)
    {
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): h.NumValues = r.ReadI32(); break;
                case (2, ThriftType.I32): h.Encoding = (ParquetEncoding)r.ReadI32(); break;
                case (3, ThriftType.I32): h.DefinitionEncoding = (ParquetEncoding)r.ReadI32(); break;
                case (4, ThriftType.I32): h.RepetitionEncoding = (ParquetEncoding)r.ReadI32(); break;
                case (5, ThriftType.Struct): h.Statistics = Statistics.Read(ref r); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
    }

    private static void ReadDictionary(ref ThriftReader r, PageHeader h)
    {
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): h.NumValues = r.ReadI32(); break;
                case (2, ThriftType.I32): h.Encoding = (ParquetEncoding)r.ReadI32(); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
    }

    private static void ReadDataV2(ref ThriftReader r, PageHeader h)
    {
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.I32): h.NumValues = r.ReadI32(); break;
                case (2, ThriftType.I32): h.NumNulls = r.ReadI32(); break;
                case (3, ThriftType.I32): h.NumRows = r.ReadI32(); break;
                case (4, ThriftType.I32): h.Encoding = (ParquetEncoding)r.ReadI32(); break;
                case (5, ThriftType.I32): h.DefinitionLevelsLength = r.ReadI32(); break;
                case (6, ThriftType.I32): h.RepetitionLevelsLength = r.ReadI32(); break;
                case (7, ThriftType.BoolTrue or ThriftType.BoolFalse): h.IsCompressed = ThriftReader.BoolOf(t); break;
                case (8, ThriftType.Struct): h.Statistics = Statistics.Read(ref r); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        if (h.DefinitionLevelsLength < 0 || h.RepetitionLevelsLength < 0 || (long)h.DefinitionLevelsLength + h.RepetitionLevelsLength > h.CompressedSize)
            throw new ParquetFormatException($"a v2 data page's level lengths ({h.RepetitionLevelsLength} + {h.DefinitionLevelsLength}) exceed the page ({h.CompressedSize} bytes)");
    }

    public void Write(ThriftWriter w)
    {
        w.BeginStruct();
        w.I32(1, (int)Type);
        w.I32(2, UncompressedSize);
        w.I32(3, CompressedSize);
        switch (Type)
        {
            case PageType.DataPage:
                w.StructField(5);
                w.I32(1, NumValues); w.I32(2, (int)Encoding); w.I32(3, (int)ParquetEncoding.Rle); w.I32(4, (int)ParquetEncoding.Rle);
                Statistics?.Write(w, 5);
                w.EndStruct();
                break;
            case PageType.DictionaryPage:
                w.StructField(7);
                w.I32(1, NumValues); w.I32(2, (int)ParquetEncoding.Plain);
                w.EndStruct();
                break;
            case PageType.DataPageV2:
                w.StructField(8);
                w.I32(1, NumValues); w.I32(2, NumNulls); w.I32(3, NumRows); w.I32(4, (int)Encoding);
                w.I32(5, DefinitionLevelsLength); w.I32(6, RepetitionLevelsLength); w.Bool(7, IsCompressed);
                Statistics?.Write(w, 8);
                w.EndStruct();
                break;
        }
        w.EndStruct();
    }
}
