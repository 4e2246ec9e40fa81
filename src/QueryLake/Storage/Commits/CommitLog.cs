using QueryLake.Storage.Paths;
using System.Globalization;
using QueryLake.Errors;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Commits;

/// <summary>
/// The append-only log of versions of one dataset: <c>_versions/&lt;branch&gt;/&lt;20-digit version&gt;.json</c>.
/// A version exists once its manifest is published; publishing is create-if-absent, so two writers can
/// never both create the same version. A manifest that names a transaction spanning several datasets is visible only
/// once that transaction committed (<see cref="TransactionOutcomes"/>), and before the reader's snapshot time; an
/// aborted one leaves its version number unused. Inside a transaction of the lake's session
/// (<see cref="StagedTransaction"/>), what this log publishes is staged in memory and what it reads includes it.
/// </summary>
internal sealed class CommitLog(string datasetPath, Lake? lake = null)
{
    public string DatasetPath { get; } = datasetPath;
    public string VersionsPath => Path.Combine(DatasetPath, "_versions");
    public string TempPath => Path.Combine(DatasetPath, "_tmp");

    public string BranchPath(string branch) => Path.Combine(VersionsPath, LakeNames.Check(branch, "branch"));

    public static string FileName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    public bool BranchExists(string branch) => Directory.Exists(BranchPath(branch)) || Staged(branch) is not null;

    public IEnumerable<string> Branches() =>
        Directory.Exists(VersionsPath) ? Directory.EnumerateDirectories(VersionsPath).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
        : Staged("main") is not null ? ["main"] : [];

    private StagedTransaction.Entry? Staged(string branch) => lake?.Transaction?.Find(DatasetPath, branch);

    /// <summary>Every version number with a manifest file, visible or not, ascending.</summary>
    public IReadOnlyList<long> Slots(string branch)
    {
        var dir = BranchPath(branch);
        if (!Directory.Exists(dir))
        {
            if (Staged(branch) is not null) return [];
            throw new LakeException("QL-BRANCH-NOT-FOUND", $"dataset {Path.GetFileName(DatasetPath)} has no branch '{branch}'; branches: {string.Join(", ", Branches())}");
        }
        var result = new List<long>();
        foreach (var f in Directory.EnumerateFiles(dir, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long v)) result.Add(v);
        }
        result.Sort();
        return result;
    }

    /// <summary>The versions a reader sees, ascending: those published and visible, then this session's staged one.</summary>
    public IReadOnlyList<long> Versions(string branch)
    {
        var result = new List<long>();
        foreach (var v in Slots(branch))
            if (Visible(branch, v)) result.Add(v);
        if (Staged(branch) is { } staged && (result.Count == 0 || result[^1] < staged.Manifest.Version)) result.Add(staged.Manifest.Version);
        return result;
    }

    /// <summary>Whether a reader sees any version of the branch (reading manifests only until the first visible one).</summary>
    public bool AnyVisible(string branch) =>
        Staged(branch) is not null || (Directory.Exists(BranchPath(branch)) && Slots(branch).Any(v => Visible(branch, v)));

    /// <summary>The latest version a reader sees (a staged one first).</summary>
    public long Latest(string branch)
    {
        if (Staged(branch) is { } staged) return staged.Manifest.Version;
        var slots = Slots(branch);
        for (int i = slots.Count - 1; i >= 0; i--)
            if (Visible(branch, slots[i])) return slots[i];
        throw new CorruptFileException(BranchPath(branch), "branch has no versions");
    }

    /// <summary>The latest published version, ignoring what this session stages.</summary>
    public long LatestPublished(string branch)
    {
        var slots = Slots(branch);
        for (int i = slots.Count - 1; i >= 0; i--)
            if (Visible(branch, slots[i])) return slots[i];
        throw new CorruptFileException(BranchPath(branch), "branch has no versions");
    }

    /// <summary>The number the next published version takes: after every slot, visible or not.</summary>
    public long NextSlot(string branch) => Slots(branch) is { Count: > 0 } slots ? slots[^1] + 1 : 1;

    /// <summary>Whether a published version is visible: not part of a transaction, or of one that committed before the
    /// reader's snapshot.</summary>
    private bool Visible(string branch, long version)
    {
        var id = TransactionOf(branch, version);
        return id is null || (lake?.Outcomes ?? new TransactionOutcomes(Path.GetDirectoryName(DatasetPath)!)).Visible(id, lake?.SnapshotMicros);
    }

    /// <summary>The transaction a published manifest belongs to, or null.</summary>
    private string? TransactionOf(string branch, long version)
    {
        var path = Path.Combine(BranchPath(branch), FileName(version));
        return ManifestJson.TransactionOf(File.ReadAllBytes(path), path);
    }

    /// <summary>Before a writer publishes: a pending transaction above the latest visible version is waited for, then
    /// aborted (<see cref="TransactionOutcomes.Resolve"/>), so no change is built on a version that may still appear.</summary>
    public void ResolvePending(string branch)
    {
        if (!Directory.Exists(BranchPath(branch))) return;
        var outcomes = lake?.Outcomes ?? new TransactionOutcomes(Path.GetDirectoryName(DatasetPath)!);
        // Pending manifests lie above every decided one: a writer resolves them before it publishes.
        foreach (var v in Slots(branch).Reverse())
        {
            if (TransactionOf(branch, v) is not { } id || outcomes.Outcome(id) is not null) return;
            outcomes.Resolve(id);
        }
    }

    public Manifest Read(string branch, long version)
    {
        if (Staged(branch) is { } staged && staged.Manifest.Version == version) return staged.Manifest.Clone();
        var path = Path.Combine(BranchPath(branch), FileName(version));
        if (!File.Exists(path) || !Visible(branch, version))
            throw new LakeException("QL-VERSION-NOT-FOUND", $"dataset {Path.GetFileName(DatasetPath)} has no version {version} on branch '{branch}'");
        var m = ManifestJson.Deserialize(File.ReadAllBytes(path), path);
        if (m.Version != version || m.Branch != branch)
            throw new CorruptFileException(path, $"is named as version {version} of branch '{branch}' but holds version {m.Version} of branch '{m.Branch}'");
        return m;
    }

    /// <summary>Publishes <paramref name="m"/> as version <c>m.Version</c> of <c>m.Branch</c>; false when that version
    /// already exists. Inside a transaction it is staged instead, for the transaction's commit to publish.</summary>
    public bool TryPublish(Manifest m)
    {
        if (lake?.Transaction is { } transaction)
        {
            transaction.Stage(this, m);
            return true;
        }
        return PublishNow(m);
    }

    /// <summary>Publishes <paramref name="m"/> on disk, create-if-absent.</summary>
    public bool PublishNow(Manifest m)
    {
        Directory.CreateDirectory(BranchPath(m.Branch));
        return AtomicFile.TryCreate(Path.Combine(BranchPath(m.Branch), FileName(m.Version)), ManifestJson.Serialize(m), TempPath);
    }
}
