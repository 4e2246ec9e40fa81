namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>Parquet's physical types (parquet.thrift <c>Type</c>).</summary>
internal enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Int96 = 3, Float = 4, Double = 5, ByteArray = 6, FixedLenByteArray = 7 }

/// <summary>Field repetition (parquet.thrift <c>FieldRepetitionType</c>).</summary>
internal enum Repetition { Required = 0, Optional = 1, Repeated = 2 }

/// <summary>Value and level encodings (parquet.thrift <c>Encoding</c>).</summary>
internal enum ParquetEncoding
{
    Plain = 0, PlainDictionary = 2, Rle = 3, BitPacked = 4, DeltaBinaryPacked = 5, DeltaLengthByteArray = 6,
    DeltaByteArray = 7, RleDictionary = 8, ByteStreamSplit = 9,
}

/// <summary>Page compression codecs (parquet.thrift <c>CompressionCodec</c>).</summary>
internal enum CompressionCodec { Uncompressed = 0, Snappy = 1, Gzip = 2, Lzo = 3, Brotli = 4, Lz4 = 5, Zstd = 6, Lz4Raw = 7 }

/// <summary>Page kinds (parquet.thrift <c>PageType</c>).</summary>
internal enum PageType { DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3 }

/// <summary>The deprecated converted types, still written beside logical types for old readers.</summary>
internal enum ConvertedType
{
    Utf8 = 0, Map = 1, MapKeyValue = 2, List = 3, Enum = 4, Decimal = 5, Date = 6, TimeMillis = 7, TimeMicros = 8,
    TimestampMillis = 9, TimestampMicros = 10, UInt8 = 11, UInt16 = 12, UInt32 = 13, UInt64 = 14, Int8 = 15, Int16 = 16,
    Int32 = 17, Int64 = 18, Json = 19, Bson = 20, Interval = 21,
}

/// <summary>The logical type annotations (parquet.thrift <c>LogicalType</c> union members), by field id.</summary>
internal enum LogicalKind
{
    None = 0, String = 1, Map = 2, List = 3, Enum = 4, Decimal = 5, Date = 6, Time = 7, Timestamp = 8, Integer = 10,
    Unknown = 11, Json = 12, Bson = 13, Uuid = 14, Float16 = 15, Variant = 16, Geometry = 17, Geography = 18,
}
