using System.Security.Cryptography;
using Amazon.S3.Model;
using QueryLake.Errors;
using QueryLake.Storage.Stores;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>One fixture for the S3 tests: s3rver on loopback and the proxy that enforces conditional creates.</summary>
public sealed class S3Fixture : IDisposable
{
    public S3Server Server { get; } = new();
    public ConditionalPutProxy Proxy { get; }

    public S3Fixture() => Proxy = new ConditionalPutProxy(Server);

    public void Dispose()
    {
        Proxy.Dispose();
        Server.Dispose();
    }
}

/// <summary>
/// The same contract for both stores a lake can live on: a local folder and S3-compatible object storage (s3rver on
/// loopback, through the proxy that enforces <c>If-None-Match: *</c>). Ranged reads, whole writes and multipart
/// uploads read back byte for byte; a conditional create never overwrites, and of writers racing for one key exactly
/// one wins; listing is by prefix in key order; failures are QueryLake errors that name the key and never a secret.
/// </summary>
public sealed class ObjectStoreTests(S3Fixture s3) : IClassFixture<S3Fixture>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private IObjectStore Store(string kind, string prefix = "lakes/one") => kind switch
    {
        "local" => new LocalStore(Path.Combine(_dir.Path, prefix)),
        _ => new S3Store($"s3://{S3Server.Bucket}/{prefix}/{Guid.NewGuid():N}", new S3Options
        {
            Endpoint = s3.Proxy.Endpoint, AccessKey = S3Server.AccessKey, SecretKey = S3Server.SecretKey, Region = "us-east-1",
            MultipartThreshold = 5 << 20, PartSize = 5 << 20,
        }),
    };

    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public void Writes_read_back_whole_and_in_ranges(string kind)
    {
        using var store = Store(kind);
        var data = Bytes(100_000, 1);
        store.Write("data/a.arrow", data);
        Assert.Equal(data, store.ReadAll("data/a.arrow"));
        Assert.Equal(data[1000..1500], store.Read("data/a.arrow", 1000, 500));
        Assert.Equal(data[99_900..], store.Read("data/a.arrow", 99_900, 500));
        Assert.Empty(store.Read("data/a.arrow", 200_000, 10));
        Assert.Equal(100_000, store.Head("data/a.arrow")!.Size);
        Assert.Null(store.Head("data/missing.arrow"));
        var e = Assert.ThrowsAny<QueryLakeException>(() => store.ReadAll("data/missing.arrow"));
        Assert.Equal("QL-STORE-NOT-FOUND", e.Code);
        Assert.Contains("data/missing.arrow", e.Message);
        store.Write("data/a.arrow", data[..10]);
        Assert.Equal(data[..10], store.ReadAll("data/a.arrow"));
        store.Delete("data/a.arrow");
        store.Delete("data/a.arrow");
        Assert.Null(store.Head("data/a.arrow"));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public void Listing_is_by_prefix_in_key_order(string kind)
    {
        using var store = Store(kind);
        foreach (var key in new[] { "b/2", "a/1", "b/1", "c", "b/10" }) store.Write(key, new byte[] { 1, 2, 3 });
        Assert.Equal(["b/1", "b/10", "b/2"], store.List("b/").Select(o => o.Key));
        Assert.Equal(["a/1", "b/1", "b/10", "b/2", "c"], store.List("").Select(o => o.Key));
        Assert.All(store.List(""), o => Assert.Equal(3, o.Size));
        Assert.Empty(store.List("nothing/"));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public void A_conditional_create_never_overwrites_and_one_of_racing_writers_wins(string kind)
    {
        using var store = Store(kind);
        Assert.True(store.AtomicCreate);
        Assert.True(store.TryCreate("_versions/1.manifest", "first"u8.ToArray()));
        Assert.False(store.TryCreate("_versions/1.manifest", "second"u8.ToArray()));
        Assert.Equal("first"u8.ToArray(), store.ReadAll("_versions/1.manifest"));
        for (int round = 0; round < 5; round++)
        {
            var key = $"_versions/{round + 2}.manifest";
            var wins = new bool[8];
            Parallel.For(0, wins.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, w => wins[w] = store.TryCreate(key, new[] { (byte)w }));
            Assert.Equal(1, wins.Count(x => x));
            Assert.Equal([(byte)Array.IndexOf(wins, true)], store.ReadAll(key));
        }
    }

    [Fact]
    public async Task Large_objects_go_up_in_parts_and_come_back_whole_without_chunk_framing()
    {
        using var store = Store("s3");
        var data = Bytes(12 << 20, 7);
        store.Write("data/big.arrow", data);
        Assert.Equal(12 << 20, store.Head("data/big.arrow")!.Size);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(store.ReadAll("data/big.arrow")));
        Assert.Equal(data[(6 << 20)..((6 << 20) + 4096)], store.Read("data/big.arrow", 6 << 20, 4096));
        // A 1 MiB single PUT is stored as 1 MiB: the body was not sent with aws-chunked framing.
        store.Write("data/one.arrow", Bytes(1 << 20, 8));
        using var client = s3.Server.Client();
        var listed = (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket })).S3Objects;
        Assert.Contains(listed, o => o.Key.EndsWith("data/one.arrow", StringComparison.Ordinal) && o.Size == 1 << 20);
        // (s3rver does not implement ListMultipartUploads, so uploads left open cannot be listed here.)
    }

    [Fact]
    public void Without_the_proxy_s3rver_ignores_conditional_creates_and_commits_are_refused()
    {
        // Why the race tests go through the proxy: s3rver itself lets a second If-None-Match: * PUT overwrite. The
        // store finds that out with its probe, and refuses to commit rather than risk two writers overwriting.
        using var direct = new S3Store($"s3://{S3Server.Bucket}/direct/{Guid.NewGuid():N}", new S3Options
        {
            Endpoint = s3.Server.Endpoint, AccessKey = S3Server.AccessKey, SecretKey = S3Server.SecretKey,
        });
        Assert.False(direct.AtomicCreate);
        var e = Assert.Throws<QueryLakeException>(() => direct.TryCreate("k", new byte[] { 1 }));
        Assert.Equal("QL-STORE-UNSAFE", e.Code);
        Assert.Contains("Commit Lock", e.Message);
        Assert.Null(direct.Head("k"));
        Assert.Empty(direct.List("_probe/"));
        // Behind the proxy, which enforces the header, the same server passes the probe.
        using var proxied = Store("s3");
        Assert.True(proxied.AtomicCreate);
    }

    [Fact]
    public void Transient_faults_are_retried_and_lasting_ones_are_clear_errors_without_secrets()
    {
        using var store = Store("s3");
        store.Write("data/x", new byte[] { 1, 2, 3 });
        int failures = 0;
        s3.Proxy.Faults = (method, path) => method == "GET" && path.EndsWith("/data/x", StringComparison.Ordinal) && Interlocked.Increment(ref failures) <= 2
            ? (failures == 1 ? ConditionalPutProxy.Fault.SlowDown : ConditionalPutProxy.Fault.Reset) : null;
        try
        {
            Assert.Equal([1, 2, 3], store.ReadAll("data/x"));
            Assert.True(failures >= 3, $"{failures} requests");
            s3.Proxy.Faults = (method, path) => path.EndsWith("/data/x", StringComparison.Ordinal) ? ConditionalPutProxy.Fault.ServerError : null;
            var e = Assert.ThrowsAny<QueryLakeException>(() => store.ReadAll("data/x"));
            Assert.True(e.Code is "QL-STORE-FAILED" or "QL-STORE-UNAVAILABLE", e.Code);
            Assert.Contains("data/x", e.Message);
            Assert.DoesNotContain(S3Server.SecretKey, e.Message);
            s3.Proxy.Faults = (method, path) => method == "GET" && path.EndsWith("/data/x", StringComparison.Ordinal) ? ConditionalPutProxy.Fault.TruncatedBody : null;
            var cut = Assert.ThrowsAny<QueryLakeException>(() => store.ReadAll("data/x"));
            Assert.Contains("data/x", cut.Message);
        }
        finally { s3.Proxy.Faults = null; }

        var nowhere = new S3Store($"s3://{S3Server.Bucket}/x", new S3Options
        {
            Endpoint = $"http://127.0.0.1:{S3rverProcess.FreePort()}", AccessKey = "AKIAEXAMPLE", SecretKey = "very-secret-value", MaxAttempts = 2,
        });
        var unreachable = Assert.ThrowsAny<QueryLakeException>(() => nowhere.ReadAll("k"));
        Assert.Equal("QL-STORE-UNAVAILABLE", unreachable.Code);
        Assert.DoesNotContain("very-secret-value", unreachable.Message);
        Assert.DoesNotContain("very-secret-value", new S3Options { SecretKey = "very-secret-value" }.ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", true)]
    [InlineData("http://localhost:9000", true)]
    [InlineData("http://[::1]:9000", true)]
    [InlineData("https://s3.eu-west-1.amazonaws.com", false)]
    [InlineData(null, false)]
    public void Path_style_is_automatic_for_ip_addresses_and_localhost(string? endpoint, bool pathStyle) =>
        Assert.Equal(pathStyle, new S3Options { Endpoint = endpoint }.UsesPathStyle);

    [Theory]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://my.bucket/a/b/", "my.bucket", "a/b")]
    public void Locations_parse(string location, string bucket, string prefix) =>
        Assert.Equal((bucket, prefix), S3Store.Parse(location));

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3://AB/x")]
    [InlineData("file:///tmp")]
    public void Bad_locations_are_refused(string location) =>
        Assert.Equal("QL-BAD-LOCATION", Assert.ThrowsAny<QueryLakeException>(() => S3Store.Parse(location)).Code);
}
