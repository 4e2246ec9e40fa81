using QueryLake.Storage.Paths;
using System.Globalization;
using QueryLake.Errors;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Commits;

/// <summary>
/// The append-only log of versions of one dataset: <c>_versions/&lt;branch&gt;/&lt;20-digit version&gt;.json</c>.
/// A version exists once its manifest is published; publishing is create-if-absent, so two writers can
/// never both create the same version.
/// </summary>
internal sealed class CommitLog(string datasetPath)
{
    public string DatasetPath { get; } = datasetPath;
    public string VersionsPath => Path.Combine(DatasetPath, "_versions");
    public string TempPath => Path.Combine(DatasetPath, "_tmp");

    public string BranchPath(string branch) => Path.Combine(VersionsPath, LakeNames.Check(branch, "branch"));

    public static string FileName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    public bool BranchExists(string branch) => Directory.Exists(BranchPath(branch));

    public IEnumerable<string> Branches() =>
        Directory.Exists(VersionsPath) ? Directory.EnumerateDirectories(VersionsPath).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal) : [];

    public IReadOnlyList<long> Versions(string branch)
    {
        var dir = BranchPath(branch);
        if (!Directory.Exists(dir)) throw new LakeException("QL-BRANCH-NOT-FOUND", $"dataset {Path.GetFileName(DatasetPath)} has no branch '{branch}'; branches: {string.Join(", ", Branches())}");
        var result = new List<long>();
        foreach (var f in Directory.EnumerateFiles(dir, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long v)) result.Add(v);
        }
        result.Sort();
        return result;
    }

    public long Latest(string branch)
    {
        var versions = Versions(branch);
        return versions.Count == 0 ? throw new CorruptFileException(BranchPath(branch), "branch has no versions") : versions[^1];
    }

    public Manifest Read(string branch, long version)
    {
        var path = Path.Combine(BranchPath(branch), FileName(version));
        if (!File.Exists(path))
            throw new LakeException("QL-VERSION-NOT-FOUND", $"dataset {Path.GetFileName(DatasetPath)} has no version {version} on branch '{branch}'");
        var m = ManifestJson.Deserialize(File.ReadAllBytes(path), path);
        if (m.Version != version || m.Branch != branch)
            throw new CorruptFileException(path, $"is named as version {version} of branch '{branch}' but holds version {m.Version} of branch '{m.Branch}'");
        return m;
    }

    /// <summary>Publishes <paramref name="m"/> as version <c>m.Version</c> of <c>m.Branch</c>; false when that version already exists.</summary>
    public bool TryPublish(Manifest m)
    {
        Directory.CreateDirectory(BranchPath(m.Branch));
        return AtomicFile.TryCreate(Path.Combine(BranchPath(m.Branch), FileName(m.Version)), ManifestJson.Serialize(m), TempPath);
    }
}
