using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using QueryLake.Data;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>The front ends of a cluster: ADO.NET (<c>Data Source=cluster://…</c>) and its EXPLAIN of the stages, and
/// the CLI: <c>querylake serve LAKE --cluster</c> silos in child processes, queried by <c>querylake cluster://…</c>.</summary>
public sealed class ClusterFrontEndTests(ThreeSilos cluster) : IClassFixture<ThreeSilos>
{
    private string Source => $"cluster://{string.Join(",", cluster.Gateways.Select(g => $"127.0.0.1:{g.Port}"))}?cluster={ThreeSilos.ClusterIdOf(cluster.Dir.File("lake"))}";

    [Fact]
    public void Ado_net_runs_queries_on_the_cluster()
    {
        using var connection = new QueryLakeConnection($"Data Source={Source}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT g, count(*) AS c, sum(n) AS s FROM t GROUP BY g ORDER BY g";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add($"{reader.GetString(0)}|{reader.GetInt64(1)}|{reader.GetValue(2)}");
        var expected = cluster.Embedded.Query(command.CommandText).Rows().Select(r => $"{r[0]}|{r[1]}|{r[2]}").ToList();
        Assert.Equal(expected, rows);
        Assert.Equal("c", reader.GetName(1));
    }

    [Fact]
    public void Explain_shows_the_stages_and_explain_analyze_where_each_ran()
    {
        using var connection = new QueryLakeConnection($"Data Source={Source}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN SELECT g, count(*) FROM t WHERE n > 3 GROUP BY g";
        var plan = (string)command.ExecuteScalar()!;
        Assert.StartsWith("Stage 0 on the workers: scan of t, partial aggregate, one task per fragment of t@", plan);
        Assert.Contains(" (8); rows to the coordinator", plan);
        Assert.Contains("On the coordinator: over the rows the stages gathered", plan);
        Assert.Contains("HashAggregate", plan);
        command.CommandText = "EXPLAIN ANALYZE SELECT g, count(*) FROM t WHERE n > 3 GROUP BY g";
        var analyzed = (string)command.ExecuteScalar()!;
        Assert.Contains("Ran:\n", analyzed);
        Assert.Equal(8, analyzed.Split('\n').Count(l => l.StartsWith("    fragments [", StringComparison.Ordinal)));
        command.CommandText = "EXPLAIN SELECT * FROM t JOIN names USING (g)";
        // names is small: it goes whole to every task of t's scan.
        Assert.Contains("Stage 1 on the workers: scan of t, inner join, one task per fragment of t@", (string)command.ExecuteScalar()!);
        // The connection's own settings go with its queries: with no broadcast, both sides are partitioned.
        command.CommandText = "SET cluster_broadcast_rows = 0";
        command.ExecuteNonQuery();
        command.CommandText = "EXPLAIN SELECT * FROM t JOIN names USING (g)";
        Assert.Contains("Stage 2 on the workers: inner join, one task per partition of stages 0 and 1; rows to the coordinator", (string)command.ExecuteScalar()!);
        command.CommandText = "EXPLAIN SELECT 1 + 1 AS two";
        Assert.StartsWith("On the coordinator: the whole query", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void Statements_that_change_the_lake_and_parameters_are_refused_with_a_code()
    {
        using var connection = new QueryLakeConnection($"Data Source={Source}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO t (id) VALUES (1)";
        var e = Assert.ThrowsAny<QueryLakeException>(() => command.ExecuteNonQuery());
        Assert.Equal("QL-CLUSTER-UNSUPPORTED", e.Code);
        Assert.Contains("INSERT", e.Message);
        command.CommandText = "SELECT count(*) FROM t WHERE id > @lo";
        var p = command.CreateParameter();
        p.ParameterName = "lo";
        p.Value = 3L;
        command.Parameters.Add(p);
        Assert.Equal("QL-CLUSTER-UNSUPPORTED", Assert.ThrowsAny<QueryLakeException>(() => command.ExecuteScalar()).Code);
    }

    [Fact]
    public void A_cluster_uri_that_is_wrong_or_unreachable_is_a_clear_error()
    {
        Assert.Equal("QL-BAD-ARGUMENT", Assert.ThrowsAny<QueryLakeException>(() => new QueryLakeConnection("Data Source=cluster://nohost").Open()).Code);
        var e = Assert.ThrowsAny<QueryLakeException>(() => new QueryLakeConnection($"Data Source=cluster://127.0.0.1:{S3rverProcess.FreePort()}?connect_timeout=2").Open());
        Assert.Equal("QL-CLUSTER-UNREACHABLE", e.Code);
        Assert.Contains("within 2 s", e.Message);
    }
}

/// <summary>Two <c>querylake serve LAKE --cluster</c> silos in child processes and <c>querylake cluster://…</c>.</summary>
public sealed class ClusterCliTests
{
    [Fact]
    public async Task The_cli_serves_silos_and_queries_them()
    {
        using var dir = new TempDir();
        string lake = dir.File("lake");
        using (var s = QueryLakeSession.Open(lake))
        {
            s.Execute("CREATE DATASET t (id BIGINT, n BIGINT)");
            for (int f = 0; f < 4; f++) s.Execute($"INSERT INTO t SELECT range + {f * 50}, range % 5 FROM range(50)");
        }
        int silo1 = S3rverProcess.FreePort(), gateway1 = S3rverProcess.FreePort(), silo2 = S3rverProcess.FreePort(), gateway2 = S3rverProcess.FreePort(), flight = S3rverProcess.FreePort();
        using var first = Silo(lake, "--silo-port", silo1.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway1.ToString(CultureInfo.InvariantCulture));
        using var second = Silo(lake, "--silo-port", silo2.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway2.ToString(CultureInfo.InvariantCulture), "--primary", $"127.0.0.1:{silo1}",
            "--flight-port", flight.ToString(CultureInfo.InvariantCulture));
        try
        {
            var (exit, stdout, stderr) = Programs.Run(Programs.Dll("QueryLake.Cli", "querylake"), null,
                $"cluster://127.0.0.1:{gateway2}", "--format", "csv", "-c", "SELECT n, count(*) AS c FROM t GROUP BY n ORDER BY n");
            Assert.True(exit == 0, stderr);
            Assert.Equal("n,c\n0,40\n1,40\n2,40\n3,40\n4,40", stdout.Trim().ReplaceLineEndings("\n"));
            var refused = Programs.Run(Programs.Dll("QueryLake.Cli", "querylake"), null, $"cluster://127.0.0.1:{gateway1}", "-c", "DELETE FROM t");
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("a cluster connection runs queries, EXPLAIN, ALTER DATASET … ADD COLUMN … AS, IMPORT FILES and COPY … SHARDS", refused.Stderr + refused.Stdout);
            // The second silo's Flight server runs a ticket's query on the cluster (a self-join: its stages on both silos).
            const string Join = "SELECT a.n, count(*) AS c FROM t a JOIN t b ON a.id = b.id + 1 GROUP BY a.n ORDER BY a.n";
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{flight}");
            using var call = new Apache.Arrow.Flight.Client.FlightClient(channel).GetStream(new Apache.Arrow.Flight.FlightTicket(Join));
            var rows = new List<string>();
            while (await call.ResponseStream.MoveNext(default))
            {
                var b = call.ResponseStream.Current;
                for (int r = 0; r < b.Length; r++)
                    rows.Add($"{((Apache.Arrow.Int64Array)b.Column(0)).GetValue(r)},{((Apache.Arrow.Int64Array)b.Column(1)).GetValue(r)}");
            }
            using var embedded = QueryLakeSession.Open(lake);
            Assert.Equal(embedded.Query(Join).Rows().Select(r => $"{r[0]},{r[1]}"), rows);
        }
        finally
        {
            Stop(second);
            Stop(first);
        }
    }

    [Fact]
    public void Kubernetes_hosting_outside_a_pod_is_refused_with_what_is_missing()
    {
        using var dir = new TempDir();
        using (QueryLakeSession.Open(dir.File("lake"))) { }
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        var alone = Programs.Run(cli, null, "serve", dir.File("lake"), "--cluster", "--kubernetes");
        Assert.NotEqual(0, alone.Exit);
        Assert.Contains("QL-CLUSTER-CONFIG: --kubernetes needs --redis HOST:PORT", alone.Stderr);
        var outside = Programs.Run(cli, null, "serve", dir.File("lake"), "--cluster", "--kubernetes", "--redis", "127.0.0.1:1");
        Assert.NotEqual(0, outside.Exit);
        Assert.Contains("POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_SERVICE_ID, ORLEANS_CLUSTER_ID are not set", outside.Stderr);
    }

    [PostgresFact]
    public async Task The_cli_serves_a_silo_whose_membership_is_in_postgres()
    {
        using var dir = new TempDir();
        string lake = dir.File("lake");
        using (var s = QueryLakeSession.Open(lake))
        {
            s.Execute("CREATE DATASET t (id BIGINT, n BIGINT)");
            for (int f = 0; f < 2; f++) s.Execute($"INSERT INTO t SELECT range + {f * 50}, range % 5 FROM range(50)");
        }
        using var pg = await PostgresServer.StartAsync();
        int gateway = S3rverProcess.FreePort();
        using var silo = Silo(lake, out string started, "--silo-port", S3rverProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture), "--postgres", pg.ConnectionString + ";Password=hunter2");
        try
        {
            Assert.Contains($"membership in PostgreSQL at 127.0.0.1:{pg.Port}/postgres", started);
            Assert.DoesNotContain("hunter2", started);
            var (exit, stdout, stderr) = Programs.Run(Programs.Dll("QueryLake.Cli", "querylake"), null,
                $"cluster://127.0.0.1:{gateway}", "--format", "csv", "-c", "SELECT n, count(*) AS c FROM t GROUP BY n ORDER BY n");
            Assert.True(exit == 0, stderr);
            Assert.Equal("n,c\n0,20\n1,20\n2,20\n3,20\n4,20", stdout.Trim().ReplaceLineEndings("\n"));
        }
        finally
        {
            Stop(silo);
        }
    }

    [Fact]
    public void Membership_flags_that_contradict_each_other_are_refused()
    {
        using var dir = new TempDir();
        using (QueryLakeSession.Open(dir.File("lake"))) { }
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        var both = Programs.Run(cli, null, "serve", dir.File("lake"), "--cluster", "--redis", "127.0.0.1:1", "--postgres", "Host=127.0.0.1");
        Assert.NotEqual(0, both.Exit);
        Assert.Contains("not both: give --redis or --postgres", both.Stderr);
        var primary = Programs.Run(cli, null, "serve", dir.File("lake"), "--cluster", "--primary", "127.0.0.1:11111", "--postgres", "Host=127.0.0.1");
        Assert.NotEqual(0, primary.Exit);
        Assert.Contains("with --postgres, silos find each other in PostgreSQL", primary.Stderr);
        var bare = Programs.Run(cli, null, "serve", dir.File("lake"), "--cluster", "--postgres");
        Assert.NotEqual(0, bare.Exit);
        Assert.Contains("--postgres needs a value", bare.Stderr);
    }

    private static Process Silo(string lake, params string[] options) => Silo(lake, out _, options);

    private static Process Silo(string lake, out string started, params string[] options)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[Programs.Dll("QueryLake.Cli", "querylake"), "serve", lake, "--cluster", .. options]) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(90)) || line.Result is null)
        {
            Stop(process);
            Assert.Fail($"the silo did not start: {process.StandardError.ReadToEnd()}");
        }
        Assert.StartsWith("silo of cluster 'querylake' over ", line.Result);
        started = line.Result;
        return process;
    }

    private static void Stop(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit(10_000);
    }
}
