using QueryLake.Errors;
using QueryLake.Flight;

namespace QueryLake.Cli;

/// <summary><c>querylake serve LAKE_DIR [--port 8815] [--read-only] [--token-file F] [--tls-cert F.pfx]
/// [--tls-password P] [--any-address] [--max-batch-bytes N]</c>: serves the lake over Arrow Flight until Ctrl-C (see docs/flight.md).</summary>
internal static class Serve
{
    public static int Run(string[] args)
    {
        if (args.Contains("--cluster")) return ServeCluster.Run(args.Where(a => a != "--cluster").ToArray());
        string? lake = null, tokenFile = null, cert = null, certPassword = null;
        int port = 8815;
        long maxBatchBytes = 4L << 20;
        bool readOnly = false, anyAddress = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "--port" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out port) || port is < 0 or > 65535) return Fail($"--port takes a port number, not '{args[i]}'");
                    break;
                case "--max-batch-bytes" when i + 1 < args.Length:
                    if (!long.TryParse(args[++i], out maxBatchBytes) || maxBatchBytes < 0) return Fail($"--max-batch-bytes takes a number of bytes (0: no limit), not '{args[i]}'");
                    break;
                case "--read-only": readOnly = true; break;
                case "--any-address": anyAddress = true; break;
                case "--token-file" when i + 1 < args.Length: tokenFile = args[++i]; break;
                case "--tls-cert" when i + 1 < args.Length: cert = args[++i]; break;
                case "--tls-password" when i + 1 < args.Length: certPassword = args[++i]; break;
                case "--port" or "--token-file" or "--tls-cert" or "--tls-password" or "--max-batch-bytes": return Fail($"{a} needs a value");
                default:
                    if (a.StartsWith('-')) return Fail($"unknown option {a} for serve; see querylake --help");
                    if (lake is not null) return Fail($"only one LAKE_DIR may be given (got '{lake}' and '{a}')");
                    lake = a;
                    break;
            }
        }
        if (lake is null) return Fail("serve needs LAKE_DIR: querylake serve LAKE_DIR [--port 8815]");
        string? token = null;
        if (tokenFile is not null)
        {
            try { token = File.ReadAllText(tokenFile).Trim(); }
            catch (IOException e) { return Fail($"cannot read the token file: {e.Message}"); }
            if (token.Length == 0) return Fail($"the token file '{tokenFile}' is empty");
        }
        var options = new FlightServeOptions
        {
            LakePath = Path.GetFullPath(lake), Port = port, ReadOnly = readOnly, Token = token,
            CertificatePath = cert, CertificatePassword = certPassword, AnyAddress = anyAddress, MaxBatchBytes = maxBatchBytes,
        };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try
        {
            var host = FlightHost.StartAsync(options).GetAwaiter().GetResult();
            // The first line says where it listens (tests and scripts read it).
            Console.WriteLine($"serving {options.LakePath} over Arrow Flight at {host.Uri}{(readOnly ? " (read-only)" : "")}{(token is null ? "" : " (bearer token required)")}");
            Console.Out.Flush();
            // SIGTERM and SIGINT stop the host (its console lifetime); Ctrl-C also cancels here.
            Task.WhenAny(host.WaitForShutdownAsync(), Task.Delay(Timeout.Infinite, stop.Token)).GetAwaiter().GetResult();
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception e) when (e is QueryLakeException or IOException or System.Security.Cryptography.CryptographicException)
        {
            return Fail(e.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Error: {message}");
        return 1;
    }
}
