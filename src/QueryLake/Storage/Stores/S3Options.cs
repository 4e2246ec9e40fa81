namespace QueryLake.Storage.Stores;

/// <summary>
/// How to reach an S3-compatible store. Unset values come from the usual AWS environment variables
/// (<c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c>, <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>,
/// <c>AWS_SESSION_TOKEN</c>, <c>AWS_PROFILE</c>) and then from the SDK's default chain (profile files, instance roles).
/// Path-style addressing is used when asked, and by itself when the endpoint is an IP address or localhost.
/// </summary>
internal sealed record S3Options
{
    public string? Endpoint { get; init; }
    public string? Region { get; init; }
    public bool? PathStyle { get; init; }
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    public string? SessionToken { get; init; }

    /// <summary>Whether the store honours <c>If-None-Match: *</c> on PUT (AWS S3, MinIO, R2 and GCS do).</summary>
    public bool ConditionalCreates { get; init; } = true;

    /// <summary>Objects larger than this are uploaded in parts.</summary>
    public int MultipartThreshold { get; init; } = 16 << 20;

    /// <summary>The size of each part of a multipart upload (S3's minimum is 5 MiB, except the last).</summary>
    public int PartSize { get; init; } = 8 << 20;

    /// <summary>Attempts per request before an error is reported (retries back off exponentially, on 5xx answers,
    /// throttling and connection resets).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The options with unset values taken from the environment.</summary>
    public S3Options WithEnvironment(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        return this with
        {
            Endpoint = Endpoint ?? variable("AWS_ENDPOINT_URL_S3") ?? variable("AWS_ENDPOINT_URL"),
            Region = Region ?? variable("AWS_REGION") ?? variable("AWS_DEFAULT_REGION"),
            AccessKey = AccessKey ?? variable("AWS_ACCESS_KEY_ID"),
            SecretKey = SecretKey ?? variable("AWS_SECRET_ACCESS_KEY"),
            SessionToken = SessionToken ?? variable("AWS_SESSION_TOKEN"),
        };
    }

    /// <summary>Whether requests address the bucket in the path (http://host/bucket/key) rather than the host name.</summary>
    public bool UsesPathStyle => PathStyle ?? (Endpoint is { } e && Uri.TryCreate(e, UriKind.Absolute, out var uri)
        && (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Never shows the secret: records print their properties, and options end up in messages.</summary>
    public override string ToString() =>
        $"S3Options {{ Endpoint = {Endpoint ?? "(default)"}, Region = {Region ?? "(default)"}, PathStyle = {UsesPathStyle}, AccessKey = {(AccessKey is null ? "(default chain)" : "***")} }}";
}
