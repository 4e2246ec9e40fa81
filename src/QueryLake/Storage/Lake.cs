using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Storage.Paths;
using QueryLake.Storage.Stores;

namespace QueryLake.Storage;

/// <summary>
/// A lake: a folder (or an <c>s3://bucket/prefix</c> on object storage) holding datasets, each in a folder of its own.
/// Opening a lake is cheap; every dataset keeps its own versioned commit log, so readers and writers in several
/// processes, and on several machines when the lake is on object storage, share a lake.
/// </summary>
public sealed class Lake
{
    private Lake(LakeStorage storage)
    {
        Storage = storage;
        Path = storage.Root;
    }

    /// <summary>The lake's location: an absolute folder path, or <c>s3://bucket/prefix</c>.</summary>
    public string Path { get; }

    /// <summary>Where the lake's files live.</summary>
    internal LakeStorage Storage { get; }

    /// <summary>Whether the lake is on object storage rather than in a folder.</summary>
    public bool IsRemote => !Storage.IsLocal;

    /// <summary>Opens the lake at <paramref name="location"/>: a folder (created if needed) or <c>s3://bucket/prefix</c>
    /// (see <see cref="LakeOptions"/> for the endpoint, credentials and commit lock).</summary>
    public static Lake Open(string location, LakeOptions? options = null)
    {
        options ??= LakeOptions.Default;
        // Object stores outside the lake (a cold tier's location) are reached as the lake is.
        IObjectStore Other(string bucket)
        {
            IObjectStore s3 = new S3Store(bucket, new S3Options { Endpoint = options.Endpoint, Region = options.Region, PathStyle = options.PathStyle });
            return options.CommitLock is { } lockFile ? new LockedCreates(s3, lockFile) : s3;
        }
        if (location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            IObjectStore store = new S3Store(location, new S3Options { Endpoint = options.Endpoint, Region = options.Region, PathStyle = options.PathStyle });
            if (options.CommitLock is { } lockFile) store = new LockedCreates(store, lockFile);
            return new Lake(new LakeStorage(store.Location, store, Other));
        }
        Directory.CreateDirectory(location);
        var full = System.IO.Path.GetFullPath(location);
        LakeMarker.Write(full);
        return new Lake(new LakeStorage(full, new LocalStore(full), Other));
    }

    /// <summary>A lake over <paramref name="store"/>, other object stores (a cold tier's location, by bucket) opened by
    /// <paramref name="open"/> (tests put proxies and fault injection in front of stores).</summary>
    internal static Lake Open(IObjectStore store, Func<string, IObjectStore>? open = null) => new(new LakeStorage(store.Location, store, open));

    private string DatasetPath(string name) => System.IO.Path.Combine(Path, LakeNames.Check(name, "dataset"));

    /// <summary>The open transaction of the session that owns this handle, whose changes are staged until it commits.</summary>
    internal Commits.StagedTransaction? Transaction { get; set; }

    /// <summary>The commit points of transactions that span several datasets.</summary>
    internal Commits.TransactionOutcomes Outcomes => _outcomes ??= new Commits.TransactionOutcomes(Storage);

    private Commits.TransactionOutcomes? _outcomes;

    /// <summary>The time a statement's reads see transactions committed by (null: whenever they read): set when a
    /// statement starts, so a transaction over several datasets is seen whole or not at all.</summary>
    internal long? SnapshotMicros { get; set; }

    /// <summary>Open data files with their decoded batches, shared by the lake's dataset handles: memory-mapped in a
    /// folder lake, read by byte ranges (through the local cache) on object storage.</summary>
    internal Fragments.FileCache Files => _files ??= new Fragments.FileCache(Storage);

    private Fragments.FileCache? _files;

    /// <summary>Names of the datasets in the lake, sorted.</summary>
    public IReadOnlyList<string> ListDatasets() =>
        Storage.Folders(Path).Where(LakeNames.IsValid).Select(DatasetPath).Concat(Transaction?.Created ?? []).Distinct().Where(Published)
            .Select(d => System.IO.Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();

    /// <summary>True when a dataset of that name exists.</summary>
    public bool DatasetExists(string name) => Published(DatasetPath(name));

    /// <summary>A dataset exists once its main branch has a version: a process killed while creating one may leave the
    /// branch's folder without any, which is no dataset (and a new CREATE may take the name).</summary>
    private bool Published(string datasetPath)
    {
        if (Transaction?.Creates(datasetPath) == true) return true;
        // Its first version may belong to a transaction that has not committed.
        return new Commits.CommitLog(datasetPath, Storage, this).AnyVisible("main");
    }

    /// <summary>Creates a dataset (version 1) with <paramref name="schema"/>, empty or holding <paramref name="rows"/>: one
    /// commit, so a failure or a killed process while the rows are written leaves no dataset.</summary>
    public Dataset CreateDataset(string name, Schema schema, DatasetWriteOptions? options = null, IEnumerable<RecordBatch>? rows = null)
    {
        if (DatasetExists(name)) throw new LakeException("QL-DATASET-EXISTS", $"dataset '{name}' already exists in {Path}");
        return Dataset.Create(this, name, DatasetPath(name), schema, options ?? DatasetWriteOptions.Default, rows);
    }

    /// <summary>Opens a dataset on its main branch (or on <paramref name="branch"/>).</summary>
    public Dataset OpenDataset(string name, string branch = "main", DatasetWriteOptions? options = null)
    {
        if (!DatasetExists(name))
        {
            var known = ListDatasets();
            var hint = known.OrderBy(k => Levenshtein(k, name)).FirstOrDefault(k => Levenshtein(k, name) <= 2);
            throw new LakeException("QL-DATASET-NOT-FOUND", $"no dataset '{name}' in {Path}" + (hint is null ? "" : $"; did you mean '{hint}'?"));
        }
        var ds = new Dataset(this, name, DatasetPath(name), branch, options ?? DatasetWriteOptions.Default);
        ds.EnsureBranchExists();
        return ds;
    }

    /// <summary>Deletes a dataset and all its versions and files.</summary>
    public void DropDataset(string name)
    {
        if (!DatasetExists(name)) throw new LakeException("QL-DATASET-NOT-FOUND", $"no dataset '{name}' in {Path}");
        // Cold files kept outside the lake are found from its versions first.
        var path = DatasetPath(name);
        var log = new Commits.CommitLog(path, Storage, this);
        var outside = log.Branches().SelectMany(b => log.Slots(b).Select(v => (b, v))).SelectMany(x =>
        {
            try { return log.ReadAny(x.b, x.v).Fragments.SelectMany(f => f.Files).Where(f => LakeStorage.IsAbsolute(f.Path)).Select(f => f.Path); }
            catch (QueryLakeException) { return []; }
        }).Distinct().ToList();
        // Its versions go first (atomically on a folder), so it is no dataset any more; then its files.
        Storage.DeleteFolder(System.IO.Path.Combine(path, "_versions"));
        Storage.DeleteFolder(path);
        foreach (var file in outside)
            try { Storage.Delete(file); } catch (QueryLakeException) { } // VACUUM of that location finds what stays
    }

    internal static int Levenshtein(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) d[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int prev = d[0];
            d[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }
}
