namespace QueryLake.Formats.Parquet;

/// <summary>How <see cref="ParquetFileWriter"/> writes: codec, row group and page sizes, and the data page version.</summary>
public sealed record ParquetWriteOptions
{
    /// <summary>Page compression: "zstd" (the default), "snappy", "gzip", "lz4" (LZ4_RAW), "brotli" or "none".</summary>
    public string Compression { get; init; } = "zstd";

    /// <summary>Rows per row group (the unit of pruning and of parallel reading).</summary>
    public int RowGroupSize { get; init; } = 122_880;

    /// <summary>Rows per data page at most (pages are the unit of the page index).</summary>
    public int PageRows { get; init; } = 8_192;

    /// <summary>Write data page v2 headers (levels uncompressed, in front of the values) instead of v1.</summary>
    public bool DataPageV2 { get; init; }

    /// <summary>Dictionary-encode a column chunk when its dictionary has at most this many entries and the dictionary
    /// plus indices are smaller than the plain values.</summary>
    public int MaxDictionarySize { get; init; } = 1 << 16;

    /// <summary>Columns shredded and column chunks encoded at once (one per core by default).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    internal Metadata.CompressionCodec Codec => Compression.ToLowerInvariant() switch
    {
        "zstd" => Metadata.CompressionCodec.Zstd,
        "snappy" => Metadata.CompressionCodec.Snappy,
        "gzip" => Metadata.CompressionCodec.Gzip,
        "lz4" or "lz4_raw" => Metadata.CompressionCodec.Lz4Raw,
        "brotli" => Metadata.CompressionCodec.Brotli,
        "none" or "uncompressed" => Metadata.CompressionCodec.Uncompressed,
        _ => throw new ArgumentException($"unknown Parquet compression '{Compression}'; use zstd, snappy, gzip, lz4, brotli or none"),
    };
}
