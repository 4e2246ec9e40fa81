using QueryLake.Columnar;
using QueryLake.Formats.Parquet.Metadata;
using QueryLake.Formats.Parquet.Thrift;
using QueryLake.Formats.Parquet.Writing;

namespace QueryLake.Formats.Parquet;

/// <summary>
/// Writes Arrow record batches as a Parquet file: row groups of <see cref="ParquetWriteOptions.RowGroupSize"/> rows,
/// dictionary encoding where it pays, statistics on every chunk and page, the page index (column and offset indexes),
/// nested lists and structs, and fixed-size lists (embeddings) as lists. The file is written beside its target and
/// renamed into place when complete, so a crash never leaves a partial file under the target name.
/// </summary>
public sealed class ParquetFileWriter : IDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private readonly FileStream _out;
    private readonly ParquetWriteOptions _options;
    private readonly List<WriteNode> _nodes;
    private readonly FileMetaData _meta = new() { CreatedBy = "QueryLake" };
    /// <summary>The accumulators the next rows shred into; a full row group's set is encoded and written by a
    /// background flush (<see cref="_flushing"/>) while the next rows shred into the other set.</summary>
    private LeafAccumulator[] _leaves;
    private LeafAccumulator[]? _spare;
    private Task? _flushing;
    /// <summary>Per leaf: whether dictionary encoding did not pay in an earlier row group (carried across both sets).</summary>
    private readonly bool[] _declined;
    private readonly List<List<ColumnChunkWriter.Result>> _indexes = [];
    private long _rows;
    private bool _done;

    /// <summary>Starts a file for <paramref name="schema"/>.</summary>
    /// <exception cref="NotSupportedException">A column's type has no Parquet form.</exception>
    public ParquetFileWriter(string path, Schema schema, ParquetWriteOptions? options = null)
    {
        _options = options ?? new ParquetWriteOptions();
        _ = _options.Codec; // validates the name
        if (_options.RowGroupSize <= 0 || _options.PageRows <= 0) throw new ArgumentException("row group size and page rows must be positive");
        Schema = schema;
        _nodes = WriteNode.Build(schema, out var elements);
        _meta.Schema = elements;
        _meta.KeyValues.Add(new(Reading.ArrowSchemaHint.Key, Reading.ArrowSchemaHint.Encode(schema)));
        _leaves = Accumulators();
        _declined = new bool[_leaves.Length];
        _path = Path.GetFullPath(path);
        _temp = _path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        _out = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        _out.Write("PAR1"u8);
        _chunkBuffers = new MemoryStream?[_leaves.Length];
    }

    private LeafAccumulator[] Accumulators() =>
        _nodes.SelectMany(n => n.Leaves()).OrderBy(l => l.LeafIndex).Select(l => new LeafAccumulator(l, Shredder.Width(l))).ToArray();

    /// <summary>The schema being written.</summary>
    public Schema Schema { get; }

    /// <summary>Rows written so far.</summary>
    public long RowCount => _accepted;

    private long _accepted;

    private long _pendingRows;
    private MemoryStream?[] _chunkBuffers = [];

    /// <summary>Appends a batch (its schema must have the writer's column types).</summary>
    public void Write(RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (batch.Columns.Count != _nodes.Count) throw new ArgumentException($"the batch has {batch.Columns.Count} columns but the file has {_nodes.Count}");
        int offset = 0;
        while (offset < batch.Length)
        {
            int take = (int)Math.Min(batch.Length - offset, _options.RowGroupSize - _pendingRows);
            var part = offset == 0 && take == batch.Length ? batch : batch.Slice(offset, take);
            // Each column fills its own leaves: columns shred in parallel.
            if (_options.Threads > 1 && _nodes.Count > 1 && take >= 4096)
                Parallel.For(0, _nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, c => Shredder.Column(_nodes[c], part.Columns[c], _leaves, _options.MaxDictionarySize));
            else
                for (int c = 0; c < _nodes.Count; c++) Shredder.Column(_nodes[c], part.Columns[c], _leaves, _options.MaxDictionarySize);
            _pendingRows += take;
            _accepted += take;
            offset += take;
            if (_pendingRows == _options.RowGroupSize) StartFlush();
        }
    }

    /// <summary>Ends the current row group here (a lake's cold fragment keeps its batches as row groups, so a batch
    /// index is a row group index).</summary>
    internal void EndRowGroup()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (_pendingRows > 0) StartFlush();
    }

    /// <summary>Hands the full row group to a background flush (after the previous one is done, so row groups reach the
    /// file in order) and shreds the next rows into the other set of accumulators meanwhile.</summary>
    private void StartFlush()
    {
        WaitForFlush();
        var full = _leaves;
        long rows = _pendingRows;
        _leaves = _spare ?? Accumulators();
        _spare = null;
        _pendingRows = 0;
        _flushing = Task.Run(() =>
        {
            FlushRowGroup(full, rows);
            _spare = full;
        });
    }

    /// <summary>Waits for the background flush, if any; its failure is this call's.</summary>
    private void WaitForFlush()
    {
        if (_flushing is not { } task) return;
        _flushing = null;
        task.GetAwaiter().GetResult();
    }

    /// <summary>Encodes the pending row group's column chunks in parallel, each into memory (pages, compression,
    /// statistics are per chunk), then appends them to the file in column order and moves their offsets into place.</summary>
    private void FlushRowGroup(LeafAccumulator[] leaves, long rows)
    {
        if (rows == 0) return;
        var group = new RowGroup { NumRows = rows };
        var encoded = new (MemoryStream Bytes, ColumnChunkWriter.Result Result)[leaves.Length];
        Parallel.For(0, leaves.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Threads) }, i =>
        {
            // Each leaf keeps its buffer from one row group to the next (no large allocations, so no full collections).
            var bytes = _chunkBuffers[i] ??= new MemoryStream();
            bytes.SetLength(0);
            leaves[i].DictionaryDeclined = _declined[i];
            encoded[i] = (bytes, ColumnChunkWriter.Write(bytes, leaves[i], _options));
            _declined[i] = leaves[i].DictionaryDeclined;
        });
        var results = new List<ColumnChunkWriter.Result>();
        foreach (var (bytes, r) in encoded)
        {
            long at = _out.Position;
            bytes.Position = 0;
            bytes.CopyTo(_out);
            var rebased = ColumnChunkWriter.Moved(r, at);
            group.Columns.Add(rebased.Chunk);
            group.TotalByteSize += rebased.Chunk.TotalUncompressedSize;
            results.Add(rebased);
        }
        foreach (var acc in leaves) acc.Reset();
        _meta.RowGroups.Add(group);
        _indexes.Add(results);
        _rows += rows;
    }

    /// <summary>Writes the last row group, the page index and the footer, and moves the file into place.</summary>
    public void Finish()
    {
        if (_done) return;
        WaitForFlush();
        FlushRowGroup(_leaves, _pendingRows);
        _pendingRows = 0;
        // The page index: column indexes, then offset indexes, after all row groups.
        for (int g = 0; g < _indexes.Count; g++)
            for (int c = 0; c < _indexes[g].Count; c++)
            {
                var r = _indexes[g][c];
                if (!r.IndexUsable) continue;
                var w = new ThriftWriter();
                PageIndex.WriteColumnIndex(w, r.NullPages, r.Mins, r.Maxes, r.NullCounts);
                r.Chunk.ColumnIndexOffset = _out.Position;
                r.Chunk.ColumnIndexLength = w.Written.Length;
                _out.Write(w.Written);
            }
        for (int g = 0; g < _indexes.Count; g++)
            foreach (var r in _indexes[g])
            {
                var w = new ThriftWriter();
                PageIndex.WriteOffsetIndex(w, r.Pages);
                r.Chunk.OffsetIndexOffset = _out.Position;
                r.Chunk.OffsetIndexLength = w.Written.Length;
                _out.Write(w.Written);
            }
        _meta.NumRows = _rows;
        var footer = new ThriftWriter();
        _meta.Write(footer);
        _out.Write(footer.Written);
        Span<byte> len = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(len, footer.Written.Length);
        _out.Write(len);
        _out.Write("PAR1"u8);
        _out.Flush(flushToDisk: true);
        _out.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _done = true;
    }

    /// <summary>Without <see cref="Finish"/>, abandons the write and removes the partial file.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        // An abandoned write: its background flush is waited for, whatever became of it.
        try { _flushing?.Wait(); } catch (AggregateException) { }
        _flushing = null;
        _out.Dispose();
        try { File.Delete(_temp); } catch (IOException) { }
    }
}
