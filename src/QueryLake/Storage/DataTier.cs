namespace QueryLake.Storage;

/// <summary>Where a fragment's data lives and in what format.</summary>
public enum DataTier
{
    /// <summary>Arrow IPC files: memory-mapped in a folder lake, read by column ranges on object storage; fast random take.</summary>
    Hot,

    /// <summary>Parquet files compressed with zstd: compact for archive, and readable by other tools (DuckDB, pyarrow,
    /// Spark) without QueryLake.</summary>
    Cold,
}
