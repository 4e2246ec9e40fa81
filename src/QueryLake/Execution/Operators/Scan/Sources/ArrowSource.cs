using QueryLake.Columnar;
using QueryLake.Columnar.Interop;
using QueryLake.Columnar.Statistics;
using QueryLake.Errors;
using QueryLake.Planning.Logical;
using QueryLake.Storage;
using A = Apache.Arrow;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>Apache.Arrow record batches registered with a session (<see cref="Sessions.QueryLakeSession.Register(string, A.Ipc.IArrowArrayStream, bool)"/>),
/// read without copying (unless asked to, for producers that reuse a batch's memory): each batch is converted as it is scanned and shares its buffers. Batches given as a sequence
/// are scanned as often as a plan asks; a stream can be read once, and a second scan fails with QL-ARROW-STREAM-READ.</summary>
internal sealed class ArrowSource : ITableSource
{
    private readonly IEnumerable<A.RecordBatch>? _batches;
    private readonly A.Ipc.IArrowArrayStream? _stream;
    private int _streamRead;
    private readonly bool _copy;

    /// <summary>The batches' own schema (dictionary fields typed as dictionaries); <see cref="Schema"/> is the engine's.</summary>
    private readonly Schema _arrowSchema;

    public ArrowSource(string name, A.Schema schema, IEnumerable<A.RecordBatch> batches)
    {
        Name = name;
        _arrowSchema = ApacheArrowConvert.FromApache(schema);
        Schema = Kernels.Vectors.EngineSchema(_arrowSchema);
        _batches = batches;
        EstimatedRows = batches is IReadOnlyCollection<A.RecordBatch> list ? list.Sum(b => (long)b.Length) : null;
    }

    public ArrowSource(string name, A.Ipc.IArrowArrayStream stream, bool copy)
    {
        _copy = copy;
        Name = name;
        _arrowSchema = ApacheArrowConvert.FromApache(stream.Schema);
        Schema = Kernels.Vectors.EngineSchema(_arrowSchema);
        _stream = stream;
    }

    public string Name { get; }
    public Schema Schema { get; }
    public long? EstimatedRows { get; }
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        var projection = new ArrowProjection(Schema, _arrowSchema, columns, _copy);
        foreach (var batch in Batches(cancel))
        {
            cancel.ThrowIfCancellationRequested();
            if (batch.ColumnCount != Schema.Fields.Count)
                throw new QueryLakeException("QL-ARROW-SCHEMA", $"a batch of '{Name}' has {batch.ColumnCount} columns, its schema {Schema.Fields.Count}");
            yield return projection.Take(batch);
        }
    }

    private IEnumerable<A.RecordBatch> Batches(CancellationToken cancel)
    {
        if (_batches is not null)
        {
            foreach (var b in _batches) yield return b;
            yield break;
        }
        if (Interlocked.Exchange(ref _streamRead, 1) != 0)
            throw new QueryLakeException("QL-ARROW-STREAM-READ", $"the Arrow stream registered as '{Name}' was already read: a stream can be read once (register its batches as a list to read them again)");
        while (_stream!.ReadNextRecordBatchAsync(cancel).AsTask().GetAwaiter().GetResult() is { } b) yield return b;
    }
}
