using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Storage.Paths;

namespace QueryLake.Storage;

/// <summary>
/// A lake: a directory holding datasets, each in a folder of its own. Opening a lake is cheap; every
/// dataset keeps its own versioned commit log, so readers and writers in several processes share a lake.
/// </summary>
public sealed class Lake
{
    private Lake(string path) => Path = path;

    /// <summary>The lake directory.</summary>
    public string Path { get; }

    /// <summary>Opens the lake at <paramref name="path"/>, creating the directory if needed.</summary>
    public static Lake Open(string path)
    {
        Directory.CreateDirectory(path);
        var full = System.IO.Path.GetFullPath(path);
        LakeMarker.Write(full);
        return new Lake(full);
    }

    private string DatasetPath(string name) => System.IO.Path.Combine(Path, LakeNames.Check(name, "dataset"));

    /// <summary>The open transaction of the session that owns this handle, whose changes are staged until it commits.</summary>
    internal Commits.StagedTransaction? Transaction { get; set; }

    /// <summary>The commit points of transactions that span several datasets.</summary>
    internal Commits.TransactionOutcomes Outcomes => _outcomes ??= new Commits.TransactionOutcomes(Path);

    private Commits.TransactionOutcomes? _outcomes;

    /// <summary>The time a statement's reads see transactions committed by (null: whenever they read): set when a
    /// statement starts, so a transaction over several datasets is seen whole or not at all.</summary>
    internal long? SnapshotMicros { get; set; }

    /// <summary>Memory-mapped data files with their decoded batches, shared by the lake's dataset handles.</summary>
    internal Fragments.FileCache Files { get; } = new();

    /// <summary>Names of the datasets in the lake, sorted.</summary>
    public IReadOnlyList<string> ListDatasets() =>
        Directory.EnumerateDirectories(Path).Concat(Transaction?.Created ?? []).Distinct().Where(Published)
            .Select(d => System.IO.Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();

    /// <summary>True when a dataset of that name exists.</summary>
    public bool DatasetExists(string name) => Published(DatasetPath(name));

    /// <summary>A dataset exists once its main branch has a version: a process killed while creating one may leave the
    /// branch's folder without any, which is no dataset (and a new CREATE may take the name).</summary>
    private bool Published(string datasetPath)
    {
        if (Transaction?.Creates(datasetPath) == true) return true;
        var main = System.IO.Path.Combine(datasetPath, "_versions", "main");
        if (!Directory.Exists(main) || !Directory.EnumerateFiles(main, "*.json").Any()) return false;
        // Its first version may belong to a transaction that has not committed.
        return new Commits.CommitLog(datasetPath, this).AnyVisible("main");
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
        // Make it invisible first (atomic rename), then remove the files.
        var trash = System.IO.Path.Combine(Path, $".dropped-{name}-{Guid.NewGuid():N}");
        Directory.Move(DatasetPath(name), trash);
        Directory.Delete(trash, recursive: true);
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
