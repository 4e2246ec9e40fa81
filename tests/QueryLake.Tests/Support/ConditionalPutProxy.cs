using System.Collections.Concurrent;
using System.Net;

namespace QueryLake.Tests.Support;

/// <summary>
/// An HTTP proxy in front of s3rver that does what s3rver does not: a PUT with <c>If-None-Match: *</c> on a key that
/// exists gets 412 Precondition Failed, as from AWS S3, MinIO, R2 or GCS. Conditional PUTs to one key are serialized,
/// so of two racing writers exactly one creates the object. Every other request passes through unchanged.
/// <see cref="Faults"/> can make it answer 503 SlowDown, reset the connection or cut a body short, for fault tests.
/// </summary>
public sealed class ConditionalPutProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly S3Server _server;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();
    private readonly CancellationTokenSource _stop = new();

    public ConditionalPutProxy(S3Server server)
    {
        _server = server;
        Port = S3rverProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(Loop);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Requests answered so far, by method.</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    /// <summary>Decides, per request (method, path), a fault to inject instead of passing it on; null passes it on.</summary>
    public Func<string, string, Fault?>? Faults { get; set; }

    public enum Fault { SlowDown, ServerError, Reset, TruncatedBody, Stall }

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            Requests.AddOrUpdate(request.HttpMethod, 1, (_, n) => n + 1);
            var path = request.Url!.AbsolutePath;
            switch (Faults?.Invoke(request.HttpMethod, path))
            {
                case Fault.SlowDown:
                    await Answer(response, 503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
                    return;
                case Fault.ServerError:
                    await Answer(response, 500, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>");
                    return;
                case Fault.Stall:
                    // A store that stops answering: the request hangs for a minute (or until the test ends).
                    try { await Task.Delay(TimeSpan.FromMinutes(1), _stop.Token); } catch (OperationCanceledException) { }
                    response.Abort();
                    return;
                case Fault.Reset when request.HttpMethod != "GET":
                    // A write whose connection drops before any answer: the client cannot know whether it landed.
                    response.Abort();
                    return;
                case Fault.Reset:
                    // Headers that promise a body, then the connection closes: what a reset mid-transfer looks like.
                    response.StatusCode = 200;
                    response.ContentLength64 = 1000;
                    await response.OutputStream.FlushAsync();
                    response.Abort();
                    return;
            }
            var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            bool conditional = request.HttpMethod == "PUT" && request.Headers["If-None-Match"] == "*";
            if (!conditional) { await Forward(context, body.ToArray(), Faults?.Invoke(request.HttpMethod, path) == Fault.TruncatedBody); return; }
            var gate = _locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync();
            try
            {
                if (Exists(path))
                {
                    await Answer(response, 412, "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>");
                    return;
                }
                await Forward(context, body.ToArray(), truncate: false);
            }
            finally { gate.Release(); }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (HttpListenerException) { }
    }

    /// <summary>Whether s3rver holds the object of a path-style request path (/bucket/key), by its data folder.</summary>
    private bool Exists(string path)
    {
        var parts = Uri.UnescapeDataString(path.TrimStart('/')).Split('/', 2);
        return parts.Length == 2 && File.Exists(Path.Combine(_server.DataDirectory, parts[0], parts[1] + "._S3rver_object"));
    }

    private async Task Forward(HttpListenerContext context, byte[] body, bool truncate)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), _server.Endpoint + request.RawUrl);
        if (body.Length > 0 || request.HttpMethod is "PUT" or "POST") message.Content = new ByteArrayContent(body);
        foreach (string name in request.Headers)
        {
            if (name is "Host" or "Content-Length" or "Transfer-Encoding" or "Connection" or "Expect") continue;
            var value = request.Headers[name]!;
            if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        using var upstream = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        foreach (var (name, values) in upstream.Headers.Concat(upstream.Content.Headers))
        {
            if (name is "Transfer-Encoding" or "Connection" or "Content-Length") continue;
            response.Headers[name] = string.Join(",", values);
        }
        var content = await upstream.Content.ReadAsByteArrayAsync();
        if (truncate && content.Length > 1)
        {
            response.ContentLength64 = content.Length;
            await response.OutputStream.WriteAsync(content.AsMemory(0, content.Length / 2));
            response.Abort();
            return;
        }
        if (request.HttpMethod == "HEAD")
        {
            if (upstream.Content.Headers.ContentLength is { } length) response.ContentLength64 = length;
            response.Close();
            return;
        }
        response.ContentLength64 = content.Length;
        await response.OutputStream.WriteAsync(content);
        response.Close();
    }

    private static async Task Answer(HttpListenerResponse response, int status, string xml)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml);
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        _upstream.Dispose();
    }
}
