using System.Net;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using QueryLake.Errors;

namespace QueryLake.Storage.Stores;

/// <summary>
/// A lake on S3-compatible object storage (<c>s3://bucket/prefix</c>) through AWSSDK.S3: ranged GETs, single PUTs up to
/// the multipart threshold and multipart uploads above it (aborted when a part fails, so no orphaned parts stay
/// billed), conditional creates (<c>If-None-Match: *</c>) for commits, retries with exponential back-off on 5xx answers,
/// throttling and connection resets (the SDK's standard retry mode). Uploads are sent without aws-chunked framing,
/// which some S3-compatible servers store inside the object.
/// </summary>
internal sealed class S3Store : IObjectStore
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly S3Options _options;

    public S3Store(string location, S3Options? options = null)
    {
        (_bucket, _prefix) = Parse(location);
        _options = (options ?? new S3Options()).WithEnvironment();
        var config = new AmazonS3Config
        {
            ForcePathStyle = _options.UsesPathStyle,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = Math.Max(0, _options.MaxAttempts - 1),
            Timeout = TimeSpan.FromMinutes(2),
        };
        if (_options.Endpoint is { } endpoint) config.ServiceURL = endpoint;
        if (_options.Region is { } region)
        {
            if (_options.Endpoint is null) config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
            else config.AuthenticationRegion = region;
        }
        else if (_options.Endpoint is not null) config.AuthenticationRegion = "us-east-1";
        _client = _options.AccessKey is { } key && _options.SecretKey is { } secret
            ? new AmazonS3Client(_options.SessionToken is { } token ? new SessionAWSCredentials(key, secret, token) : new BasicAWSCredentials(key, secret), config)
            : new AmazonS3Client(config);
    }

    /// <summary>The statement's cancellation, which reads, listings and data uploads take (conditional creates and deletes
    /// do not: a commit's outcome must be known).</summary>
    private static CancellationToken Token => StoreCancellation.Current;

    /// <summary>What this handle sent.</summary>
    public StoreCounters Counters { get; } = new();

    public string Location => _prefix.Length == 0 ? $"s3://{_bucket}" : $"s3://{_bucket}/{_prefix}";

    private bool? _atomic;

    /// <summary>Whether the store honours conditional creates: not declared otherwise, and proven once per handle by
    /// creating a probe object twice (the second create must be refused), since some S3-compatible servers accept the
    /// header and overwrite anyway.</summary>
    public bool AtomicCreate => _atomic ??= _options.ConditionalCreates && Probe();

    private bool Probe()
    {
        var key = $"_probe/{Guid.NewGuid():N}";
        try { return PutIfAbsent(key, "probe"u8.ToArray()) && !PutIfAbsent(key, "again"u8.ToArray()); }
        finally { Delete(key); }
    }

    /// <summary>The bucket and the key prefix (without slashes at its ends) of <c>s3://bucket/prefix</c>.</summary>
    public static (string Bucket, string Prefix) Parse(string location)
    {
        if (!location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            throw new QueryLakeException("QL-BAD-LOCATION", $"'{location}' is not an S3 location (s3://bucket/prefix)");
        var rest = location[5..].Trim('/');
        int slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length is < 3 or > 63 || bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
            throw new QueryLakeException("QL-BAD-LOCATION", $"'{location}' does not name a valid bucket (3–63 lower-case letters, digits, '-' and '.')");
        return (bucket, slash < 0 ? "" : rest[(slash + 1)..].Trim('/'));
    }

    private string Key(string key) => _prefix.Length == 0 ? key : $"{_prefix}/{key}";

    private T Call<T>(string what, string key, Func<Task<T>> request)
    {
        try { return request().GetAwaiter().GetResult(); }
        // The statement was cancelled (or timed out): the engine reports that, not the store.
        catch (OperationCanceledException) when (Token.IsCancellationRequested) { throw; }
        catch (AmazonS3Exception e) { throw Failed(what, key, e); }
        catch (AmazonServiceException e) { throw Failed(what, key, e); }
        catch (QueryLakeException) { throw; }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            throw new QueryLakeException("QL-STORE-UNAVAILABLE",
                $"cannot {what} '{key}' in {Location}: the store at {_options.Endpoint ?? "AWS S3"} did not answer ({Reason(e)}) after {_options.MaxAttempts} attempts");
        }
    }

    /// <summary>Runs a GET and reads its body, again (with back-off) when the body breaks off or comes short: the SDK
    /// retries failed requests, but a connection reset in the middle of a body surfaces only while reading it.</summary>
    private async Task<T> Retrying<T>(Func<Task<T>> read, bool cancellable = true)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return await read().ConfigureAwait(false); }
            catch (Exception e) when (attempt < _options.MaxAttempts && (e is IOException or HttpRequestException || e is QueryLakeException { Code: "QL-STORE-UNAVAILABLE" }))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 50 * (1 << attempt)) * (0.5 + Random.Shared.NextDouble())), cancellable ? Token : CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A write's answer, checked: a PUT whose connection dropped before any answer can come back from the SDK
    /// as a success without an ETag, which says nothing about whether the object landed; that is sent again.</summary>
    private static T Answered<T>(T response, string key) where T : AmazonWebServiceResponse =>
        response.HttpStatusCode == HttpStatusCode.OK && response switch
        {
            PutObjectResponse p => p.ETag is { Length: > 0 },
            UploadPartResponse u => u.ETag is { Length: > 0 },
            _ => true,
        } ? response : throw new IOException($"the answer to writing '{key}' was lost");

    private static string Reason(Exception e) => e switch
    {
        TaskCanceledException => "timed out",
        HttpRequestException { HttpRequestError: var error } => error.ToString(),
        IOException => "the connection broke",
        _ => "a client error",
    };

    private QueryLakeException Failed(string what, string key, AmazonServiceException e) => e.StatusCode switch
    {
        HttpStatusCode.NotFound => new("QL-STORE-NOT-FOUND", $"cannot {what} '{key}' in {Location}: {(e.ErrorCode == "NoSuchBucket" ? "the bucket does not exist" : "no such object")}"),
        HttpStatusCode.Forbidden => new("QL-STORE-DENIED", $"cannot {what} '{key}' in {Location}: access denied ({e.ErrorCode}); check the credentials and the bucket's policy"),
        _ => new("QL-STORE-FAILED", $"cannot {what} '{key}' in {Location}: the store answered {(int)e.StatusCode} {e.ErrorCode}"),
    };

    public ObjectInfo? Head(string key) => Call("read", key, async () =>
    {
        try
        {
            Counters.Head();
            var meta = await _client.GetObjectMetadataAsync(_bucket, Key(key), Token).ConfigureAwait(false);
            return new ObjectInfo(key, meta.ContentLength, meta.LastModified?.ToUniversalTime() ?? DateTime.MinValue);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket") { return (ObjectInfo?)null; }
    });

    public byte[] Read(string key, long offset, int length)
    {
        if (length <= 0) return [];
        return Call("read", key, () => Retrying(async () =>
        {
            try
            {
                using var response = await _client.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = _bucket, Key = Key(key), ByteRange = new ByteRange(offset, offset + length - 1),
                }, Token).ConfigureAwait(false);
                return await Body(response, key).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) { return []; }
        }));
    }

    public byte[] ReadAll(string key) => Call("read", key, () => Retrying(async () =>
    {
        using var response = await _client.GetObjectAsync(_bucket, Key(key), Token).ConfigureAwait(false);
        return await Body(response, key).ConfigureAwait(false);
    }));

    /// <summary>The response body, all of it: a body cut short (a connection that dropped mid-transfer) is an error,
    /// never a shorter object.</summary>
    private async Task<byte[]> Body(GetObjectResponse response, string key)
    {
        Counters.Get(response.ContentLength);
        var buffer = new MemoryStream(response.ContentLength > 0 ? (int)response.ContentLength : 0);
        await response.ResponseStream.CopyToAsync(buffer, Token).ConfigureAwait(false);
        if (response.ContentLength >= 0 && buffer.Length != response.ContentLength)
            throw new QueryLakeException("QL-STORE-UNAVAILABLE", $"reading '{key}' in {Location} stopped after {buffer.Length} of {response.ContentLength} bytes");
        return buffer.ToArray();
    }

    private static MemoryStream Stream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    public void Write(string key, ReadOnlyMemory<byte> content)
    {
        if (content.Length > _options.MultipartThreshold) { Multipart(key, content); return; }
        Counters.Put(content.Length);
        Call("write", key, () => Retrying(async () => Answered(await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket, Key = Key(key), InputStream = Stream(content), UseChunkEncoding = false, AutoCloseStream = true,
        }, Token).ConfigureAwait(false), key)));
    }

    private void Multipart(string key, ReadOnlyMemory<byte> content) =>
        Multipart(key, content.Length, (offset, length) => content.Slice((int)offset, length));

    /// <summary>A multipart upload of <paramref name="length"/> bytes, each part taken from <paramref name="part"/>(offset,
    /// length); aborted when any part fails, so no orphaned parts stay billed.</summary>
    private void Multipart(string key, long length, Func<long, int, ReadOnlyMemory<byte>> part)
    {
        var upload = Call("write", key, () => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = Key(key) }, Token));
        try
        {
            var parts = new List<PartETag>();
            int number = 1;
            for (long offset = 0; offset < length; offset += _options.PartSize, number++)
            {
                var bytes = part(offset, (int)Math.Min(_options.PartSize, length - offset));
                int n = number;
                Counters.Put(bytes.Length);
                var response = Call("write", key, () => Retrying(async () => Answered(await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket, Key = Key(key), UploadId = upload.UploadId, PartNumber = n, InputStream = Stream(bytes),
                    PartSize = bytes.Length, UseChunkEncoding = false,
                }, Token).ConfigureAwait(false), key)));
                parts.Add(new PartETag(n, response.ETag));
            }
            Call("write", key, () => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket, Key = Key(key), UploadId = upload.UploadId, PartETags = parts,
            }));
        }
        catch
        {
            try { _client.AbortMultipartUploadAsync(_bucket, Key(key), upload.UploadId).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException) { /* VACUUM lists and aborts what stays */ }
            throw;
        }
    }

    public void Upload(string key, string file)
    {
        try
        {
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                if (stream.Length <= _options.MultipartThreshold)
                {
                    var content = new byte[stream.Length];
                    stream.ReadExactly(content);
                    Write(key, content);
                }
                else
                {
                    var buffer = new byte[_options.PartSize];
                    Multipart(key, stream.Length, (offset, length) =>
                    {
                        stream.Position = offset;
                        stream.ReadExactly(buffer, 0, length);
                        return buffer.AsMemory(0, length);
                    });
                }
            }
            File.Delete(file);
        }
        catch (IOException e) { throw new QueryLakeException("QL-STORE-FAILED", $"cannot upload '{key}' to {Location}: the local file could not be read ({ErrorText.Describe(e)})"); }
    }

    public string? LocalPath(string key) => null;

    public bool TryCreate(string key, ReadOnlyMemory<byte> content)
    {
        if (!AtomicCreate)
            throw new QueryLakeException("QL-STORE-UNSAFE",
                $"cannot commit to {Location}: the store at {_options.Endpoint ?? "AWS S3"} does not honour conditional creates (If-None-Match: *), so two writers could overwrite each other's commits; " +
                "name a commit lock (the connection-string key 'Commit Lock=<lock file>' or LakeOptions.CommitLock), or open the lake read-only");
        return PutIfAbsent(key, content);
    }

    private bool PutIfAbsent(string key, ReadOnlyMemory<byte> content) => Call("create", key, async () =>
    {
        Counters.Put(content.Length);
        try
        {
            return await Retrying(async () =>
            {
                Answered(await _client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _bucket, Key = Key(key), InputStream = Stream(content), UseChunkEncoding = false, IfNoneMatch = "*",
                }).ConfigureAwait(false), key);
                return true;
            }, cancellable: false).ConfigureAwait(false);
        }
        // 412: the object exists; 409: a concurrent conditional write to the same key is in flight (S3 asks to retry;
        // for a commit, the other writer wins either way). The object may be this very write: when a PUT's answer is
        // lost (a reset, a body cut short) the SDK sends it again, and the second one finds the first. So it is read
        // back: the same bytes mean this write created it (a manifest holds its writer's timestamp and changes, so
        // another writer's never matches byte for byte).
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            if (e.StatusCode == HttpStatusCode.Conflict) return false;
            try { return ReadAll(key).AsSpan().SequenceEqual(content.Span); }
            catch (QueryLakeException r) when (r.Code == "QL-STORE-NOT-FOUND") { return false; }
        }
    });

    public IReadOnlyList<ObjectInfo> List(string prefix)
    {
        var result = new List<ObjectInfo>();
        string? token = null;
        int strip = _prefix.Length == 0 ? 0 : _prefix.Length + 1;
        do
        {
            Counters.List();
            var page = Call("list", prefix, () => _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _bucket, Prefix = Key(prefix), ContinuationToken = token,
            }, Token));
            foreach (var o in page.S3Objects ?? [])
                result.Add(new ObjectInfo(o.Key[strip..], o.Size ?? 0, o.LastModified?.ToUniversalTime() ?? DateTime.MinValue));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public (IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> Folders) ListLevel(string folder)
    {
        var objects = new List<ObjectInfo>();
        var folders = new List<string>();
        string? token = null;
        var prefix = Key(folder.Length == 0 ? "" : folder + "/");
        do
        {
            Counters.List();
            var page = Call("list", folder, () => _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _bucket, Prefix = prefix, Delimiter = "/", ContinuationToken = token,
            }, Token));
            foreach (var o in page.S3Objects ?? [])
                objects.Add(new ObjectInfo(o.Key[(_prefix.Length == 0 ? 0 : _prefix.Length + 1)..], o.Size ?? 0, o.LastModified?.ToUniversalTime() ?? DateTime.MinValue));
            foreach (var p in page.CommonPrefixes ?? [])
                folders.Add(p[prefix.Length..].TrimEnd('/'));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        folders.Sort(StringComparer.Ordinal);
        return (objects, folders);
    }

    public void Delete(string key)
    {
        Counters.Delete();
        Call("delete", key, () => _client.DeleteObjectAsync(_bucket, Key(key)));
    }

    public void DeleteFolder(string folder)
    {
        // Object stores have no rename: the objects go one by one, in parallel.
        var keys = List(folder + "/");
        Parallel.ForEach(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, o => Delete(o.Key));
    }

    public int AbortUploads(DateTime before)
    {
        int aborted = 0;
        string? keyMarker = null, uploadMarker = null;
        do
        {
            ListMultipartUploadsResponse page;
            try
            {
                page = Call("list uploads", "", () => _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
                {
                    BucketName = _bucket, Prefix = _prefix.Length == 0 ? null : _prefix + "/", KeyMarker = keyMarker, UploadIdMarker = uploadMarker,
                }, Token));
            }
            // A server that cannot list uploads (s3rver answers 501): nothing to do here.
            catch (QueryLakeException e) when (e.Code == "QL-STORE-FAILED" && e.Message.Contains(" 501 ", StringComparison.Ordinal)) { return aborted; }
            foreach (var upload in page.MultipartUploads ?? [])
                if (upload.Initiated is { } started && started.ToUniversalTime() < before)
                {
                    Call("abort upload", upload.Key, () => _client.AbortMultipartUploadAsync(_bucket, upload.Key, upload.UploadId));
                    aborted++;
                }
            (keyMarker, uploadMarker) = page.IsTruncated == true ? (page.NextKeyMarker, page.NextUploadIdMarker) : (null, null);
        } while (keyMarker is not null);
        return aborted;
    }

    public void Dispose() => _client.Dispose();
}
