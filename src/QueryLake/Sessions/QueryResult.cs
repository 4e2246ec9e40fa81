using System.Collections;
using QueryLake.Columnar;
using QueryLake.Errors;

namespace QueryLake.Sessions;

/// <summary>The result of one statement: a schema and batches (possibly none), and for statements that change data,
/// the number of rows affected.</summary>
/// <remarks>
/// A query's result <b>streams</b>: its batches are computed as the caller enumerates them (<c>foreach</c>, or
/// <c>await foreach</c>), so the first rows arrive before the last are computed and memory does not grow with the
/// result's size. A streamed result can be read once. Keeping every batch is an explicit choice:
/// <see cref="Materialize"/> (or <see cref="Batches"/>, which materializes) reads the rest of the result into memory,
/// after which it can be read any number of times. The statement's timeout and cancellation hold while it streams;
/// <see cref="Dispose"/> stops a result that is not read to its end.
/// </remarks>
[Display.TypeFormatterSource(typeof(Display.QueryResultFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class QueryResult : IEnumerable<RecordBatch>, IAsyncEnumerable<RecordBatch>, IDisposable
{
    private List<RecordBatch>? _batches;
    private IEnumerator<RecordBatch>? _stream;
    private bool _started;

    internal QueryResult(string statement, Schema schema, IReadOnlyList<RecordBatch> batches, long? rowsAffected = null)
    {
        Statement = statement;
        Schema = schema;
        _batches = batches as List<RecordBatch> ?? batches.ToList();
        RowsAffected = rowsAffected;
    }

    /// <summary>A result that streams <paramref name="batches"/>: the enumerator is created now and advanced as the
    /// caller reads. <paramref name="scope"/> (the statement's) is disposed when the result is read to its end, fails
    /// or is disposed.</summary>
    internal QueryResult(string statement, Schema schema, IEnumerable<RecordBatch> batches, IDisposable? scope = null)
    {
        Statement = statement;
        Schema = schema;
        _stream = batches.GetEnumerator();
        _scope = scope;
    }

    private readonly IDisposable? _scope;

    /// <summary>The statement's text.</summary>
    public string Statement { get; }

    /// <summary>The result columns.</summary>
    public Schema Schema { get; }

    /// <summary>Rows inserted, updated or deleted, for statements that change data.</summary>
    public long? RowsAffected { get; }

    /// <summary>Whether every batch is in memory (a statement's fixed output, or after <see cref="Materialize"/>), so the
    /// result can be read more than once.</summary>
    public bool IsMaterialized => _batches is not null;

    /// <summary>Every batch, in memory: reading this materializes the rest of a streamed result (see
    /// <see cref="Materialize"/>).</summary>
    public IReadOnlyList<RecordBatch> Batches => Materialize()._batches!;

    /// <summary>Number of result rows (materializes a streamed result).</summary>
    public long RowCount => Batches.Sum(b => (long)b.Length);

    /// <summary>Reads the rest of a streamed result into memory and returns this result, which can then be read any
    /// number of times. Fails with QL-RESULT-READ when streaming has already begun: the batches read were not kept.</summary>
    public QueryResult Materialize()
    {
        if (_batches is not null) return this;
        var list = new List<RecordBatch>();
        foreach (var b in TakeStream()) list.Add(b);
        _batches = list;
        return this;
    }

    /// <summary>The batches, as they are computed (a streamed result) or from memory (a materialized one).</summary>
    public IEnumerator<RecordBatch> GetEnumerator() => _batches is { } list ? list.GetEnumerator() : TakeStream().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The batches, computed off the caller's thread: each <c>MoveNextAsync</c> completes when the next batch
    /// is ready.</summary>
    public async IAsyncEnumerator<RecordBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_batches is { } list)
        {
            foreach (var b in list) { cancellationToken.ThrowIfCancellationRequested(); yield return b; }
            yield break;
        }
        using var e = TakeStream().GetEnumerator();
        while (await Task.Run(e.MoveNext, cancellationToken).ConfigureAwait(false))
            yield return e.Current;
    }

    private IEnumerable<RecordBatch> TakeStream()
    {
        if (_started)
            throw new QueryLakeException("QL-RESULT-READ", "this result was already read: a streamed result can be read once (call Materialize() first to keep its rows)");
        _started = true;
        return new Drain(_stream!, _scope);
    }

    /// <summary>The stream, read once; disposing it (or reading it to its end) ends the statement, whether or not reading
    /// began.</summary>
    private sealed class Drain(IEnumerator<RecordBatch> stream, IDisposable? scope) : IEnumerable<RecordBatch>, IEnumerator<RecordBatch>
    {
        private bool _taken;

        public IEnumerator<RecordBatch> GetEnumerator()
        {
            if (_taken) throw new QueryLakeException("QL-RESULT-READ", "this result was already read: a streamed result can be read once");
            _taken = true;
            return this;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public RecordBatch Current => stream.Current;

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (stream.MoveNext()) return true;
            Dispose();
            return false;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            try { stream.Dispose(); }
            finally { scope?.Dispose(); }
        }
    }

    /// <summary>The result columns as an Apache.Arrow schema (extension types as their storage with
    /// <c>ARROW:extension:*</c> field metadata).</summary>
    public Apache.Arrow.Schema ArrowSchema => Columnar.Interop.ApacheArrowConvert.ToApache(Schema);

    /// <summary>The batches as Apache.Arrow record batches that <b>share their buffers</b> with the engine's (no copy),
    /// streamed like <see cref="GetEnumerator"/>. A batch stays valid as long as it is referenced, after the result is
    /// read on or disposed; disposing a batch is allowed and releases nothing the engine still uses.</summary>
    public IEnumerable<Apache.Arrow.RecordBatch> ToArrowBatches()
    {
        var schema = ArrowSchema;
        foreach (var b in this) yield return Columnar.Interop.ApacheArrowConvert.ToApache(b, schema);
    }

    /// <summary><see cref="ToArrowBatches"/>, computed off the caller's thread.</summary>
    public IAsyncEnumerable<Apache.Arrow.RecordBatch> ToArrowBatchesAsync(CancellationToken cancellationToken = default) =>
        ToArrowBatchesAsync(0, cancellationToken);

    /// <summary><see cref="ToArrowBatches"/>, computed off the caller's thread, with each engine batch cut into
    /// slices (sharing its buffers) of at most <paramref name="maxBatchBytes"/> bytes of Arrow buffers, so a sender's
    /// messages stay bounded whatever the rows hold (a single larger row is a batch of its own; 0: no limit).</summary>
    public async IAsyncEnumerable<Apache.Arrow.RecordBatch> ToArrowBatchesAsync(long maxBatchBytes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var schema = ArrowSchema;
        await foreach (var b in this.WithCancellation(cancellationToken).ConfigureAwait(false))
            foreach (var slice in Columnar.RowBytes.Slices(b, maxBatchBytes))
                yield return Columnar.Interop.ApacheArrowConvert.ToApache(slice, schema);
    }

    /// <summary>The result as an Apache.Arrow <see cref="Apache.Arrow.Ipc.IArrowArrayStream"/> (batches as by
    /// <see cref="ToArrowBatches"/>), which <c>Apache.Arrow.C.CArrowArrayStreamExporter</c> hands to native Arrow
    /// consumers through the C Data Interface without copies. Disposing the stream stops the statement.</summary>
    public Apache.Arrow.Ipc.IArrowArrayStream ToArrowStream() =>
        new Columnar.Interop.ArrowResultStream(Schema, GetEnumerator(), this);

    /// <summary>The rows as arrays of .NET values (see <see cref="Columnar.Arrays.ArrowArray.GetValue"/>), streamed.</summary>
    public IEnumerable<object?[]> Rows()
    {
        foreach (var b in this)
            for (int r = 0; r < b.Length; r++)
            {
                var row = new object?[b.Columns.Count];
                for (int c = 0; c < row.Length; c++) row[c] = b.Columns[c].GetValue(r);
                yield return row;
            }
    }

    /// <summary>Stops a streamed result that was not read to its end, releasing what its statement holds.</summary>
    public void Dispose()
    {
        if (_batches is null && !_started) { _started = true; _stream?.Dispose(); _scope?.Dispose(); }
    }
}
