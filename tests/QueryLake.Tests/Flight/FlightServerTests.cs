using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using QueryLake.Columnar;
using QueryLake.Columnar.Interop;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;
using A = Apache.Arrow;

namespace QueryLake.Tests.Flight;

/// <summary><c>querylake serve</c> in its own process, read and written by the Apache.Arrow.Flight C# client over
/// loopback: results equal in-process queries, shards deal every row once, puts commit once, concurrent clients,
/// cancelled streams, tokens.</summary>
public sealed class FlightServerTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _lake;

    public FlightServerTests()
    {
        _lake = _dir.File("lake");
        using var s = QueryLakeSession.Open(_lake);
        s.Execute("CREATE DATASET t AS SELECT range AS id, 'n' || range AS name, range % 10 AS k, [range * 0.5, 1.0] AS v FROM range(200000)");
        s.Execute("CREATE DATASET small AS SELECT range AS id FROM range(10)");
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<(Schema Schema, List<RecordBatch> Batches)> Read(FlightClient client, string ticket, Metadata? headers = null, CancellationToken cancel = default)
    {
        using var call = client.GetStream(new FlightTicket(ticket), headers, null, cancel);
        var batches = new List<RecordBatch>();
        Schema? schema = null;
        await foreach (var b in call.ResponseStream.WithCancellation(cancel))
            batches.Add(ApacheArrowConvert.FromApache(b, schema ??= ApacheArrowConvert.FromApache(b.Schema)));
        schema ??= ApacheArrowConvert.FromApache(await call.ResponseStream.Schema);
        return (schema, batches);
    }

    private (Schema, List<RecordBatch>) InProcess(string sql)
    {
        using var s = QueryLakeSession.Open(_lake);
        var r = s.Query(sql).Materialize();
        return (r.Schema, r.Batches.ToList());
    }

    private static string Render((Schema Schema, List<RecordBatch> Batches) r) => Canonical.Render(r.Schema, r.Batches).ToJsonString();

    [Fact]
    public async Task Tickets_are_queries_and_stream_the_same_rows_as_in_process()
    {
        using var server = new FlightServerProcess(_lake);
        using var channel = server.Channel();
        var client = new FlightClient(channel);
        foreach (var sql in new[] { "SELECT * FROM t", "SELECT k, count(*) AS n, sum(id) AS s FROM t GROUP BY k ORDER BY k", "SELECT * FROM t WHERE id < 0" })
            Assert.Equal(Render(InProcess(sql)), Render(await Read(client, sql)));
        // GetFlightInfo: a command descriptor gives the schema and a ticket; a path descriptor names a dataset.
        var info = await client.GetInfo(FlightDescriptor.CreateCommandDescriptor("SELECT id, name FROM t WHERE k = 3"));
        Assert.Equal(["id", "name"], info.Schema.FieldsList.Select(f => f.Name));
        var (_, rows) = await Read(client, info.Endpoints[0].Ticket.Ticket.ToStringUtf8());
        Assert.Equal(20000, rows.Sum(b => b.Length));
        var byPath = await client.GetSchema(FlightDescriptor.CreatePathDescriptor("small"));
        Assert.Equal("id", byPath.FieldsList.Single().Name);
        // ListFlights: every dataset, with its rows.
        var flights = new List<FlightInfo>();
        await foreach (var f in client.ListFlights(new FlightCriteria()).ResponseStream.ReadAllAsync()) flights.Add(f);
        Assert.Equal(new[] { ("small", 10L), ("t", 200000L) }, flights.Select(f => (f.Descriptor.Paths.Single(), f.TotalRecords)).OrderBy(x => x.Item1, StringComparer.Ordinal));
        // Errors carry the QL code.
        var e = await Assert.ThrowsAsync<RpcException>(() => Read(client, "SELECT nope FROM t"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("QL-", e.Status.Detail);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => Read(client, "SELECT * FROM missing"))).StatusCode);
        // Tickets run read-only, with no file access outside the lake.
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => Read(client, "DELETE FROM t"))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => Read(client, "SELECT * FROM read_csv('/etc/passwd')"))).StatusCode);
    }

    [Fact]
    public async Task Shard_tickets_deal_every_row_to_exactly_one_worker_as_the_loader_does()
    {
        using var server = new FlightServerProcess(_lake);
        using var channel = server.Channel();
        var client = new FlightClient(channel);
        var shards = new List<List<long>>();
        for (int i = 0; i < 4; i++)
        {
            var (_, batches) = await Read(client, $"SELECT id FROM t WHERE k < 5 SHARD {i} OF 4 SEED 42 EPOCH 3 BATCH 500");
            shards.Add(batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => (long)b.Columns[0].GetValue(r)!)).ToList());
        }
        var all = shards.SelectMany(x => x).ToList();
        Assert.Equal(100000, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        // The same as the in-process loader's share, in the same order.
        using var s = QueryLakeSession.Open(_lake);
        var loader = s.Load("SELECT id FROM t WHERE k < 5", new QueryLake.Training.LoaderOptions { ShardIndex = 2, ShardCount = 4, Seed = 42, Epoch = 3, BatchSize = 500 });
        Assert.Equal(loader.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => (long)b.Columns[0].GetValue(r)!)), shards[2]);
        // Another epoch, another order.
        var (_, other) = await Read(client, "SELECT id FROM t WHERE k < 5 SHARD 2 OF 4 SEED 42 EPOCH 4 BATCH 500");
        Assert.NotEqual(shards[2], other.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => (long)b.Columns[0].GetValue(r)!)));
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => Read(client, "SELECT id FROM t SHARD 4 OF 4"))).StatusCode);
    }

    [Fact]
    public async Task Do_put_appends_in_one_commit_or_creates_the_dataset()
    {
        using var server = new FlightServerProcess(_lake);
        using var channel = server.Channel();
        var client = new FlightClient(channel);
        long Versions()
        {
            using var s = QueryLakeSession.Open(_lake);
            return s.Query("SHOW VERSIONS OF small").Rows().Count();
        }
        long before = Versions();
        var batch = ApacheArrowConvert.ToApache(InProcess("SELECT range + 100 AS id FROM range(1000)").Item2.Single());
        var put = await client.StartPut(FlightDescriptor.CreatePathDescriptor("small"), batch.Schema);
        for (int i = 0; i < 3; i++) await put.RequestStream.WriteAsync(batch);
        await put.RequestStream.CompleteAsync();
        var results = new List<FlightPutResult>();
        await foreach (var r in put.ResponseStream.ReadAllAsync()) results.Add(r);
        Assert.Contains("3000", results.Single().ApplicationMetadata.ToStringUtf8());
        Assert.Equal(before + 1, Versions());
        Assert.Equal(3010L, InProcess("SELECT count(*) FROM small").Item2.Single().Columns[0].GetValue(0));
        // A new name creates the dataset.
        var create = await client.StartPut(FlightDescriptor.CreatePathDescriptor("fresh"), batch.Schema);
        await create.RequestStream.WriteAsync(batch);
        await create.RequestStream.CompleteAsync();
        await foreach (var _ in create.ResponseStream.ReadAllAsync()) { }
        Assert.Equal(1000L, InProcess("SELECT count(*) FROM fresh").Item2.Single().Columns[0].GetValue(0));
    }

    [Fact]
    public async Task Concurrent_clients_cancelled_streams_and_tokens()
    {
        var tokenFile = _dir.File("token");
        File.WriteAllText(tokenFile, "s3cret-token\n");
        using var server = new FlightServerProcess(_lake, "--token-file", tokenFile, "--read-only");
        using var channel = server.Channel();
        var client = new FlightClient(channel);
        var auth = new Metadata { { "authorization", "Bearer s3cret-token" } };
        // Wrong or missing token: refused.
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => Read(client, "SELECT 1"))).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => Read(client, "SELECT 1", new Metadata { { "authorization", "Bearer nope" } }))).StatusCode);
        // Four clients at once, each its own channel: every result complete and equal to the in-process one.
        var expected = Render(InProcess("SELECT k, sum(id) AS s FROM t GROUP BY k ORDER BY k"));
        var tasks = Enumerable.Range(0, 4).Select(async _ =>
        {
            using var ch = server.Channel();
            return Render(await Read(new FlightClient(ch), "SELECT k, sum(id) AS s FROM t GROUP BY k ORDER BY k", auth));
        }).ToList();
        Assert.All(await Task.WhenAll(tasks), r => Assert.Equal(expected, r));
        // A client that goes away mid-stream: the server stops that stream and keeps serving.
        for (int i = 0; i < 3; i++)
        {
            using var ch = server.Channel();
            using var cancel = new CancellationTokenSource();
            using var call = new FlightClient(ch).GetStream(new FlightTicket("SELECT * FROM t CROSS JOIN range(1000)"), auth, null, cancel.Token);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            cancel.Cancel();
        }
        Assert.False(server.HasExited);
        Assert.Equal(expected, Render(await Read(client, "SELECT k, sum(id) AS s FROM t GROUP BY k ORDER BY k", auth)));
        // Read-only: DoPut refused. The server may refuse before the client has sent the schema, so the refusal
        // can surface from StartPut itself or from completing the stream.
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            var put = await client.StartPut(FlightDescriptor.CreatePathDescriptor("small"), new A.Schema([new A.Field("id", A.Types.Int64Type.Default, true)], null), auth);
            await put.RequestStream.CompleteAsync();
            await foreach (var _ in put.ResponseStream.ReadAllAsync()) { }
        });
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    private static async Task<System.Text.Json.JsonElement> Status(FlightClient client)
    {
        var results = new List<FlightResult>();
        await foreach (var r in client.DoAction(new FlightAction("status")).ResponseStream.ReadAllAsync()) results.Add(r);
        return System.Text.Json.JsonDocument.Parse(results.Single().Body.ToStringUtf8()).RootElement.Clone();
    }

    [Fact]
    public async Task A_client_killed_mid_stream_is_released_and_the_server_keeps_serving()
    {
        using var server = new FlightServerProcess(_lake);
        using var channel = server.Channel();
        var client = new FlightClient(channel);
        Assert.Equal(["status"], (await client.ListActions().ResponseStream.ReadAllAsync().ToListAsync()).Select(a => a.Type));
        var expected = Render(InProcess("SELECT k, sum(id) AS s FROM t GROUP BY k ORDER BY k"));
        for (int kill = 1; kill <= 2; kill++)
        {
            // A client in its own process starts reading 200 million rows, takes one batch, stops reading, and is killed.
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Programs.Dll("QueryLake.FlightReader", "QueryLake.FlightReader"), server.Uri.ToString(), "SELECT * FROM t CROSS JOIN range(1000)" })
                psi.ArgumentList.Add(a);
            using var reader = System.Diagnostics.Process.Start(psi)!;
            var line = await reader.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(line == "reading", $"the client did not start reading: {line} {(reader.HasExited ? await reader.StandardError.ReadToEndAsync() : "")}");
            // While the client does not read, flow control holds the query back: the server's heap stays small.
            await Task.Delay(1500);
            var held = await Status(client);
            Assert.Equal(1, held.GetProperty("open_streams").GetInt64());
            Assert.True(held.GetProperty("managed_heap_bytes").GetInt64() < 400L << 20, $"a stalled stream grew the server's heap to {held.GetProperty("managed_heap_bytes").GetInt64() >> 20} MiB");
            reader.Kill(entireProcessTree: true);
            reader.WaitForExit();
            // The server sees the connection go, stops the query and releases the stream.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            System.Text.Json.JsonElement status;
            while ((status = await Status(client)).GetProperty("open_streams").GetInt64() != 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.Equal(0, status.GetProperty("open_streams").GetInt64());
            Assert.Equal(kill, status.GetProperty("cancelled_streams").GetInt64());
            Assert.False(server.HasExited);
            Assert.Equal(expected, Render(await Read(client, "SELECT k, sum(id) AS s FROM t GROUP BY k ORDER BY k")));
        }
        Assert.True((await Status(client)).GetProperty("completed_streams").GetInt64() >= 2);
    }

    [Fact]
    public async Task Large_rows_stream_in_messages_of_bounded_size()
    {
        using (var s = QueryLakeSession.Open(_lake))
            s.Execute("CREATE DATASET blobs AS SELECT range AS id, CAST(repeat(CAST(range % 10 AS VARCHAR), 100000) AS BLOB) AS blob FROM range(300)");
        using var server = new FlightServerProcess(_lake, "--max-batch-bytes", "1000000");
        using var channel = server.Channel();
        var client = new FlightClient(channel);
        foreach (var sql in new[] { "SELECT * FROM blobs", "SELECT * FROM blobs SHARD 0 OF 1 SEED 4" })
        {
            using var call = client.GetStream(new FlightTicket(sql));
            var batches = new List<RecordBatch>();
            Schema? schema = null;
            await foreach (var b in call.ResponseStream)
            {
                // What the message held: the buffers the client decoded (ids and offsets, and the blobs' bytes).
                long bytes = b.Arrays.Sum(a => a.Data.Buffers.Sum(x => (long)x.Length));
                Assert.True(bytes <= 1_000_000 + 4096, $"{sql}: a message of {bytes} bytes");
                batches.Add(ApacheArrowConvert.FromApache(b, schema ??= ApacheArrowConvert.FromApache(b.Schema)));
            }
            Assert.True(batches.Count >= 30, $"{sql}: {batches.Count} messages for 30 MB");
            var rows = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((long)b.Columns[0].GetValue(i)!, (byte[])b.Columns[1].GetValue(i)!))).OrderBy(r => r.Item1).ToList();
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), rows.Select(r => r.Item1));
            Assert.All(rows, r => Assert.True(r.Item2.Length == 100000 && r.Item2.All(c => c == 48 + r.Item1 % 10), $"row {r.Item1} arrived damaged"));
        }
    }

    [Fact]
    public async Task Tls_with_a_self_signed_certificate()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension(
            [new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = _dir.File("server.pfx");
        File.WriteAllBytes(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
        using var server = new FlightServerProcess(_lake, "--tls-cert", pfx, "--tls-password", "pw");
        Assert.Equal("https", server.Uri.Scheme);
        // The client trusts exactly this certificate.
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Uri, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = handler });
        var (_, batches) = await Read(new FlightClient(channel), "SELECT count(*) AS n FROM t");
        Assert.Equal(200000L, batches.Single().Columns[0].GetValue(0));
        // A client that checks certificates the usual way refuses the self-signed one.
        using var strict = Grpc.Net.Client.GrpcChannel.ForAddress(server.Uri);
        var refused = await Assert.ThrowsAsync<RpcException>(() => Read(new FlightClient(strict), "SELECT 1"));
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        Assert.Contains("SSL", refused.Status.DebugException?.ToString() ?? refused.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }
}
