using System.Net;
using Microsoft.Extensions.Hosting;
using Npgsql;
using QueryLake.Cluster.Hosting;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>Silos that find each other through PostgreSQL (Orleans' ADO.NET clustering with QueryLake's membership
/// tables and queries, PostgresMembership.sql): three silos over one lake, a client at one gateway, results equal to the
/// embedded ones; the membership rows Orleans wrote through those queries; a silo that leaves is marked dead and the
/// query runs on the two left; a database that cannot be reached or a malformed connection string is a QL error.</summary>
public sealed class PostgresMembershipTests
{
    // Orleans' SiloStatus: Active and Dead.
    private const int Active = 3, Dead = 6;

    [PostgresFact]
    public async Task Silos_with_membership_in_postgres_run_a_query_and_survive_one_leaving()
    {
        using var dir = new TempDir();
        string lake = dir.File("lake");
        using (var s = QueryLakeSession.Open(lake))
        {
            s.Execute("CREATE DATASET t (id BIGINT, n BIGINT)");
            for (int f = 0; f < 6; f++) s.Execute($"INSERT INTO t SELECT range + {f * 100}, range % 3 FROM range(100)");
        }
        using var pg = await PostgresServer.StartAsync();
        var silos = new List<IHost>();
        try
        {
            var gateways = new List<IPEndPoint>();
            for (int i = 0; i < 3; i++)
            {
                int gateway = S3rverProcess.FreePort();
                silos.Add(await ClusterSilo.StartAsync(new ClusterSiloOptions
                {
                    Lake = lake, SiloPort = S3rverProcess.FreePort(), GatewayPort = gateway, Postgres = pg.ConnectionString, ClusterId = "pg-test",
                    FailureDetection = TimeSpan.FromSeconds(1),
                }));
                gateways.Add(new IPEndPoint(IPAddress.Loopback, gateway));
            }
            const string sql = "SELECT n, count(*) AS c, sum(id) AS s FROM t GROUP BY n ORDER BY n";
            using var embedded = QueryLakeSession.Open(lake);
            var expected = embedded.Query(sql).Rows().Select(r => string.Join("|", r)).ToList();
            await using (var client = await ClusterClient.ConnectAsync([gateways[2]], "pg-test"))
            {
                var (_, batches, stages) = await client.QueryAsync(sql);
                Assert.Equal(expected, Rows(batches));
                var placed = stages.Where(s => s.StartsWith("  fragments", StringComparison.Ordinal)).Select(s => s.Split(" on ")[1].Split(": ")[0]).Distinct().Count();
                Assert.True(placed >= 2, string.Join("\n", stages));
            }
            // Orleans wrote the three silos through QueryLake's queries: three active rows, one table version that counts
            // every write.
            var rows = await Membership(pg);
            Assert.Equal(3, rows.Count(r => r.Status == Active));
            Assert.True(await Version(pg) >= 3);

            // The first silo leaves: Orleans marks it dead in the table (UpdateMembershipKey), and the two left run the
            // query alone.
            await silos[0].StopAsync(TimeSpan.FromSeconds(10));
            silos[0].Dispose();
            silos.RemoveAt(0);
            for (int i = 0; i < 100 && (await Membership(pg)).Count(r => r.Status == Dead) == 0; i++) await Task.Delay(100);
            rows = await Membership(pg);
            Assert.Equal(1, rows.Count(r => r.Status == Dead));
            Assert.Equal(2, rows.Count(r => r.Status == Active));
            await using (var client = await ClusterClient.ConnectAsync([gateways[1]], "pg-test"))
            {
                var (_, batches, stages) = await client.QueryAsync(sql);
                Assert.Equal(expected, Rows(batches));
                Assert.DoesNotContain(stages, s => s.Contains(":" + rows.Single(r => r.Status == Dead).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            }
        }
        finally
        {
            await ThreeSilos.StopAll(silos);
        }
    }

    [PostgresFact]
    public async Task A_database_set_up_for_other_queries_keeps_them_and_is_refused_and_setup_runs_twice()
    {
        using var pg = await PostgresServer.StartAsync();
        using var dir = new TempDir();
        string lake = dir.File("lake");
        using (var s = QueryLakeSession.Open(lake)) s.Execute("CREATE DATASET t (id BIGINT)");
        await using (var c = new NpgsqlConnection(pg.ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE TABLE OrleansQuery (QueryKey varchar(64) PRIMARY KEY, QueryText text NOT NULL); INSERT INTO OrleansQuery VALUES ('GatewaysQueryKey', 'kept')", c);
            await cmd.ExecuteNonQueryAsync();
        }
        // Setup finds one of its keys present, adds none of its own, leaves the row as it was, and names the keys missing;
        // run twice, it does the same.
        for (int run = 0; run < 2; run++)
        {
            var e = await Assert.ThrowsAsync<QueryLakeException>(() => ClusterSilo.StartAsync(new ClusterSiloOptions
            {
                Lake = lake, SiloPort = S3rverProcess.FreePort(), GatewayPort = S3rverProcess.FreePort(), Postgres = pg.ConnectionString, ClusterId = "pg-keep",
            }));
            Assert.Equal("QL-CLUSTER-CONFIG", e.Code);
            Assert.Contains("without InsertMembershipVersionKey, InsertMembershipKey", e.Message);
            Assert.DoesNotContain("GatewaysQueryKey", e.Message);
        }
        await using (var c = new NpgsqlConnection(pg.ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT string_agg(QueryKey || '=' || QueryText, ',') FROM OrleansQuery", c);
            Assert.Equal("GatewaysQueryKey=kept", await cmd.ExecuteScalarAsync());
        }
        // Setup on a database of its own runs twice and leaves one set of queries.
        await using (var c = new NpgsqlConnection(pg.ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("DROP TABLE OrleansQuery", c);
            await cmd.ExecuteNonQueryAsync();
        }
        for (int run = 0; run < 2; run++) await (await PostgresMembership.PrepareAsync(pg.ConnectionString, CancellationToken.None)).DisposeAsync();
        await using (var c = new NpgsqlConnection(pg.ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", c);
            Assert.Equal(9L, await cmd.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task An_unreachable_or_malformed_membership_database_is_a_QL_error_without_the_password()
    {
        using var dir = new TempDir();
        string lake = dir.File("lake");
        using (var s = QueryLakeSession.Open(lake)) s.Execute("CREATE DATASET t (id BIGINT)");
        int closed = S3rverProcess.FreePort();
        var e = await Assert.ThrowsAsync<QueryLakeException>(() => ClusterSilo.StartAsync(new ClusterSiloOptions
        {
            Lake = lake, SiloPort = S3rverProcess.FreePort(), GatewayPort = S3rverProcess.FreePort(),
            Postgres = $"Host=127.0.0.1;Port={closed};Database=lakes;Username=ql;Password=hunter2;Timeout=3",
        }));
        Assert.Equal("QL-CLUSTER-CONFIG", e.Code);
        Assert.Contains($"127.0.0.1:{closed}/lakes", e.Message);
        Assert.Contains("does not answer", e.Message);
        Assert.DoesNotContain("hunter2", e.Message);

        e = await Assert.ThrowsAsync<QueryLakeException>(() => ClusterSilo.StartAsync(new ClusterSiloOptions
        {
            Lake = lake, SiloPort = S3rverProcess.FreePort(), GatewayPort = S3rverProcess.FreePort(), Postgres = "Host=127.0.0.1;Colour=blue",
        }));
        Assert.Equal("QL-CLUSTER-CONFIG", e.Code);
        Assert.Contains("malformed", e.Message);
        Assert.Contains("colour", e.Message, StringComparison.OrdinalIgnoreCase);

        e = await Assert.ThrowsAsync<QueryLakeException>(() => ClusterSilo.StartAsync(new ClusterSiloOptions
        {
            Lake = lake, Redis = "127.0.0.1:6379", Postgres = "Host=127.0.0.1",
        }));
        Assert.Equal("QL-CLUSTER-CONFIG", e.Code);
        Assert.Contains("not both", e.Message);
    }

    private static List<string> Rows(IEnumerable<QueryLake.Columnar.RecordBatch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => string.Join("|", b.Columns.Select(c => c.GetValue(r))))).ToList();

    private static async Task<List<(int Port, int Status)>> Membership(PostgresServer pg)
    {
        await using var c = new NpgsqlConnection(pg.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT port, status FROM querylake_membership WHERE deployment_id = 'pg-test'", c);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(int, int)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        return rows;
    }

    private static async Task<int> Version(PostgresServer pg)
    {
        await using var c = new NpgsqlConnection(pg.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version FROM querylake_membership_version WHERE deployment_id = 'pg-test'", c);
        return (int)(await cmd.ExecuteScalarAsync())!;
    }
}
