using System.Security.Cryptography;
using System.Text;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Server;
using Google.Protobuf;
using Grpc.Core;
using QueryLake.Errors;
using QueryLake.Language;
using QueryLake.Sessions;

namespace QueryLake.Flight;

/// <summary>
/// Serves a lake over Arrow Flight. Any Flight client reads with no QueryLake code:
/// <list type="bullet">
/// <item><c>DoGet</c>: a ticket's bytes are the UTF-8 text of a query, whose result streams back batch by batch as the
/// engine computes it (bounded memory; gRPC flow control holds the engine back when the client reads slowly; the query
/// stops when the client goes away). A query may end with <c>SHARD i OF n [SEED s] [EPOCH e] [BATCH b]</c> for one
/// training worker's shuffled share (<see cref="FlightTicketText"/>).</item>
/// <item><c>GetFlightInfo</c> / <c>GetSchema</c>: a command descriptor holding a query, or a path descriptor naming a
/// dataset; the one endpoint's ticket is the query.</item>
/// <item><c>ListFlights</c>: every dataset of the lake, with its schema and row count.</item>
/// <item><c>DoAction("status")</c>: open, completed, cancelled and failed streams as JSON (<see cref="FlightActivity"/>).</item>
/// <item><c>DoPut</c>: a path descriptor naming a dataset; the batches sent are appended in one commit (the dataset is
/// created if it does not exist). Refused by a read-only server.</item>
/// </list>
/// Queries run in a read-only session with no file access outside the lake. Errors come back as gRPC status
/// <c>InvalidArgument</c> (or <c>NotFound</c>, <c>PermissionDenied</c>, <c>Unauthenticated</c>) whose detail starts
/// with the QL code.
/// </summary>
public sealed class QueryLakeFlightServer(FlightServeOptions options, FlightActivity activity) : FlightServer
{
    private readonly byte[]? _token = options.Token is null ? null : Encoding.UTF8.GetBytes(options.Token);

    /// <summary>The name a DoPut's batches are registered under for the statement that appends them.</summary>
    private const string PutRelation = "__flight_put";

    private void Authorize(ServerCallContext context)
    {
        if (_token is null) return;
        var header = context.RequestHeaders.GetValue("authorization") ?? "";
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8.GetBytes(header[7..].Trim()) : [];
        if (!CryptographicOperations.FixedTimeEquals(given, _token))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "QL-UNAUTHENTICATED: this server needs 'authorization: Bearer <token>' with its token"));
    }

    /// <summary>A session for queries (on the lake, or on a cluster, <see cref="FlightServeOptions.Sessions"/>):
    /// read-only, no files outside the lake.</summary>
    private QueryLakeSession Reader()
    {
        var s = options.Sessions?.Invoke() ?? QueryLakeSession.Open(options.LakePath);
        s.ReadOnly = true;
        s.FileAccess.Configure(externalAccess: false, lockConfiguration: true);
        return s;
    }

    private static async Task<T> Guard<T>(Func<Task<T>> work)
    {
        try { return await work().ConfigureAwait(false); }
        catch (RpcException) { throw; }
        catch (OperationCanceledException) { throw new RpcException(new Status(StatusCode.Cancelled, "QL-CANCELLED: the call was cancelled")); }
        catch (QueryLakeException e)
        {
            var code = e.Code switch
            {
                "QL-DATASET-NOT-FOUND" or "QL-FILE-NOT-FOUND" => StatusCode.NotFound,
                "QL-READ-ONLY" or "QL-ACCESS-DENIED" => StatusCode.PermissionDenied,
                "QL-CANCELLED" or "QL-TIMEOUT" => StatusCode.Cancelled,
                _ => StatusCode.InvalidArgument,
            };
            throw new RpcException(new Status(code, $"{e.Code}: {e.Message}"));
        }
    }

    private static Task Guard(Func<Task> work) => Guard(async () => { await work().ConfigureAwait(false); return 0; });

    /// <summary>The query a descriptor asks for: its command, or all of the dataset its path names.</summary>
    private static string QueryOf(FlightDescriptor descriptor) => descriptor.Type switch
    {
        FlightDescriptorType.Command => descriptor.Command.ToStringUtf8(),
        _ when descriptor.Paths.ToList() is [var name] => $"SELECT * FROM {SqlIdentifier.Quote(name)}",
        _ => throw new QueryLakeException("QL-BAD-ARGUMENT", "a path descriptor names one dataset"),
    };

    /// <inheritdoc />
    public override Task DoGet(FlightTicket ticket, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context) => Guard(async () =>
    {
        Authorize(context);
        var text = FlightTicketText.Parse(ticket.Ticket.ToStringUtf8());
        var cancel = context.CancellationToken;
        activity.Opened();
        bool completed = false;
        try
        {
            using var session = Reader();
            if (text.Shard is { } shard)
            {
                var loader = session.Load(text.Sql, shard);
                await foreach (var b in loader.ReadAllArrowAsync(options.MaxBatchBytes, cancel).ConfigureAwait(false))
                    await responseStream.WriteAsync(b).ConfigureAwait(false);
            }
            else
            {
                using var result = await Task.Run(() => session.Query(text.Sql, cancel: cancel), cancel).ConfigureAwait(false);
                await responseStream.SetupStream(result.ArrowSchema).ConfigureAwait(false);
                await foreach (var b in result.ToArrowBatchesAsync(options.MaxBatchBytes, cancel).ConfigureAwait(false))
                    await responseStream.WriteAsync(b).ConfigureAwait(false);
            }
            completed = true;
        }
        finally
        {
            activity.Closed(completed, cancelled: cancel.IsCancellationRequested);
        }
    });

    /// <summary>The one action: <c>status</c>, whose single result is <see cref="FlightActivity.ToJson"/>.</summary>
    private static readonly FlightActionType Status = new("status", "the server's streams: open now, completed, cancelled (the client went away) and failed; and its managed heap, as JSON");

    /// <inheritdoc />
    public override Task ListActions(IAsyncStreamWriter<FlightActionType> responseStream, ServerCallContext context) => Guard(async () =>
    {
        Authorize(context);
        await responseStream.WriteAsync(Status).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public override Task DoAction(FlightAction request, IAsyncStreamWriter<FlightResult> responseStream, ServerCallContext context) => Guard(async () =>
    {
        Authorize(context);
        if (request.Type != Status.Type)
            throw new QueryLakeException("QL-BAD-ARGUMENT", $"unknown action '{request.Type}'; the actions are: {Status.Type}");
        await responseStream.WriteAsync(new FlightResult(activity.ToJson())).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public override Task<FlightInfo> GetFlightInfo(FlightDescriptor request, ServerCallContext context) => Guard(async () =>
    {
        Authorize(context);
        var sql = QueryOf(request);
        var schema = await SchemaOf(FlightTicketText.Parse(sql).Sql, context.CancellationToken).ConfigureAwait(false);
        var endpoint = new FlightEndpoint(new FlightTicket(ByteString.CopyFromUtf8(sql)), []);
        return new FlightInfo(schema, request, [endpoint], -1, -1);
    });

    /// <inheritdoc />
    public override Task<Apache.Arrow.Schema> GetSchema(FlightDescriptor request, ServerCallContext context) => Guard(() =>
    {
        Authorize(context);
        return SchemaOf(FlightTicketText.Parse(QueryOf(request)).Sql, context.CancellationToken);
    });

    /// <summary>A query's result schema: the query is planned and its result stopped before a row is read.</summary>
    private Task<Apache.Arrow.Schema> SchemaOf(string sql, CancellationToken cancel) => Task.Run(() =>
    {
        using var session = Reader();
        using var result = session.Query(sql, cancel: cancel);
        return result.ArrowSchema;
    }, cancel);

    /// <inheritdoc />
    public override Task ListFlights(FlightCriteria request, IAsyncStreamWriter<FlightInfo> responseStream, ServerCallContext context) => Guard(async () =>
    {
        Authorize(context);
        using var session = Reader();
        foreach (var name in session.Lake.ListDatasets())
        {
            var sql = $"SELECT * FROM {SqlIdentifier.Quote(name)}";
            using var result = session.Query(sql, cancel: context.CancellationToken);
            long rows = (long)session.Query($"SELECT count(*) FROM {SqlIdentifier.Quote(name)}", cancel: context.CancellationToken).Rows().Single()[0]!;
            var endpoint = new FlightEndpoint(new FlightTicket(ByteString.CopyFromUtf8(sql)), []);
            await responseStream.WriteAsync(new FlightInfo(result.ArrowSchema, FlightDescriptor.CreatePathDescriptor(name), [endpoint], rows, -1)).ConfigureAwait(false);
        }
    });

    /// <inheritdoc />
    public override Task DoPut(FlightServerRecordBatchStreamReader requestStream, IAsyncStreamWriter<FlightPutResult> responseStream, ServerCallContext context) => Guard(async () =>
    {
        Authorize(context);
        if (options.ReadOnly)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "QL-READ-ONLY: this server was started with --read-only"));
        var descriptor = await requestStream.FlightDescriptor.ConfigureAwait(false);
        if (descriptor.Type != FlightDescriptorType.Path || descriptor.Paths.ToList() is not [var name])
            throw new QueryLakeException("QL-BAD-ARGUMENT", "DoPut takes a path descriptor naming one dataset");
        var schema = await requestStream.Schema.ConfigureAwait(false);
        var stream = new FlightPutStream(schema, requestStream);
        long rows = await Task.Run(() =>
        {
            using var session = QueryLakeSession.Open(options.LakePath);
            session.FileAccess.Configure(externalAccess: false, lockConfiguration: true);
            session.Register(PutRelation, stream);
            var statement = session.Lake.DatasetExists(name)
                ? $"INSERT INTO {SqlIdentifier.Quote(name)} SELECT * FROM {PutRelation}"
                : $"CREATE DATASET {SqlIdentifier.Quote(name)} AS SELECT * FROM {PutRelation}";
            var result = session.Execute(statement, cancel: context.CancellationToken).Last();
            return result.RowsAffected ?? stream.Rows;
        }, context.CancellationToken).ConfigureAwait(false);
        await responseStream.WriteAsync(new FlightPutResult($"{{\"rows\": {rows}}}")).ConfigureAwait(false);
    });
}
