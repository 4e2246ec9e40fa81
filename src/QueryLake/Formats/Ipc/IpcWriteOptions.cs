namespace QueryLake.Formats.Ipc;

/// <summary>Options for <see cref="ArrowFileWriter"/> and <see cref="ArrowStreamWriter"/>.</summary>
public sealed record IpcWriteOptions
{
    /// <summary>Buffer compression. QueryLake writes <see cref="IpcCompression.None"/> or <see cref="IpcCompression.Zstd"/>.</summary>
    public IpcCompression Compression { get; init; } = IpcCompression.None;

    /// <summary>ZSTD level (1–22).</summary>
    public int ZstdLevel { get; init; } = 3;

    /// <summary>The defaults: no compression.</summary>
    public static IpcWriteOptions Default { get; } = new();
}
