using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Xunit;

namespace QueryLake.Tests.Support;

/// <summary>A fact that needs PostgreSQL's server programs (Debian's postgresql package; tests/run.sh installs it).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Programs() is null) Skip = "PostgreSQL is absent (apt-get install postgresql)";
    }
}

/// <summary>A throwaway PostgreSQL server: a database cluster made by initdb in a folder of its own, listening on a free
/// loopback port with trust authentication, killed and removed on dispose. As root it runs as the <c>postgres</c> user
/// (the server refuses root).</summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _dir;
    private readonly Process _server;

    private PostgresServer(string dir, Process server, int port) => (_dir, _server, Port) = (dir, server, port);

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string to the <c>postgres</c> database as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Pooling=false;Timeout=10";

    /// <summary>The folder of PostgreSQL's server programs (initdb, postgres), or null when it is not installed.</summary>
    public static string? Programs() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;

    /// <summary>Makes and starts a server, returning once it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        string bin = Programs() ?? throw new InvalidOperationException("PostgreSQL is not installed");
        string dir = Path.Combine("/tmp", "ql-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        // The server's user (postgres, when the tests run as root) writes the data folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        string data = Path.Combine(dir, "data");
        int port = S3rverProcess.FreePort();
        var init = Start(bin, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        string initOutput = await init.StandardOutput.ReadToEndAsync() + await init.StandardError.ReadToEndAsync();
        await init.WaitForExitAsync();
        if (init.ExitCode != 0) throw new InvalidOperationException("initdb failed: " + initOutput);
        var server = Start(bin, "postgres", ["-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", dir,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=60", "-c", "shared_buffers=16MB"]);
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var started = new PostgresServer(dir, server, port);
        for (int i = 0; i < 300 && !await started.AcceptsAsync(); i++)
        {
            if (server.HasExited) { started.Dispose(); throw new InvalidOperationException("postgres exited at start"); }
            await Task.Delay(50);
        }
        return started;
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            await using var c = new Npgsql.NpgsqlConnection(ConnectionString);
            await c.OpenAsync();
            return true;
        }
        catch (Npgsql.NpgsqlException) { return false; }
        catch (SocketException) { return false; }
    }

    private static Process Start(string bin, string program, string[] args)
    {
        bool root = Environment.UserName == "root";
        var psi = new ProcessStartInfo(root ? "/usr/bin/setpriv" : Path.Combine(bin, program))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp",
        };
        // setpriv execs the program as postgres: the process the test holds is the server itself.
        if (root) foreach (var a in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", "--", Path.Combine(bin, program)]) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Kills the server and removes its folder.</summary>
    public void Dispose()
    {
        try { _server.Kill(); } catch (InvalidOperationException) { }
        _server.WaitForExit(10_000);
        _server.Dispose();
        // Its backends notice the postmaster is gone and exit; the folder goes once they have.
        for (int i = 0; i < 20; i++)
        {
            try { Directory.Delete(_dir, recursive: true); return; }
            catch (IOException) { Thread.Sleep(100); }
            catch (UnauthorizedAccessException) { Thread.Sleep(100); }
        }
    }
}
