using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace QueryLake.Tests.Support;

/// <summary>s3rver (tests/oracles, from the committed lock file) running on a free loopback port with one bucket, its
/// objects in <c>data</c>: the process alone, shared by the tests (<see cref="S3Server"/>) and the bench (linked there).</summary>
public sealed class S3rverProcess : IDisposable
{
    private readonly Process _process;

    /// <param name="script">s3rver's <c>bin/s3rver.js</c>.</param>
    /// <param name="data">The folder its objects go in.</param>
    /// <param name="bucket">The bucket it creates.</param>
    public S3rverProcess(string script, string data, string bucket)
    {
        if (!File.Exists(script)) throw new InvalidOperationException("s3rver is not installed: run `bash tests/run.sh`, which installs tests/oracles");
        Port = FreePort();
        Directory.CreateDirectory(data);
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "-d", data, "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture),
                     "--silent", "--allow-mismatched-signatures", "--no-vhost-buckets", "--configure-bucket", bucket })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; Thread.Sleep(100))
        {
            try
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, Port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited) { }
        }
        if (_process.HasExited) throw new InvalidOperationException("s3rver exited at start");
    }

    public int Port { get; }

    /// <summary>A loopback port no one listens on now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
