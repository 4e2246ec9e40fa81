using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Commits;
using QueryLake.Storage.Fragments;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage;

/// <summary>
/// A dataset on one branch: the handle for writing (append, delete, update, add column, compact, tag,
/// branch, merge) and for opening versions to read. Every write commits a new version atomically;
/// a writer that loses a race to another writer retries when their changes do not conflict and
/// otherwise throws <see cref="CommitConflictException"/>, committing nothing.
/// </summary>
public sealed partial class Dataset
{
    private readonly CommitLog _log;

    internal Dataset(Lake lake, string name, string path, string branch, DatasetWriteOptions options)
    {
        Lake = lake;
        Name = name;
        Path = path;
        Branch = branch;
        Options = options;
        _log = new CommitLog(path, lake.Storage, lake);
    }

    /// <summary>The lake holding the dataset.</summary>
    public Lake Lake { get; }

    /// <summary>The dataset name.</summary>
    public string Name { get; }

    /// <summary>The dataset folder (under <see cref="Storage.Lake.Path"/>, so <c>s3://…</c> on object storage).</summary>
    public string Path { get; }

    /// <summary>The branch this handle reads and writes.</summary>
    public string Branch { get; }

    /// <summary>Write options.</summary>
    public DatasetWriteOptions Options { get; }

    /// <summary>Open data files, shared by every handle on the lake: data files are immutable once written (new
    /// versions write new files), so a file opened and decoded by one query serves the next.</summary>
    internal FileCache Files => Lake.Files;

    /// <summary>Test hook: runs after a change is computed and before it is published, to stage races.</summary>
    internal Action<long>? BeforePublish { get; set; }

    internal void EnsureBranchExists()
    {
        if (!_log.BranchExists(Branch))
            throw new LakeException("QL-BRANCH-NOT-FOUND", $"dataset '{Name}' has no branch '{Branch}'; branches: {string.Join(", ", _log.Branches())}");
    }

    /// <summary>Creates a dataset with <paramref name="rows"/> (none: empty) in one commit, version 1: the data files are
    /// written first and the version that names them is published last, so until then no dataset exists. A failure
    /// deletes the files written so far; a killed process leaves only files no version names.</summary>
    internal static Dataset Create(Lake lake, string name, string path, Schema schema, DatasetWriteOptions options, IEnumerable<RecordBatch>? rows = null)
    {
        foreach (var f in schema.Fields)
            if (f.Name == RowId.ColumnName) throw new LakeException("QL-BAD-NAME", $"'{RowId.ColumnName}' is reserved for row ids");
        int nextField = 0;
        var m = new Manifest
        {
            Dataset = name, Branch = "main", Version = 1, TimestampMicros = NowMicros(0),
            Operation = new OperationRecord { Kind = "create" },
            Schema = ManifestJson.FromSchema(schema, ref nextField),
        };
        m.NextFieldId = nextField;
        var written = rows is null ? [] : WriteFiles(lake.Storage, path, options, rows, schema, m.Schema.Fields.Select(f => f.Id).ToArray());
        long added = 0;
        foreach (var (file, batchRows, n) in written)
        {
            m.Fragments.Add(new FragmentRecord { Id = m.NextFragmentId++, PhysicalRows = n, Files = [file], BatchRows = batchRows });
            added += n;
        }
        if (rows is not null) m.Operation = new OperationRecord { Kind = "create", RowsAdded = added };
        var log = new CommitLog(path, lake.Storage, lake);
        // On object storage, where folders exist only as key prefixes, the dataset's folder gets an object of its own
        // (<c>_dataset.json</c>), so a listing of the lake's top level by delimiter finds it directly (some S3 servers,
        // s3rver among them, list only prefixes that hold objects one level down).
        if (!lake.Storage.IsLocal) lake.Storage.Write(System.IO.Path.Combine(path, "_dataset.json"), "{\"querylake_dataset\": 1}\n"u8.ToArray());
        if (!log.TryPublish(m))
        {
            DeleteFiles(lake.Storage, path, written);
            throw new LakeException("QL-DATASET-EXISTS", $"dataset '{name}' already exists in {lake.Path}");
        }
        return new Dataset(lake, name, path, "main", options);
    }

    private static void DeleteFiles(Stores.LakeStorage storage, string path, List<(DataFileRecord File, List<int> BatchRows, long Rows)> written)
    {
        // Best effort: what stays is named by no version, and VACUUM removes it.
        foreach (var (file, _, _) in written)
            try { storage.Delete(Stores.LakeStorage.FileOf(path, file.Path)); } catch (QueryLakeException) { }
    }

    private static long NowMicros(long after) =>
        Math.Max((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10, after + 1);

    /// <summary>The latest version of this branch.</summary>
    public DatasetSnapshot Latest() => Snapshot(_log.Latest(Branch));

    /// <summary>The latest version number of this branch.</summary>
    public long LatestVersion => _log.Latest(Branch);

    /// <summary>The schema at the latest version.</summary>
    public Schema Schema => Latest().Schema;

    internal DatasetSnapshot Snapshot(long version) => new(this, _log.Read(Branch, version));

    /// <summary>
    /// Commits one change: <paramref name="change"/> turns the head manifest into the next one (it may be
    /// called again on a newer head after a lost race), then the new manifest is published create-if-absent.
    /// </summary>
    private DatasetSnapshot Commit(Func<Manifest, Manifest?> change)
    {
        bool staging = Lake.Transaction is not null;
        for (int attempt = 0; attempt < Options.MaxCommitAttempts; attempt++)
        {
            // A pending transaction above the head is waited for (or aborted) first: its version may still appear.
            if (!staging) _log.ResolvePending(Branch);
            // The free version number is read before the head: a version published in between raises the head too,
            // so the change is never built on an older head than the number it takes implies.
            long slot = staging ? 0 : _log.NextSlot(Branch);
            long head = _log.Latest(Branch);
            var current = _log.Read(Branch, head);
            var next = change(current.Clone());
            if (next is null) return new DatasetSnapshot(this, current); // nothing to do
            // An aborted transaction leaves its version number unused: the next version comes after every one on disk.
            next.Version = Math.Max(head + 1, slot);
            next.Parent = head;
            next.Branch = Branch;
            next.Dataset = Name;
            next.TimestampMicros = NowMicros(current.TimestampMicros);
            BeforePublish?.Invoke(next.Version);
            if (_log.TryPublish(next)) return new DatasetSnapshot(this, next);
            // Lost the race: see what won, and give up only if it conflicts with this change.
            long latest = _log.Latest(Branch);
            foreach (var v in _log.Versions(Branch).Where(v => v > head && v <= latest))
            {
                var other = _log.Read(Branch, v).Operation;
                var overlap = other.TouchedFragments.Intersect(next.Operation.TouchedFragments).ToList();
                if (other.SchemaChanged || next.Operation.SchemaChanged || overlap.Count > 0)
                    throw new CommitConflictException(
                        $"cannot commit {next.Operation.Kind} to dataset '{Name}' (branch '{Branch}'): version {v} ({other.Kind}) was committed concurrently and " +
                        (overlap.Count > 0 ? $"changed the same fragment(s) {string.Join(", ", overlap)}" : "changed the schema") +
                        ". Nothing was committed; re-read the dataset and retry.");
            }
        }
        throw new CommitConflictException($"cannot commit to dataset '{Name}': {Options.MaxCommitAttempts} attempts lost the race to other writers");
    }

    /// <summary>Appends one batch.</summary>
    public DatasetSnapshot Append(RecordBatch batch) => Append([batch]);

    /// <summary>
    /// Appends a stream of batches of any total size: they are written to data files as they arrive (never
    /// all held in memory), then committed as one new version. Columns are matched by name; nullable
    /// columns missing from the batches are filled with nulls.
    /// </summary>
    public DatasetSnapshot Append(IEnumerable<RecordBatch> batches) => CommitStaged([WriteStaged(batches)]);

    /// <summary>Writes batches to this dataset's data files, durably, without committing them: one writer's share of an
    /// append that <see cref="CommitStaged"/> commits with the others' in one version (a distributed import). Files no
    /// commit names are removed by VACUUM.</summary>
    internal StagedAppend WriteStaged(IEnumerable<RecordBatch> batches)
    {
        var head = _log.Read(Branch, _log.Latest(Branch));
        var schema = ManifestJson.ToSchema(head.Schema);
        var fieldIds = head.Schema.Fields.Select(f => f.Id).ToArray();
        var written = WriteFiles(Lake.Storage, Path, Options, batches, schema, fieldIds);
        return new StagedAppend(fieldIds, written.Select(w => new StagedFile(w.File, w.BatchRows, w.Rows)).ToList());
    }

    /// <summary>Commits the files of <paramref name="parts"/> (<see cref="WriteStaged"/>) as one appended version, their
    /// fragments in the order given; fails with a commit conflict, committing nothing, when the schema changed since they
    /// were written.</summary>
    internal DatasetSnapshot CommitStaged(IReadOnlyList<StagedAppend> parts)
    {
        if (parts.All(p => p.Files.Count == 0)) return Latest();
        var fieldIds = parts[0].FieldIds;
        return Commit(m =>
        {
            if (parts.Any(p => !m.Schema.Fields.Select(f => f.Id).SequenceEqual(p.FieldIds))) return Conflict("append", "the schema changed while the data was being written");
            long rows = 0;
            foreach (var f in parts.SelectMany(p => p.Files))
            {
                m.Fragments.Add(new FragmentRecord { Id = m.NextFragmentId++, PhysicalRows = f.Rows, Files = [f.File], BatchRows = f.BatchRows });
                rows += f.Rows;
            }
            m.Operation = new OperationRecord { Kind = "append", RowsAdded = rows };
            return m;
        });
    }

    /// <summary>Writes a stream of batches of any total size to data files under <paramref name="path"/> as they arrive
    /// (never all held in memory), durably (files and their directory fsynced), for a commit to name. On failure the
    /// files written so far are deleted.</summary>
    private static List<(DataFileRecord File, List<int> BatchRows, long Rows)> WriteFiles(Stores.LakeStorage storage, string path, DatasetWriteOptions options,
        IEnumerable<RecordBatch> batches, Schema schema, int[] fieldIds)
    {
        // A finished file is closed and fsynced in the background while the next one is being written.
        var finishing = new List<Task<(DataFileRecord File, List<int> BatchRows, long Rows)>>();
        DataFileWriter? writer = null;
        var ipc = new IpcWriteOptions { Compression = options.Compression };
        void Roll(DataFileWriter w) => finishing.Add(Task.Run(() => { using (w) return (w.Finish(), w.BatchRows, w.Rows); }));
        try
        {
            foreach (var input in batches)
            {
                var aligned = Align(input, schema);
                for (int start = 0; start < aligned.Length; start += options.MaxRowsPerBatch)
                {
                    var piece = aligned.Length <= options.MaxRowsPerBatch ? aligned : aligned.Slice(start, Math.Min(options.MaxRowsPerBatch, aligned.Length - start));
                    if (writer is not null && (writer.Rows + piece.Length > options.MaxRowsPerFile || writer.Bytes >= options.MaxBytesPerFile))
                    {
                        Roll(writer);
                        writer = null;
                    }
                    writer ??= new DataFileWriter(storage, path, schema, fieldIds, ipc, options.DictionaryEncodeText);
                    writer.Write(piece);
                }
            }
            if (writer is not null && writer.Rows > 0) Roll(writer);
            else writer?.Dispose();
            writer = null;
        }
        catch
        {
            writer?.Dispose();
            var done = new List<(DataFileRecord File, List<int> BatchRows, long Rows)>();
            foreach (var t in finishing)
                try { done.Add(t.GetAwaiter().GetResult()); } catch (Exception) { } // the first error is the one to report
            DeleteFiles(storage, path, done);
            throw;
        }
        var written = finishing.Select(t => t.GetAwaiter().GetResult()).ToList();
        if (written.Count > 0 && storage.LocalPath(System.IO.Path.Combine(path, "data", "x")) is { } local) Native.LibC.FsyncDirectory(System.IO.Path.GetDirectoryName(local)!);
        return written;
    }

    private Manifest Conflict(string what, string why) =>
        throw new CommitConflictException($"cannot commit {what} to dataset '{Name}': {why}. Nothing was committed.");

    /// <summary>Matches a batch's columns to the dataset schema by name, filling missing nullable columns with nulls.</summary>
    internal static RecordBatch Align(RecordBatch batch, Schema schema)
    {
        foreach (var f in batch.Schema.Fields)
            if (schema.IndexOf(f.Name) < 0)
                throw new LakeException("QL-SCHEMA-MISMATCH", $"column '{f.Name}' is not in the dataset; its columns are: {string.Join(", ", schema.Fields.Select(x => x.Name))}");
        var columns = new ArrowArray[schema.Fields.Count];
        for (int i = 0; i < columns.Length; i++)
        {
            var target = schema.Fields[i];
            int at = batch.Schema.IndexOf(target.Name);
            if (at < 0)
            {
                if (!target.Nullable)
                    throw new LakeException("QL-NOT-NULL", $"NOT NULL constraint failed: column '{target.Name}' is NOT NULL, and no value was given for it; name it in the column list (INSERT INTO … ({target.Name}, …))");
                columns[i] = ArrayBuilder.Nulls(target.DataType, batch.Length);
                continue;
            }
            var col = batch.Columns[at];
            if (!col.Type.Equals(target.DataType))
            {
                if (col.Type.StorageType.Equals(target.DataType.StorageType)) col = ArrowArray.FromData(col.Data.WithType(target.DataType));
                else throw new LakeException("QL-SCHEMA-MISMATCH", $"column '{target.Name}' is {SqlTypeName.Of(target.DataType)} in the dataset, but the rows to append have {SqlTypeName.Of(col.Type)}");
            }
            if (!target.Nullable && col.NullCount > 0)
                throw new LakeException("QL-NOT-NULL", $"NOT NULL constraint failed: column '{target.Name}' is NOT NULL, but {col.NullCount} row{(col.NullCount == 1 ? "" : "s")} would set it to NULL; nothing was written");
            columns[i] = col;
        }
        return new RecordBatch(schema, columns, batch.Length);
    }
}
