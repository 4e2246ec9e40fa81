using Apache.Arrow;
using Apache.Arrow.Flight.Server;
using Apache.Arrow.Ipc;

namespace QueryLake.Flight;

/// <summary>The batches a client sends with <c>DoPut</c>, as an <see cref="IArrowArrayStream"/> a session reads once.</summary>
internal sealed class FlightPutStream(Schema schema, FlightServerRecordBatchStreamReader reader) : IArrowArrayStream
{
    public Schema Schema { get; } = schema;

    /// <summary>Batches read so far.</summary>
    public long Rows { get; private set; }

    public async ValueTask<RecordBatch?> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
    {
        if (!await reader.MoveNext(cancellationToken).ConfigureAwait(false)) return null;
        Rows += reader.Current.Length;
        return reader.Current;
    }

    public void Dispose() { }
}
