using QueryLake.Columnar.Statistics;
using System.Globalization;
using System.Text.Json.Nodes;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Errors;
using QueryLake.Kernels;
using QueryLake.Storage.Fragments;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage;

/// <summary>
/// One version of a dataset, read-only and immutable: what it holds never changes, whatever is committed
/// later. Scans read only the columns asked for; <see cref="Take"/> fetches rows by id without a scan.
/// </summary>
public sealed class DatasetSnapshot
{
    private readonly Dataset _dataset;
    private readonly Manifest _manifest;
    private readonly Dictionary<long, FragmentReader> _readers = [];

    internal DatasetSnapshot(Dataset dataset, Manifest manifest)
    {
        _dataset = dataset;
        _manifest = manifest;
        Schema = ManifestJson.ToSchema(manifest.Schema);
    }

    internal Manifest Manifest => _manifest;

    /// <summary>The dataset name.</summary>
    public string DatasetName => _dataset.Name;

    /// <summary>The version number.</summary>
    public long Version => _manifest.Version;

    /// <summary>What names this dataset's branch across versions, for caches of derived data (its path and branch).</summary>
    internal string CacheIdentity => _dataset.Path + "@" + _manifest.Branch;

    /// <summary>What names this version for caches: its number and commit time (a dataset dropped and created again
    /// starts its numbers over).</summary>
    internal string CacheVersion => $"{_manifest.Version}:{_manifest.TimestampMicros}";

    /// <summary>The branch of the version.</summary>
    public string Branch => _manifest.Branch;

    /// <summary>When the version was committed (UTC).</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(_manifest.TimestampMicros * 10);

    /// <summary>The schema at this version.</summary>
    public Schema Schema { get; }

    /// <summary>Live rows.</summary>
    public long RowCount => _manifest.Fragments.Sum(f => f.LiveRows);

    /// <summary>What made this version.</summary>
    public string Operation => _manifest.Operation.Kind;

    /// <summary>The fragments, with statistics keyed by column name.</summary>
    public IReadOnlyList<FragmentInfo> Fragments => _manifest.Fragments.Select(ToInfo).ToList();

    private FragmentInfo ToInfo(FragmentRecord f)
    {
        var byId = _manifest.Schema.Fields.ToDictionary(x => x.Id.ToString(CultureInfo.InvariantCulture), x => x.Name);
        var stats = new Dictionary<string, ColumnStatistics>();
        foreach (var file in f.Files)
            foreach (var (id, s) in file.Stats)
                if (byId.TryGetValue(id, out var name))
                    stats[name] = new ColumnStatistics(Value(s.Min), Value(s.Max), s.Nulls) { Distinct = HyperLogLog.Deserialize(s.Distinct) };
        return new FragmentInfo(f.Id, f.PhysicalRows, f.LiveRows, f.Files.Select(x => x.Path).ToList(), stats) { BatchRows = f.BatchRows };
    }

    private static object? Value(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<ulong>(out var u) => u,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => n.ToJsonString(),
    };

    /// <summary>Each fragment's tier, file format, file locations (the lake's location, so <c>s3://…</c> on object
    /// storage), total bytes, live rows and deleted rows.</summary>
    internal IEnumerable<(long Id, DataTier Tier, string Format, string Location, long Bytes, long Rows, long Deleted)> FragmentDetails() =>
        _manifest.Fragments.Select(f => (f.Id, Dataset.TierOf(f), string.Join(",", f.Files.Select(x => x.Format ?? "arrow").Distinct()),
            string.Join(",", f.Files.Select(x => Stores.LakeStorage.FileOf(_dataset.Path, x.Path))), f.Files.Sum(x => x.Bytes), f.LiveRows, f.Deletions?.Count ?? 0L));

    internal FragmentReader Reader(FragmentRecord f)
    {
        lock (_readers)
        {
            if (!_readers.TryGetValue(f.Id, out var r)) _readers[f.Id] = r = new FragmentReader(_dataset.Path, f, _dataset.Files);
            return r;
        }
    }

    internal List<(Field Field, int Id)> Resolve(IReadOnlyList<string>? columns)
    {
        var all = _manifest.Schema.Fields.Zip(Schema.Fields, (r, f) => (Field: f, r.Id)).ToList();
        if (columns is null) return all;
        var result = new List<(Field, int)>();
        foreach (var c in columns)
        {
            int i = Schema.IndexOf(c);
            if (i < 0)
            {
                var hint = Schema.Fields.Select(f => f.Name).OrderBy(n => Lake.Levenshtein(n, c)).FirstOrDefault(n => Lake.Levenshtein(n, c) <= 2);
                throw new LakeException("QL-COLUMN-NOT-FOUND", $"dataset '{DatasetName}' has no column '{c}'" + (hint is null ? "" : $"; did you mean '{hint}'?"));
            }
            result.Add(all[i]);
        }
        return result;
    }

    /// <summary>
    /// Reads the live rows, fragment by fragment. Only <paramref name="columns"/> are read (all when null);
    /// <paramref name="withRowId"/> adds an int64 <c>_rowid</c> column; <paramref name="fragmentFilter"/>
    /// skips fragments, e.g. by their statistics. Text stored dictionary-encoded is decoded unless
    /// <paramref name="encoded"/> is set (the query engine's scans).
    /// </summary>
    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string>? columns = null, bool withRowId = false, Func<IPrunable, bool>? fragmentFilter = null, bool encoded = false) =>
        Scan(columns, withRowId, fragmentFilter, encoded, null);

    /// <summary><see cref="Scan(IReadOnlyList{string}?, bool, Func{IPrunable, bool}?, bool)"/> reading, of a fragment
    /// <paramref name="batches"/> names, only its batches [<c>First</c>, <c>End</c>) (a row range).</summary>
    internal IEnumerable<RecordBatch> Scan(IReadOnlyList<string>? columns, bool withRowId, Func<IPrunable, bool>? fragmentFilter, bool encoded,
        IReadOnlyDictionary<long, (int First, int End)>? batches)
    {
        var fields = Resolve(columns);
        foreach (var f in _manifest.Fragments)
        {
            if (fragmentFilter is not null && !fragmentFilter(ToInfo(f))) continue;
            foreach (var b in Reader(f).Scan(fields, withRowId, encoded, batches is not null && batches.TryGetValue(f.Id, out var range) ? range : null)) yield return b;
        }
    }

    /// <summary>All live rows of the given columns as one list of batches (for small datasets and tests).</summary>
    public IReadOnlyList<RecordBatch> ReadAll(IReadOnlyList<string>? columns = null, bool withRowId = false) =>
        Scan(columns, withRowId).ToList();

    /// <summary>
    /// Fetches rows by id, in the order given, without a scan: each id is located by its fragment and
    /// offset, and only the batches holding them are touched (memory-mapped). A deleted or unknown id fails.
    /// </summary>
    public RecordBatch Take(IReadOnlyList<long> rowIds, IReadOnlyList<string>? columns = null)
    {
        var fields = Resolve(columns);
        var byId = _manifest.Fragments.ToDictionary(f => f.Id);
        var deletedCache = new Dictionary<long, HashSet<uint>>();
        var sources = new List<RecordBatch>();
        var sourceIndex = new Dictionary<(long, int), int>();
        var picks = new Gather.Pick[rowIds.Count];
        // On object storage only the wanted rows of each batch are read: the rows are gathered per batch first.
        var wanted = _dataset.Lake.IsRemote ? new Dictionary<(long, int), SortedSet<int>>() : null;
        var located = wanted is null ? null : new (long Fragment, int Batch, int Row)[picks.Length];
        for (int k = 0; k < picks.Length; k++)
        {
            long id = rowIds[k];
            long fragId = RowId.Fragment(id);
            uint offset = RowId.Offset(id);
            if (!byId.TryGetValue(fragId, out var frag))
                throw new LakeException("QL-ROW-NOT-FOUND", $"row id {id} (fragment {fragId}, offset {offset}) is not in version {Version} of '{DatasetName}'");
            if (frag.Deletions is not null)
            {
                if (!deletedCache.TryGetValue(fragId, out var del)) deletedCache[fragId] = del = DeletionVector.Read(_dataset.Lake.Storage, _dataset.Path, frag.Deletions);
                if (del.Contains(offset)) throw new LakeException("QL-ROW-NOT-FOUND", $"row id {id} is deleted in version {Version} of '{DatasetName}'");
            }
            var reader = Reader(frag);
            var (batchIndex, row) = reader.Locate(offset);
            if (batchIndex < 0) throw new LakeException("QL-ROW-NOT-FOUND", $"row id {id}: fragment {fragId} has only {frag.PhysicalRows} rows");
            if (wanted is not null)
            {
                if (!wanted.TryGetValue((fragId, batchIndex), out var set)) wanted[(fragId, batchIndex)] = set = [];
                set.Add(row);
                located![k] = (fragId, batchIndex, row);
                continue;
            }
            if (!sourceIndex.TryGetValue((fragId, batchIndex), out int source))
            {
                sourceIndex[(fragId, batchIndex)] = source = sources.Count;
                sources.Add(reader.ReadBatch(batchIndex, fields, withRowId: false));
            }
            picks[k] = new Gather.Pick(source, row);
        }
        if (wanted is not null)
        {
            var position = new Dictionary<(long, int, int), int>();
            foreach (var ((fragId, batchIndex), set) in wanted)
            {
                var rows = set.ToArray();
                sourceIndex[(fragId, batchIndex)] = sources.Count;
                sources.Add(Reader(byId[fragId]).ReadRows(batchIndex, fields, rows));
                for (int i = 0; i < rows.Length; i++) position[(fragId, batchIndex, rows[i])] = i;
            }
            for (int k = 0; k < picks.Length; k++)
            {
                var (f, b, r) = located![k];
                picks[k] = new Gather.Pick(sourceIndex[(f, b)], position[(f, b, r)]);
            }
        }
        var columnsOut = new ArrowArray[fields.Count];
        for (int c = 0; c < columnsOut.Length; c++)
            columnsOut[c] = Gather.Rows(fields[c].Field.DataType, sources.Select(b => b.Columns[c]).ToList(), picks);
        return new RecordBatch(new Schema(fields.Select(f => f.Field).ToList()), columnsOut, rowIds.Count);
    }
}
