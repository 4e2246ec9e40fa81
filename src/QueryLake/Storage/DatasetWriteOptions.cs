using QueryLake.Formats.Ipc;

namespace QueryLake.Storage;

/// <summary>How data files are laid out when a dataset is written.</summary>
public sealed record DatasetWriteOptions
{
    /// <summary>A fragment's data file rolls over after this many rows (default 1,048,576).</summary>
    public int MaxRowsPerFile { get; init; } = 1 << 20;

    /// <summary>A data file rolls over after about this many bytes (default 1 GiB).</summary>
    public long MaxBytesPerFile { get; init; } = 1L << 30;

    /// <summary>Incoming batches are cut to at most this many rows (default 65,536), the unit of random access.</summary>
    public int MaxRowsPerBatch { get; init; } = 1 << 16;

    /// <summary>Buffer compression of data files. None (the default) keeps files memory-mappable without copying.</summary>
    public IpcCompression Compression { get; init; } = IpcCompression.None;

    /// <summary>Store text columns whose values repeat (at most one distinct value in four rows) dictionary-encoded:
    /// smaller files, and filters, groupings and joins on them work on the indices (default true).</summary>
    public bool DictionaryEncodeText { get; init; } = true;

    /// <summary>Compaction merges fragments with fewer live rows than this (default 262,144).</summary>
    public int CompactBelowRows { get; init; } = 1 << 18;

    /// <summary>How often a writer that lost a commit race retries before giving up (default 100).</summary>
    public int MaxCommitAttempts { get; init; } = 100;

    /// <summary>The defaults.</summary>
    public static DatasetWriteOptions Default { get; } = new();
}
