using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.Runtime;
using Xunit;

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

    private readonly Process _process;
    private readonly TempDir _data = new();

    public S3Server()
    {
        var script = Path.Combine(Oracles.OraclesDir, "node_modules", "s3rver", "bin", "s3rver.js");
        Assert.True(File.Exists(script), "s3rver is not installed: run `bash tests/run.sh`, which installs tests/oracles");
        Port = FreePort();
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "-d", _data.Path, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--silent", "--allow-mismatched-signatures", "--no-vhost-buckets", "--configure-bucket", Bucket })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, Port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited) { Thread.Sleep(100); }
        }
        Assert.False(_process.HasExited, "s3rver exited at start");
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The folder s3rver keeps objects in (the proxy looks there to tell whether a key exists).</summary>
    public string DataDirectory => _data.Path;

    /// <summary>A plain SDK client, for checks that go around QueryLake.</summary>
    public AmazonS3Client Client(string? endpoint = null) => new(new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config { ServiceURL = endpoint ?? Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
        _data.Dispose();
    }
}
