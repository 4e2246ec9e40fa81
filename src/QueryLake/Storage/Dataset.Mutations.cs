using QueryLake.Storage.Paths;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Fragments;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage;

public sealed partial class Dataset
{
    /// <summary>Deletes rows by id (deletion vectors: data files are untouched). Unknown ids fail; already deleted ids are ignored.</summary>
    public DatasetSnapshot Delete(IEnumerable<long> rowIds)
    {
        var byFragment = rowIds.GroupBy(RowId.Fragment).ToDictionary(g => g.Key, g => g.Select(RowId.Offset).ToList());
        return Commit(m =>
        {
            long deleted = 0;
            foreach (var (fragId, offsets) in byFragment)
            {
                var f = m.Fragments.Find(x => x.Id == fragId)
                    ?? throw new LakeException("QL-ROW-NOT-FOUND", $"cannot delete: fragment {fragId} is not in dataset '{Name}' (branch '{Branch}')");
                var bad = offsets.FirstOrDefault(o => o >= f.PhysicalRows, uint.MaxValue);
                if (bad != uint.MaxValue) throw new LakeException("QL-ROW-NOT-FOUND", $"cannot delete row id {RowId.Make(fragId, bad)}: fragment {fragId} has {f.PhysicalRows} rows");
                var set = DeletionVector.Read(Lake.Storage, Path, f.Deletions);
                int before = set.Count;
                set.UnionWith(offsets);
                if (set.Count == before) continue;
                deleted += set.Count - before;
                f.Deletions = DeletionVector.Write(Lake.Storage, Path, fragId, set);
            }
            if (deleted == 0) return null;
            m.Operation = new OperationRecord { Kind = "delete", TouchedFragments = byFragment.Keys.ToList(), RowsDeleted = deleted };
            return m;
        });
    }

    /// <summary>Deletes the live rows for which <paramref name="predicate"/>(batch, row) is true.</summary>
    public DatasetSnapshot DeleteWhere(Func<RecordBatch, int, bool> predicate, IReadOnlyList<string>? columns = null)
    {
        var ids = new List<long>();
        foreach (var b in Latest().Scan(columns, withRowId: true))
        {
            var rid = (PrimitiveArray<long>)b.Columns[^1];
            for (int i = 0; i < b.Length; i++) if (predicate(b, i)) ids.Add(rid[i]);
        }
        return Delete(ids);
    }

    /// <summary>The live rows of a stored batch whose first row is at <paramref name="start"/> in its fragment, and
    /// their positions in it: callbacks only ever see live rows.</summary>
    private static (RecordBatch Live, int[] Rows) LiveRows(RecordBatch b, HashSet<uint> deleted, long start)
    {
        var rows = new List<int>(b.Length);
        for (int i = 0; i < b.Length; i++) if (!deleted.Contains((uint)(start + i))) rows.Add(i);
        if (rows.Count == b.Length) return (b, [.. rows]);
        var array = rows.ToArray();
        return (Kernels.Gather.Rows(b, array), array);
    }

    /// <summary>
    /// Sets columns to new values on the live rows matching <paramref name="predicate"/> (the callbacks see batches
    /// of live rows only): a convenience over <see cref="UpdateRows"/>, which takes the new values as batches.
    /// </summary>
    public DatasetSnapshot Update(Func<RecordBatch, int, bool> predicate, IReadOnlyDictionary<string, Func<RecordBatch, int, object?>> assignments)
    {
        var schema = Schema;
        var columns = assignments.Keys.ToList();
        foreach (var name in columns)
            if (schema.IndexOf(name) < 0) throw new LakeException("QL-COLUMN-NOT-FOUND", $"cannot update: dataset '{Name}' has no column '{name}'");
        var changeSchema = new Schema(columns.Select(c => schema.Fields[schema.IndexOf(c)]).Prepend(new Field(RowId.ColumnName, DataType.Int64, false)).ToList());
        IEnumerable<RecordBatch> Changes()
        {
            foreach (var b in Latest().Scan(withRowId: true))
            {
                var rid = (PrimitiveArray<long>)b.Columns[^1];
                var live = new RecordBatch(schema, b.Columns.Take(b.Columns.Count - 1).ToArray(), b.Length);
                var builders = changeSchema.Fields.Select(f => ArrayBuilder.Create(f.DataType)).ToArray();
                int n = 0;
                for (int i = 0; i < b.Length; i++)
                {
                    if (!predicate(live, i)) continue;
                    builders[0].Append(rid[i]);
                    for (int c = 0; c < columns.Count; c++) builders[c + 1].Append(assignments[columns[c]](live, i));
                    n++;
                }
                if (n > 0) yield return new RecordBatch(changeSchema, builders.Select(x => x.Build()).ToArray(), n);
            }
        }
        return UpdateRows(columns, Changes());
    }

    /// <summary>
    /// Sets <paramref name="columns"/> of the rows named by id in one new version. Each batch of
    /// <paramref name="changes"/> holds the row ids (int64, first column) and then one column per name in
    /// <paramref name="columns"/> with the new values, in the dataset's types. Each fragment with a changed row is
    /// rewritten whole (same rows, same offsets), so row ids stay stable; a row named twice fails with
    /// QL-AMBIGUOUS-UPDATE (its new value would be ambiguous), a row that is not live with QL-ROW-NOT-FOUND, and
    /// nothing is committed then.
    /// </summary>
    public DatasetSnapshot UpdateRows(IReadOnlyList<string> columns, IEnumerable<RecordBatch> changes) => Change(columns, changes, [], []);

    /// <summary>
    /// MERGE's one commit: sets <paramref name="columns"/> of the rows <paramref name="updates"/> name (as
    /// <see cref="UpdateRows"/>), deletes the rows <paramref name="deletes"/> names, and appends
    /// <paramref name="inserts"/>, all in one new version. The appended rows' files are written first; on any failure
    /// nothing is committed and they are deleted.
    /// </summary>
    public DatasetSnapshot Merge(IReadOnlyList<string> columns, IEnumerable<RecordBatch> updates, IEnumerable<long> deletes, IEnumerable<RecordBatch> inserts) =>
        Change(columns, updates, deletes, inserts);

    private DatasetSnapshot Change(IReadOnlyList<string> columns, IEnumerable<RecordBatch> changes, IEnumerable<long> deletes, IEnumerable<RecordBatch> inserts)
    {
        var schema = Schema;
        var indices = columns.Select(name => schema.IndexOf(name) is var k and >= 0 ? k
            : throw new LakeException("QL-COLUMN-NOT-FOUND", $"cannot update: dataset '{Name}' has no column '{name}'")).ToArray();
        // Each changed row, by fragment and offset: the change batch and row holding its new values.
        var batches = new List<RecordBatch>();
        var byFragment = new Dictionary<long, Dictionary<uint, Kernels.Gather.Pick>>();
        foreach (var change in changes)
        {
            if (change.Length == 0) continue;
            if (change.Columns.Count != columns.Count + 1 || change.Columns[0] is not PrimitiveArray<long> ids)
                throw new ArgumentException($"an update batch holds the row ids (int64) and then one column per updated column ({columns.Count})");
            for (int c = 0; c < columns.Count; c++)
                if (!change.Columns[c + 1].Type.Equals(schema.Fields[indices[c]].DataType))
                    throw new ArgumentException($"the new values of '{columns[c]}' are {change.Columns[c + 1].Type}, but the column is {schema.Fields[indices[c]].DataType}");
            int source = batches.Count;
            batches.Add(change);
            for (int r = 0; r < change.Length; r++)
            {
                long id = ids[r];
                var rows = byFragment.TryGetValue(RowId.Fragment(id), out var found) ? found : byFragment[RowId.Fragment(id)] = [];
                if (!rows.TryAdd(RowId.Offset(id), new Kernels.Gather.Pick(source, r)))
                    throw new LakeException("QL-AMBIGUOUS-UPDATE", $"row {id} of '{Name}' is updated twice by one statement (it matches more than one source row); its new value would be ambiguous");
            }
        }
        var deleted = deletes.GroupBy(RowId.Fragment).ToDictionary(g => g.Key, g => g.Select(RowId.Offset).ToList());
        var head = _log.Read(Branch, _log.Latest(Branch));
        var fieldIds = head.Schema.Fields.Select(f => f.Id).ToArray();
        var written = WriteFiles(Lake.Storage, Path, Options, inserts, schema, fieldIds);
        if (byFragment.Count == 0 && deleted.Count == 0 && written.Count == 0) return Latest();
        long updated = byFragment.Sum(f => (long)f.Value.Count);
        try
        {
            return Commit(m =>
            {
                if (!m.Schema.Fields.Select(f => f.Id).SequenceEqual(fieldIds)) return Conflict("change", "the schema changed while the rows were being written");
                Rewrite(m, indices, batches, byFragment);
                long removed = 0;
                foreach (var (fragId, offsets) in deleted)
                {
                    var f = m.Fragments.Find(x => x.Id == fragId)
                        ?? throw new LakeException("QL-ROW-NOT-FOUND", $"cannot delete: fragment {fragId} is not in dataset '{Name}' (branch '{Branch}')");
                    var set = DeletionVector.Read(Lake.Storage, Path, f.Deletions);
                    int before = set.Count;
                    set.UnionWith(offsets);
                    removed += set.Count - before;
                    if (set.Count > before) f.Deletions = DeletionVector.Write(Lake.Storage, Path, fragId, set);
                }
                long added = 0;
                foreach (var (file, batchRows, n) in written)
                {
                    m.Fragments.Add(new FragmentRecord { Id = m.NextFragmentId++, PhysicalRows = n, Files = [file], BatchRows = batchRows });
                    added += n;
                }
                bool onlyUpdates = deleted.Count == 0 && written.Count == 0;
                m.Operation = new OperationRecord
                {
                    Kind = onlyUpdates ? "update" : "merge", TouchedFragments = byFragment.Keys.Concat(deleted.Keys).Distinct().ToList(), RowsAdded = added, RowsDeleted = removed,
                    Detail = onlyUpdates ? $"{updated} rows: {string.Join(", ", columns)}" : $"{updated} updated, {removed} deleted, {added} inserted",
                };
                return m;
            });
        }
        catch
        {
            DeleteFiles(Lake.Storage, Path, written);
            throw;
        }
    }

    /// <summary>Rewrites each fragment with a changed row whole (same rows, same offsets), the columns at
    /// <paramref name="indices"/> taking their new values from the change batches.</summary>
    private void Rewrite(Manifest m, int[] indices, List<RecordBatch> batches, Dictionary<long, Dictionary<uint, Kernels.Gather.Pick>> byFragment)
    {
        if (byFragment.Count == 0) return;
        var snapshot = new DatasetSnapshot(this, m);
        var fields = snapshot.Resolve(null);
        var fieldIds = fields.Select(f => f.Id).ToArray();
        foreach (var (fragId, rows) in byFragment)
        {
            var frag = m.Fragments.Find(x => x.Id == fragId)
                ?? throw new LakeException("QL-ROW-NOT-FOUND", $"cannot update: fragment {fragId} is not in dataset '{Name}' (branch '{Branch}')");
            var deleted = DeletionVector.Read(Lake.Storage, Path, frag.Deletions);
            foreach (var offset in rows.Keys)
                if (offset >= frag.PhysicalRows || deleted.Contains(offset))
                    throw new LakeException("QL-ROW-NOT-FOUND", $"cannot update row id {RowId.Make(fragId, offset)} of '{Name}': it is not a live row");
            var reader = snapshot.Reader(frag);
            using var w = new DataFileWriter(Lake.Storage, Path, snapshot.Schema, fieldIds, new IpcWriteOptions { Compression = Options.Compression }, Options.DictionaryEncodeText);
            long start = 0;
            for (int bi = 0; bi < frag.BatchRows.Count; bi++)
            {
                var b = reader.ReadBatch(bi, fields, withRowId: false);
                var picks = new Kernels.Gather.Pick[b.Length];
                bool any = false;
                for (int i = 0; i < b.Length; i++)
                    if (rows.TryGetValue((uint)(start + i), out var at)) { picks[i] = new Kernels.Gather.Pick(at.Source + 1, at.Row); any = true; }
                    else picks[i] = new Kernels.Gather.Pick(0, i);
                var cols = b.Columns.ToArray();
                if (any)
                    for (int c = 0; c < indices.Length; c++)
                    {
                        var sources = batches.Select(x => x.Columns[c + 1]).Prepend(b.Columns[indices[c]]).ToList();
                        cols[indices[c]] = Kernels.Gather.Rows(b.Schema.Fields[indices[c]].DataType, sources, picks);
                    }
                w.Write(new RecordBatch(b.Schema, cols, b.Length));
                start += b.Length;
            }
            frag.Files = [w.Finish()];
        }
    }

    /// <summary>
    /// Replaces the dataset's columns and rows in one new version (<c>CREATE OR REPLACE</c>, Lance's overwrite): the
    /// rows are written first, then the version names only them with the new schema. A failure, a timeout or a killed
    /// process while they are written leaves the dataset as it was, and earlier versions keep the old rows for time travel.
    /// </summary>
    public DatasetSnapshot Replace(Schema schema, IEnumerable<RecordBatch>? rows = null)
    {
        foreach (var f in schema.Fields)
        {
            LakeNames.CheckColumn(f.Name);
            if (f.Name == RowId.ColumnName) throw new LakeException("QL-BAD-NAME", $"'{RowId.ColumnName}' is reserved for row ids");
            ManifestJson.TypeToJson(f.DataType);
        }
        var head = _log.Read(Branch, _log.Latest(Branch));
        int next = head.NextFieldId;
        var defined = ManifestJson.FromSchema(schema, ref next);
        var written = rows is null ? [] : WriteFiles(Lake.Storage, Path, Options, rows, schema, defined.Fields.Select(f => f.Id).ToArray());
        try
        {
            return Commit(m =>
            {
                if (m.NextFieldId != head.NextFieldId) return Conflict("replace", "the schema changed while the rows were being written");
                m.Schema = defined;
                m.NextFieldId = next;
                m.Fragments.Clear();
                long added = 0;
                foreach (var (file, batchRows, n) in written)
                {
                    m.Fragments.Add(new FragmentRecord { Id = m.NextFragmentId++, PhysicalRows = n, Files = [file], BatchRows = batchRows });
                    added += n;
                }
                m.Operation = new OperationRecord { Kind = "replace", SchemaChanged = true, RowsAdded = added, Detail = string.Join(", ", schema.Fields.Select(f => f.ToString())) };
                return m;
            });
        }
        catch
        {
            DeleteFiles(Lake.Storage, Path, written);
            throw;
        }
    }

    /// <summary>
    /// Gives a dataset created without columns (<c>CREATE DATASET name</c>) its schema and its first rows in one new
    /// version: what the first INSERT or IMPORT into it does. The rows are written first; a failure commits nothing.
    /// </summary>
    public DatasetSnapshot DefineAndAppend(Schema schema, IEnumerable<RecordBatch> batches)
    {
        foreach (var f in schema.Fields)
        {
            LakeNames.CheckColumn(f.Name);
            if (f.Name == RowId.ColumnName) throw new LakeException("QL-BAD-NAME", $"'{RowId.ColumnName}' is reserved for row ids");
            ManifestJson.TypeToJson(f.DataType);
        }
        var head = _log.Read(Branch, _log.Latest(Branch));
        if (head.Schema.Fields.Count > 0 || head.Fragments.Count > 0)
            throw new LakeException("QL-SCHEMA-MISMATCH", $"dataset '{Name}' already has columns");
        int next = head.NextFieldId;
        var defined = ManifestJson.FromSchema(schema, ref next);
        var written = WriteFiles(Lake.Storage, Path, Options, batches, schema, defined.Fields.Select(f => f.Id).ToArray());
        try
        {
            return Commit(m =>
            {
                if (m.Schema.Fields.Count > 0 || m.Fragments.Count > 0) return Conflict("append", "another writer gave the dataset its columns first");
                m.Schema = defined;
                m.NextFieldId = next;
                long rows = 0;
                foreach (var (file, batchRows, n) in written)
                {
                    m.Fragments.Add(new FragmentRecord { Id = m.NextFragmentId++, PhysicalRows = n, Files = [file], BatchRows = batchRows });
                    rows += n;
                }
                m.Operation = new OperationRecord { Kind = "append", SchemaChanged = true, RowsAdded = rows, Detail = "defined " + string.Join(", ", schema.Fields.Select(f => f.ToString())) };
                return m;
            });
        }
        catch
        {
            DeleteFiles(Lake.Storage, Path, written);
            throw;
        }
    }

    /// <summary>
    /// Gives a dataset created without columns (<c>CREATE DATASET name</c>) its schema, in one new version: the first
    /// INSERT or IMPORT into it sets the columns. Fails when the dataset already has columns.
    /// </summary>
    public DatasetSnapshot DefineSchema(Schema schema)
    {
        foreach (var f in schema.Fields)
        {
            LakeNames.CheckColumn(f.Name);
            ManifestJson.TypeToJson(f.DataType);
        }
        return Commit(m =>
        {
            if (m.Schema.Fields.Count > 0 || m.Fragments.Count > 0)
                throw new LakeException("QL-SCHEMA-MISMATCH", $"dataset '{Name}' already has columns");
            int next = m.NextFieldId;
            var defined = ManifestJson.FromSchema(schema, ref next);
            m.Schema.Fields.AddRange(defined.Fields);
            m.NextFieldId = next;
            m.Operation = new OperationRecord { Kind = "define_schema", SchemaChanged = true, Detail = string.Join(", ", schema.Fields.Select(f => f.ToString())) };
            return m;
        });
    }

    /// <summary>
    /// Adds a column (schema evolution). When <paramref name="compute"/> is given it is evaluated for every
    /// live row (over batches of live rows only, so a deleted row can never make it fail) and written as a new data
    /// file per fragment, deleted rows holding null; otherwise existing rows read as null.
    /// </summary>
    public DatasetSnapshot AddColumn(Field field, Func<RecordBatch, int, object?>? compute = null)
    {
        LakeNames.CheckColumn(field.Name);
        if (Schema.IndexOf(field.Name) >= 0) throw new LakeException("QL-COLUMN-EXISTS", $"dataset '{Name}' already has a column '{field.Name}'");
        if (!field.Nullable && compute is null) throw new LakeException("QL-SCHEMA-MISMATCH", $"column '{field.Name}' is not nullable, so existing rows need values: pass a compute function");
        ManifestJson.TypeToJson(field.DataType); // fails early for unsupported types
        return Commit(m =>
        {
            var snapshot = new DatasetSnapshot(this, m);
            var fields = snapshot.Resolve(null);
            int id = m.NextFieldId++;
            int nf = id;
            var record = ManifestJson.FromSchema(new Schema([field]), ref nf).Fields[0];
            m.Schema.Fields.Add(record);
            if (compute is not null)
                foreach (var frag in m.Fragments) frag.Files.Add(WriteColumn(snapshot, frag, fields, field, id, compute));
            m.Operation = new OperationRecord { Kind = "add_column", SchemaChanged = true, Detail = field.ToString() };
            return m;
        });
    }

    /// <summary>The data file of a computed column for one fragment: <paramref name="compute"/> over its live rows,
    /// deleted rows holding null.</summary>
    private DataFileRecord WriteColumn(DatasetSnapshot snapshot, FragmentRecord frag, List<(Field Field, int Id)> fields, Field field, int id,
        Func<RecordBatch, int, object?> compute)
    {
        var one = new Schema([field]);
        var reader = snapshot.Reader(frag);
        var deleted = DeletionVector.Read(Lake.Storage, Path, frag.Deletions);
        using var w = new DataFileWriter(Lake.Storage, Path, one, [id], new IpcWriteOptions { Compression = Options.Compression }, Options.DictionaryEncodeText);
        long start = 0;
        for (int bi = 0; bi < frag.BatchRows.Count; bi++)
        {
            var b = reader.ReadBatch(bi, fields, withRowId: false);
            var (live, rows) = LiveRows(b, deleted, start);
            start += b.Length;
            var builder = ArrayBuilder.Create(field.DataType);
            for (int i = 0, j = 0; i < b.Length; i++)
            {
                if (j < rows.Length && rows[j] == i) builder.Append(compute(live, j++));
                else builder.AppendNull();
            }
            w.Write(new RecordBatch(one, [builder.Build()], b.Length));
        }
        return w.Finish();
    }

    /// <summary>A cluster worker's part of ADD COLUMN … AS: the column's file for one fragment of the pinned version
    /// <paramref name="at"/>, written but not committed (<see cref="CommitColumn"/> commits every fragment's at once; a
    /// file no commit names is removed by VACUUM).</summary>
    internal DataFileRecord WriteColumnFile(DatasetSnapshot at, long fragmentId, Field field, Func<RecordBatch, int, object?> compute)
    {
        var frag = at.Manifest.Fragments.FirstOrDefault(f => f.Id == fragmentId)
            ?? throw new LakeException("QL-FRAGMENT-NOT-FOUND", $"dataset '{Name}' version {at.Version} has no fragment {fragmentId}");
        return WriteColumn(at, frag, at.Resolve(null), field, at.Manifest.NextFieldId, compute);
    }

    /// <summary>Commits a computed column whose files were written for every fragment of version
    /// <paramref name="baseVersion"/> (<see cref="WriteColumnFile"/>), as one version; fails with a commit conflict when
    /// the dataset changed since (the files then stay unnamed, for VACUUM).</summary>
    internal DatasetSnapshot CommitColumn(Field field, long baseVersion, IReadOnlyDictionary<long, DataFileRecord> files)
    {
        LakeNames.CheckColumn(field.Name);
        return Commit(m =>
        {
            if (m.Version != baseVersion || !m.Fragments.Select(f => f.Id).ToHashSet().SetEquals(files.Keys))
                throw new CommitConflictException($"cannot commit add_column to dataset '{Name}': it changed after version {baseVersion}, which the column was computed for. Nothing was committed; run it again.");
            if (m.Schema.Fields.Any(f => f.Name.Equals(field.Name, StringComparison.OrdinalIgnoreCase)))
                throw new LakeException("QL-COLUMN-EXISTS", $"dataset '{Name}' already has a column '{field.Name}'");
            int nf = m.NextFieldId++;
            m.Schema.Fields.Add(ManifestJson.FromSchema(new Schema([field]), ref nf).Fields[0]);
            foreach (var frag in m.Fragments) frag.Files.Add(files[frag.Id]);
            m.Operation = new OperationRecord { Kind = "add_column", SchemaChanged = true, Detail = field.ToString() };
            return m;
        });
    }

    /// <summary>
    /// Rewrites fragments that are small (fewer live rows than <see cref="DatasetWriteOptions.CompactBelowRows"/>)
    /// or more than 20% deleted into fewer, larger fragments holding only live rows. Returns the current
    /// version unchanged when there is nothing worth compacting. Compacted rows get new row ids.
    /// </summary>
    public DatasetSnapshot Compact() => Compact(null);

    /// <summary>Compacts as <see cref="Compact()"/>, merging fragments of fewer than <paramref name="targetRows"/> live
    /// rows (default <see cref="DatasetWriteOptions.CompactBelowRows"/>) into files of up to that many rows.</summary>
    public DatasetSnapshot Compact(long? targetRows)
    {
        long below = targetRows ?? Options.CompactBelowRows;
        long perFile = targetRows ?? Options.MaxRowsPerFile;
        return Commit(m =>
        {
            // Cold fragments stay in their tier: compaction writes hot files.
            var candidates = m.Fragments.Where(f => TierOf(f) == DataTier.Hot && (f.LiveRows < below || f.Deletions?.Count > f.PhysicalRows / 5)).ToList();
            if (candidates.Count < 2 && !candidates.Any(f => f.Deletions is not null)) return null;
            var snapshot = new DatasetSnapshot(this, m);
            var fields = snapshot.Resolve(null);
            var fieldIds = fields.Select(f => f.Id).ToArray();
            var ipc = new IpcWriteOptions { Compression = Options.Compression };
            var created = new List<FragmentRecord>();
            DataFileWriter? w = null;
            void Flush()
            {
                if (w is null) return;
                if (w.Rows > 0) created.Add(new FragmentRecord { Id = m.NextFragmentId++, PhysicalRows = w.Rows, BatchRows = w.BatchRows, Files = [w.Finish()] });
                w.Dispose();
                w = null;
            }
            try
            {
                foreach (var frag in candidates)
                    foreach (var b in snapshot.Reader(frag).Scan(fields, withRowId: false))
                    {
                        if (w is not null && w.Rows + b.Length > perFile) Flush();
                        w ??= new DataFileWriter(Lake.Storage, Path, snapshot.Schema, fieldIds, ipc, Options.DictionaryEncodeText);
                        w.Write(b);
                    }
                Flush();
            }
            finally
            {
                w?.Dispose();
            }
            var removed = candidates.Select(f => f.Id).ToHashSet();
            int at = m.Fragments.FindIndex(f => removed.Contains(f.Id));
            m.Fragments.RemoveAll(f => removed.Contains(f.Id));
            m.Fragments.InsertRange(Math.Min(at, m.Fragments.Count), created);
            m.Operation = new OperationRecord { Kind = "compact", TouchedFragments = removed.ToList(), Detail = $"{candidates.Count} fragments into {created.Count}" };
            return m;
        });
    }
}
