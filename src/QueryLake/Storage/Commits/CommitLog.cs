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
internal sealed class CommitLog(string datasetPath, Stores.LakeStorage storage, Lake? lake = null)
{
    public string DatasetPath { get; } = datasetPath;
    public string VersionsPath => Path.Combine(DatasetPath, "_versions");

    public string BranchPath(string branch) => Path.Combine(VersionsPath, LakeNames.Check(branch, "branch"));

    public static string FileName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    public Stores.LakeStorage Storage => storage;

    public bool BranchExists(string branch) => Staged(branch) is not null || storage.Folders(VersionsPath).Contains(LakeNames.Check(branch, "branch"));

    public IEnumerable<string> Branches() =>
        storage.Folders(VersionsPath) is { Count: > 0 } branches ? branches.Where(LakeNames.IsValid)
        : Staged("main") is not null ? ["main"] : [];

    private StagedTransaction.Entry? Staged(string branch) => lake?.Transaction?.Find(DatasetPath, branch);

    /// <summary>Every version number with a manifest file, visible or not, ascending.</summary>
    public IReadOnlyList<long> Slots(string branch)
    {
        var result = SlotsOrEmpty(branch);
        if (result.Count == 0 && Staged(branch) is null && !BranchExists(branch))
            throw new LakeException("QL-BRANCH-NOT-FOUND", $"dataset {Path.GetFileName(DatasetPath)} has no branch '{branch}'; branches: {string.Join(", ", Branches())}");
        return result;
    }

    /// <summary>The manifests' version numbers: one listing of the branch's folder.</summary>
    private List<long> SlotsOrEmpty(string branch)
    {
        var result = new List<long>();
        foreach (var f in storage.FileNames(BranchPath(branch), ".json"))
        {
            var name = f[..^5];
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
        Staged(branch) is not null || SlotsOrEmpty(branch).Any(v => Visible(branch, v));

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
        return id is null || (lake?.Outcomes ?? new TransactionOutcomes(storage)).Visible(id, lake?.SnapshotMicros);
    }

    /// <summary>The transaction a published manifest belongs to, or null.</summary>
    private string? TransactionOf(string branch, long version)
    {
        var path = Path.Combine(BranchPath(branch), FileName(version));
        return ManifestJson.TransactionOf(ReadManifestBytes(path), path);
    }

    private byte[] ReadManifestBytes(string path) => storage.ReadAll(path);

    /// <summary>Bytes of a manifest, or null when it does not exist.</summary>
    private byte[]? TryReadManifestBytes(string path)
    {
        return storage.TryReadAll(path);
    }

    /// <summary>Before a writer publishes: a pending transaction above the latest visible version is waited for, then
    /// aborted (<see cref="TransactionOutcomes.Resolve"/>), so no change is built on a version that may still appear.</summary>
    public void ResolvePending(string branch)
    {
        var outcomes = lake?.Outcomes ?? new TransactionOutcomes(storage);
        // Pending manifests lie above every decided one: a writer resolves them before it publishes.
        foreach (var v in Enumerable.Reverse(SlotsOrEmpty(branch)))
        {
            if (TransactionOf(branch, v) is not { } id || outcomes.Outcome(id) is not null) return;
            outcomes.Resolve(id);
        }
    }

    public Manifest Read(string branch, long version)
    {
        if (Staged(branch) is { } staged && staged.Manifest.Version == version) return staged.Manifest.Clone();
        var path = Path.Combine(BranchPath(branch), FileName(version));
        if (TryReadManifestBytes(path) is not { } bytes || !Visible(branch, version))
            throw new LakeException("QL-VERSION-NOT-FOUND", $"dataset {Path.GetFileName(DatasetPath)} has no version {version} on branch '{branch}'");
        var m = ManifestJson.Deserialize(bytes, path);
        if (m.Version != version || m.Branch != branch)
            throw new CorruptFileException(path, $"is named as version {version} of branch '{branch}' but holds version {m.Version} of branch '{m.Branch}'");
        return m;
    }

    /// <summary>Version <paramref name="version"/>'s manifest whether or not a reader sees it (VACUUM and DROP look at
    /// every file any manifest names).</summary>
    public Manifest ReadAny(string branch, long version)
    {
        var path = Path.Combine(BranchPath(branch), FileName(version));
        return ManifestJson.Deserialize(ReadManifestBytes(path), path);
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

    /// <summary>Publishes <paramref name="m"/> in the store, create-if-absent (link(2) in a folder, a conditional create on
    /// object storage).</summary>
    public bool PublishNow(Manifest m) =>
        storage.TryCreate(Path.Combine(BranchPath(m.Branch), FileName(m.Version)), ManifestJson.Serialize(m));
}
