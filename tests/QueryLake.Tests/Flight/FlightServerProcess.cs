using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Flight;

/// <summary><c>querylake serve</c> in a child process on a free loopback port, stopped (killed) on dispose.</summary>
public sealed partial class FlightServerProcess : IDisposable
{
    private readonly Process _process;

    public FlightServerProcess(string lake, params string[] options)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Programs.Dll("QueryLake.Cli", "querylake"));
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(lake);
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add("0");
        foreach (var o in options) psi.ArgumentList.Add(o);
        _process = Process.Start(psi)!;
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null)
        {
            Kill();
            Assert.Fail($"the server did not start: {_process.StandardError.ReadToEnd()}");
        }
        var m = Address().Match(line.Result!);
        Assert.True(m.Success, $"unexpected first line: {line.Result}");
        Uri = new Uri(m.Value);
    }

    [GeneratedRegex(@"https?://localhost:\d+")]
    private static partial Regex Address();

    public Uri Uri { get; }

    public bool HasExited => _process.HasExited;

    public GrpcChannel Channel() => GrpcChannel.ForAddress(Uri, new GrpcChannelOptions { MaxReceiveMessageSize = null });

    private void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
