namespace QueryLake.Export;

/// <summary>How COPY writes: the format and its settings, and for training output the number of shards and the
/// shuffle seed.</summary>
/// <param name="Format">parquet, arrow, csv, json (JSON Lines) or webdataset.</param>
/// <param name="Delimiter">The CSV delimiter.</param>
/// <param name="Compression">The codec (Arrow: zstd or none; Parquet: zstd, snappy, gzip, lz4, brotli or none).</param>
/// <param name="RowGroupSize">Parquet rows per row group.</param>
/// <param name="Shards">Write this many files into the target directory (rows dealt round-robin, or in contiguous
/// runs after a shuffle); null writes one file at the target.</param>
/// <param name="ShuffleSeed">Shuffle the rows with this seed (a full permutation) before writing; null keeps order.</param>
internal sealed record ExportOptions(string Format, char Delimiter = ',', string? Compression = null, int RowGroupSize = 122_880, int? Shards = null, long? ShuffleSeed = null)
{
    /// <summary>Temporary files a killed COPY left beside a target are removed once older than this (the session's
    /// <c>vacuum_grace</c>).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The file extension of one output file.</summary>
    public string Extension => Format switch { "webdataset" => "tar", "json" => "jsonl", var f => f };
}
