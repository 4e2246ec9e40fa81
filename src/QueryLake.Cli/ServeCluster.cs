using System.Net;
using Microsoft.Extensions.Hosting;
using QueryLake.Cluster.Hosting;

namespace QueryLake.Cli;

/// <summary><c>querylake serve LAKE_DIR --cluster [--silo-port 11111] [--gateway-port 30000] [--primary HOST:PORT |
/// --redis HOST:PORT | --postgres CONNECTION] [--kubernetes] [--advertise IP] [--cluster-id ID] [--flight-port N]</c>: runs a QueryLake silo until
/// Ctrl-C or SIGTERM (see docs/cluster.md); with <c>--flight-port</c>, also an Arrow Flight server whose queries run on
/// the cluster.</summary>
internal static class ServeCluster
{
    public static int Run(string[] args)
    {
        string? lake = null, clusterId = "querylake", redis = null, postgres = null;
        IPAddress advertise = IPAddress.Loopback;
        int siloPort = 11111, gatewayPort = 30000;
        int? flightPort = null;
        IPEndPoint? primary = null;
        bool kubernetes = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "--silo-port" or "--gateway-port" or "--flight-port" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out int port) || port is <= 0 or > 65535) return Fail($"{a} takes a port number, not '{args[i]}'");
                    if (a == "--silo-port") siloPort = port; else if (a == "--gateway-port") gatewayPort = port; else flightPort = port;
                    break;
                case "--primary" when i + 1 < args.Length:
                    if (!IPEndPoint.TryParse(args[++i], out primary) || primary.Port == 0) return Fail($"--primary takes HOST:PORT (an IP address and the first silo's --silo-port), not '{args[i]}'");
                    break;
                case "--cluster-id" when i + 1 < args.Length: clusterId = args[++i]; break;
                case "--kubernetes": kubernetes = true; break;
                case "--redis" when i + 1 < args.Length: redis = args[++i]; break;
                case "--postgres" when i + 1 < args.Length: postgres = args[++i]; break;
                case "--advertise" when i + 1 < args.Length:
                    if (!IPAddress.TryParse(args[++i], out advertise!)) return Fail($"--advertise takes this machine's IP address, not '{args[i]}'");
                    break;
                case "--silo-port" or "--gateway-port" or "--flight-port" or "--primary" or "--cluster-id" or "--redis" or "--postgres" or "--advertise": return Fail($"{a} needs a value");
                default:
                    if (a.StartsWith('-')) return Fail($"unknown option {a} for serve --cluster; see querylake --help");
                    if (lake is not null) return Fail($"only one LAKE_DIR may be given (got '{lake}' and '{a}')");
                    lake = a;
                    break;
            }
        }
        if (lake is null) return Fail("serve --cluster needs LAKE_DIR: querylake serve LAKE_DIR --cluster [--primary HOST:PORT | --redis HOST:PORT | --postgres CONNECTION]");
        if (redis is not null && primary is not null) return Fail("--primary is for localhost clustering; with --redis, silos find each other in Redis");
        if (postgres is not null && primary is not null) return Fail("--primary is for localhost clustering; with --postgres, silos find each other in PostgreSQL");
        if (redis is not null && postgres is not null) return Fail("a cluster's membership is in Redis or in PostgreSQL, not both: give --redis or --postgres");
        string location = lake.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? lake : Path.GetFullPath(lake);
        if (!location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(location)) return Fail($"there is no lake at '{location}'");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try
        {
            var options = new ClusterSiloOptions
            {
                Lake = location, SiloPort = siloPort, GatewayPort = gatewayPort, Primary = primary, ClusterId = clusterId, Redis = redis, Postgres = postgres, AdvertisedAddress = advertise,
                Kubernetes = kubernetes,
            };
            var host = ClusterSilo.StartAsync(options).GetAwaiter().GetResult();
            // With --flight-port, a Flight server whose calls run their queries on the cluster through this silo's gateway.
            ClusterClient? client = null;
            QueryLake.Flight.FlightHost? flight = null;
            if (flightPort is { } fp)
            {
                client = ClusterClient.ConnectAsync([new IPEndPoint(advertise, gatewayPort)], clusterId).GetAwaiter().GetResult();
                var own = client;
                flight = QueryLake.Flight.FlightHost.StartAsync(new QueryLake.Flight.FlightServeOptions
                {
                    LakePath = location, Port = fp, AnyAddress = !IPAddress.IsLoopback(advertise), Sessions = () => ClusterSession.Over(own),
                }).GetAwaiter().GetResult();
            }
            // The first line says where it listens (tests and scripts read it).
            Console.WriteLine($"silo of cluster '{clusterId}' over {location}: silo port {siloPort}, gateway cluster://{advertise}:{gatewayPort}"
                + (redis is not null || postgres is not null ? $", membership in {options.Membership}" : primary is null ? " (primary)" : $", joined {primary}")
                + (flight is not null ? $", Flight at {flight.Uri}" : ""));
            Console.Out.Flush();
            Task.WhenAny(host.WaitForShutdownAsync(), Task.Delay(Timeout.Infinite, stop.Token)).ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter().GetResult();
            if (flight is not null) flight.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (client is not null) client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            host.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            host.Dispose();
            return 0;
        }
        catch (QueryLake.Errors.QueryLakeException e)
        {
            return Fail($"{e.Code}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Orleans.Runtime.OrleansException or InvalidOperationException)
        {
            return Fail($"the silo did not start: {e.Message}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Error: {message}");
        return 1;
    }
}
