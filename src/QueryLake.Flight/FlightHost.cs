using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QueryLake.Flight;

/// <summary>A running Arrow Flight server over a lake (<see cref="QueryLakeFlightServer"/>), on Kestrel with HTTP/2,
/// cleartext or TLS. Dispose it to stop.</summary>
public sealed class FlightHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FlightHost(WebApplication app, int port, bool tls)
    {
        _app = app;
        Port = port;
        Uri = new Uri($"{(tls ? "https" : "http")}://localhost:{port}");
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Where a client connects (on this machine).</summary>
    public Uri Uri { get; }

    /// <summary>Starts serving; returns once the server listens. A port in use or an unreadable certificate fails with
    /// QL-SERVE.</summary>
    public static async Task<FlightHost> StartAsync(FlightServeOptions options, CancellationToken cancel = default)
    {
        if (!Directory.Exists(options.LakePath))
            throw new Errors.QueryLakeException("QL-LAKE-NOT-FOUND", $"'{options.LakePath}' is not a folder");
        try
        {
            var certificate = options.CertificatePath is { } path ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword) : null;
            var app = Build(options, certificate);
            await app.StartAsync(cancel).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new FlightHost(app, new Uri(address).Port, certificate is not null);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
        {
            throw new Errors.QueryLakeException("QL-SERVE", $"cannot serve on port {options.Port}: {e.Message}");
        }
    }

    private static WebApplication Build(FlightServeOptions options, X509Certificate2? certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            void Listen(ListenOptions l)
            {
                l.Protocols = HttpProtocols.Http2;
                if (certificate is not null) l.UseHttps(certificate);
            }
            if (options.AnyAddress) k.ListenAnyIP(options.Port, Listen);
            else k.Listen(System.Net.IPAddress.Loopback, options.Port, Listen);
            k.Limits.MaxRequestBodySize = null;
            // Room for a message or two in flight per stream: the response pipe pauses the writer past this, and the
            // receive windows bound what a DoPut client may send before the server reads it.
            k.Limits.MaxResponseBufferSize = 8L << 20;
            k.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            k.Limits.Http2.InitialStreamWindowSize = 8 << 20;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<FlightActivity>();
        // Results stream at the engine's pace; gRPC's flow control bounds what is in flight per stream.
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
            o.EnableDetailedErrors = false;
        }).AddFlightServer<QueryLakeFlightServer>();
        var app = builder.Build();
        app.MapFlightEndpoint();
        return app;
    }

    /// <summary>Waits until the host stops (Ctrl-C or <see cref="DisposeAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => _app.WaitForShutdownAsync(cancel);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
