namespace QueryLake.Formats.Ipc;

/// <summary>Buffer compression for Arrow IPC record batches.</summary>
public enum IpcCompression
{
    /// <summary>Buffers are stored as they are (and can be memory-mapped without copying).</summary>
    None,
    /// <summary>LZ4 frame format (read only: QueryLake writes ZSTD).</summary>
    Lz4Frame,
    /// <summary>Zstandard.</summary>
    Zstd,
}
