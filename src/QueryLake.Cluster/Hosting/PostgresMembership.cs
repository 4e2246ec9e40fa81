using Npgsql;
using QueryLake.Errors;

namespace QueryLake.Cluster.Hosting;

/// <summary>The cluster's membership in PostgreSQL (Orleans' ADO.NET clustering): the tables and the queries Orleans runs,
/// created by the first silo that starts (PostgresMembership.sql), and the data source the silo's membership uses.</summary>
internal static class PostgresMembership
{
    /// <summary>The invariant Orleans knows Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The queries Orleans' ADO.NET clustering reads from OrleansQuery.</summary>
    private static readonly string[] QueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "MembershipReadRowKey",
        "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
    ];

    /// <summary>A data source for <paramref name="connectionString"/> whose database holds the membership tables and
    /// queries (created when missing), or QL-CLUSTER-CONFIG naming what failed: a malformed connection string, an
    /// unreachable server, a refused login, a user without the right to create tables.</summary>
    public static async Task<NpgsqlDataSource> PrepareAsync(string connectionString, CancellationToken cancel)
    {
        NpgsqlDataSource source;
        try
        {
            source = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new QueryLakeException("QL-CLUSTER-CONFIG", $"--postgres takes an Npgsql connection string (Host=…;Port=…;Database=…;Username=…), and this one is malformed: {e.Message.Split(" (Parameter")[0]}");
        }
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancel);
            await using var transaction = await connection.BeginTransactionAsync(cancel);
            // Silos that start together create the tables one at a time.
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('querylake-membership'))", connection, transaction))
                await lockCommand.ExecuteNonQueryAsync(cancel);
            await using (var setup = new NpgsqlCommand(Script, connection, transaction))
                await setup.ExecuteNonQueryAsync(cancel);
            // A database set up by someone else must hold every query Orleans asks for.
            var present = new HashSet<string>(StringComparer.Ordinal);
            await using (var read = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection, transaction))
            await using (var reader = await read.ExecuteReaderAsync(cancel))
                while (await reader.ReadAsync(cancel)) present.Add(reader.GetString(0));
            var missing = QueryKeys.Where(k => !present.Contains(k)).ToList();
            if (missing.Count > 0)
                throw new QueryLakeException("QL-CLUSTER-CONFIG",
                    $"the membership database at '{Describe(connectionString)}' has an OrleansQuery table without {string.Join(", ", missing)}: it was set up for another Orleans clustering; give the cluster a database of its own, or add the missing queries");
            await transaction.CommitAsync(cancel);
            return source;
        }
        catch (QueryLakeException)
        {
            await source.DisposeAsync();
            throw;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await source.DisposeAsync();
            throw new QueryLakeException("QL-CLUSTER-CONFIG", $"the membership database at '{Describe(connectionString)}' cannot be prepared: {Reason(e)}");
        }
    }

    /// <summary>Host, port and database of a connection string, never its password.</summary>
    internal static string Describe(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{b.Host}:{b.Port}/{b.Database ?? b.Username}";
        }
        catch (ArgumentException) { return "the given connection string"; }
    }

    /// <summary>Why PostgreSQL refused, in its own words (a server error's message and code), or that it was not reached.</summary>
    private static string Reason(Exception e) => e switch
    {
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState})",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException s } => $"the server does not answer ({s.SocketErrorCode})",
        NpgsqlException { InnerException: TimeoutException } or TimeoutException => "the server did not answer in time",
        System.Net.Sockets.SocketException s => $"the server does not answer ({s.SocketErrorCode})",
        _ => "the server closed the connection",
    };

    private static readonly string Script = ReadScript();

    private static string ReadScript()
    {
        using var stream = typeof(PostgresMembership).Assembly.GetManifestResourceStream("QueryLake.Cluster.Hosting.PostgresMembership.sql")
            ?? throw new InvalidOperationException("PostgresMembership.sql is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
