using A = Apache.Arrow;

namespace QueryLake.Columnar.Interop;

/// <summary>Batches as an Apache.Arrow <see cref="A.Ipc.IArrowArrayStream"/>, converted without copying as they are
/// read (<see cref="ApacheArrowConvert"/>); disposing the stream disposes the source.</summary>
internal sealed class ArrowResultStream(Schema schema, IEnumerator<RecordBatch> batches, IDisposable? owner) : A.Ipc.IArrowArrayStream
{
    private bool _done;

    public A.Schema Schema { get; } = ApacheArrowConvert.ToApache(schema);

    public ValueTask<A.RecordBatch?> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_done || !batches.MoveNext())
        {
            _done = true;
            return ValueTask.FromResult<A.RecordBatch?>(null);
        }
        return ValueTask.FromResult<A.RecordBatch?>(ApacheArrowConvert.ToApache(batches.Current, Schema));
    }

    public void Dispose()
    {
        _done = true;
        try { batches.Dispose(); }
        finally { owner?.Dispose(); }
    }
}
