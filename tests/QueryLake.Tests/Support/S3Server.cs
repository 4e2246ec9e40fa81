using Amazon.S3;
using Amazon.Runtime;

namespace QueryLake.Tests.Support;

/// <summary>
/// A real S3 API server for tests: the npm package s3rver (tests/oracles, from the committed lock file) on a free
/// loopback port, its objects in a temporary folder, with one bucket, <see cref="Bucket"/>. s3rver does not enforce
/// <c>If-None-Match: *</c>; <see cref="ConditionalPutProxy"/> in front of it does, for the tests that race commits.
/// Nothing else of the S3 path is faked.
/// </summary>
public sealed class S3Server : IDisposable
{
    public const string Bucket = "lake";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly S3rverProcess _process;
    private readonly TempDir _data = new();

    public S3Server() =>
        _process = new S3rverProcess(Path.Combine(Oracles.OraclesDir, "node_modules", "s3rver", "bin", "s3rver.js"), _data.Path, Bucket);

    public int Port => _process.Port;

    public string Endpoint => _process.Endpoint;

    /// <summary>The folder s3rver keeps objects in (the proxy looks there to tell whether a key exists).</summary>
    public string DataDirectory => _data.Path;

    /// <summary>A plain SDK client, for checks that go around QueryLake.</summary>
    public AmazonS3Client Client(string? endpoint = null) => new(new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config { ServiceURL = endpoint ?? Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public void Dispose()
    {
        _process.Dispose();
        _data.Dispose();
    }
}
