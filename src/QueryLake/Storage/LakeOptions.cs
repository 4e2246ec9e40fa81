namespace QueryLake.Storage;

/// <summary>
/// How to reach a lake on S3-compatible object storage (<c>s3://bucket/prefix</c>), and how its commits are made safe.
/// Unset values come from the usual AWS environment variables (<c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c>,
/// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>) and the SDK's profile files. A
/// folder lake ignores them.
/// </summary>
public sealed record LakeOptions
{
    /// <summary>The store's endpoint URL (MinIO, R2, a local S3 server); null: AWS S3, or <c>AWS_ENDPOINT_URL</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The region; null: <c>AWS_REGION</c>, or us-east-1 for a custom endpoint.</summary>
    public string? Region { get; init; }

    /// <summary>Path-style addressing (http://host/bucket/key); null: automatic, on for an IP address or localhost.</summary>
    public bool? PathStyle { get; init; }

    /// <summary>A lock file on a local or POSIX path that serializes commits, for a store that does not honour
    /// conditional creates (<c>If-None-Match: *</c>). Without one, writing to such a store is refused.</summary>
    public string? CommitLock { get; init; }

    /// <summary>The default: everything from the environment.</summary>
    public static LakeOptions Default { get; } = new();
}
