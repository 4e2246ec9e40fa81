using QueryLake.Storage.Paths;
using System.Text.Json;
using QueryLake.Errors;
using QueryLake.Storage.Commits;
using QueryLake.Storage.Fragments;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage;

public sealed partial class Dataset
{
    /// <summary>Every version of this branch, oldest first.</summary>
    public IReadOnlyList<VersionInfo> Versions() =>
        _log.Versions(Branch).Select(v =>
        {
            var m = _log.Read(Branch, v);
            return new VersionInfo(v, Branch, DateTimeOffset.UnixEpoch.AddTicks(m.TimestampMicros * 10), m.Operation.Kind,
                m.Fragments.Sum(f => f.LiveRows), m.Operation.Detail);
        }).ToList();

    /// <summary>Opens version <paramref name="version"/> of this branch (time travel by number).</summary>
    public DatasetSnapshot Checkout(long version) => Snapshot(version);

    /// <summary>Opens the latest version committed at or before <paramref name="time"/> (time travel by timestamp).</summary>
    public DatasetSnapshot AsOf(DateTimeOffset time)
    {
        long micros = (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        Manifest? best = null;
        foreach (var v in _log.Versions(Branch))
        {
            var m = _log.Read(Branch, v);
            if (m.TimestampMicros <= micros) best = m;
            else break;
        }
        return best is null
            ? throw new LakeException("QL-VERSION-NOT-FOUND", $"dataset '{Name}' (branch '{Branch}') has no version as of {time:O}; its first version is from {Versions()[0].Timestamp:O}")
            : new DatasetSnapshot(this, best);
    }

    private string TagPath(string tag) => System.IO.Path.Combine(Path, "_refs", "tags", LakeNames.Check(tag, "tag") + ".json");

    /// <summary>Names version <paramref name="version"/> (default: the latest) of this branch. Tags never move.</summary>
    public void CreateTag(string tag, long? version = null)
    {
        if (Lake.Transaction is not null) throw new LakeException("QL-TRANSACTION", "tags and branches cannot change inside a transaction; COMMIT or ROLLBACK first");
        long v = version ?? LatestVersion;
        _log.Read(Branch, v);
        var body = JsonSerializer.SerializeToUtf8Bytes(new VersionRef { Branch = Branch, Version = v });
        if (!Lake.Storage.TryCreate(TagPath(tag), body))
            throw new LakeException("QL-TAG-EXISTS", $"dataset '{Name}' already has a tag '{tag}'; delete it first to move it");
    }

    /// <summary>Tags of the dataset: name → (branch, version).</summary>
    public IReadOnlyDictionary<string, (string Branch, long Version)> Tags()
    {
        var dir = System.IO.Path.Combine(Path, "_refs", "tags");
        var result = new SortedDictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var f in Lake.Storage.FileNames(dir, ".json"))
        {
            var r = ReadTag(System.IO.Path.Combine(dir, f));
            result[f[..^5]] = (r.Branch, r.Version);
        }
        return result;
    }

    private VersionRef ReadTag(string path)
    {
        try { return JsonSerializer.Deserialize<VersionRef>(Lake.Storage.ReadAll(path)) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new CorruptFileException(path, $"invalid tag: {Errors.ErrorText.Describe(e)}", e); }
    }

    /// <summary>Removes a tag (the version it named stays).</summary>
    public void DeleteTag(string tag)
    {
        if (Lake.Transaction is not null) throw new LakeException("QL-TRANSACTION", "tags and branches cannot change inside a transaction; COMMIT or ROLLBACK first");
        if (!Lake.Storage.Exists(TagPath(tag))) throw new LakeException("QL-TAG-NOT-FOUND", $"dataset '{Name}' has no tag '{tag}'");
        Lake.Storage.Delete(TagPath(tag));
    }

    /// <summary>Opens the version a tag names.</summary>
    public DatasetSnapshot CheckoutTag(string tag)
    {
        if (!Lake.Storage.Exists(TagPath(tag)))
            throw new LakeException("QL-TAG-NOT-FOUND", $"dataset '{Name}' has no tag '{tag}'; tags: {string.Join(", ", Tags().Keys)}");
        var r = ReadTag(TagPath(tag));
        return new DatasetSnapshot(this, _log.Read(r.Branch, r.Version));
    }

    /// <summary>Branches of the dataset.</summary>
    public IReadOnlyList<string> Branches() => _log.Branches().ToList();

    /// <summary>Opens this dataset on another branch.</summary>
    public Dataset OnBranch(string branch)
    {
        var d = new Dataset(Lake, Name, Path, branch, Options);
        d.EnsureBranchExists();
        return d;
    }

    /// <summary>
    /// Creates branch <paramref name="branch"/> starting at <paramref name="fromVersion"/> (default: the latest)
    /// of this branch. Writes to the new branch do not affect this one until merged.
    /// </summary>
    public Dataset CreateBranch(string branch, long? fromVersion = null)
    {
        if (Lake.Transaction is not null) throw new LakeException("QL-TRANSACTION", "tags and branches cannot change inside a transaction; COMMIT or ROLLBACK first");
        LakeNames.Check(branch, "branch");
        if (_log.BranchExists(branch)) throw new LakeException("QL-BRANCH-EXISTS", $"dataset '{Name}' already has a branch '{branch}'");
        long v = fromVersion ?? LatestVersion;
        var m = _log.Read(Branch, v).Clone();
        m.Branch = branch;
        m.Parent = null;
        m.Base = new VersionRef { Branch = Branch, Version = v };
        m.MergedFrom = null;
        m.Operation = new OperationRecord { Kind = "branch", Detail = $"from {Branch}@{v}" };
        if (!_log.TryPublish(m)) throw new LakeException("QL-BRANCH-EXISTS", $"dataset '{Name}' already has a branch '{branch}'");
        return OnBranch(branch);
    }

    /// <summary>
    /// Merges this branch into <paramref name="target"/>: allowed when the target has not changed since this
    /// branch started from it (or was last merged into it); the target then gets this branch's content as a
    /// new version. Otherwise throws <see cref="CommitConflictException"/> and changes nothing.
    /// </summary>
    public DatasetSnapshot MergeInto(string target = "main")
    {
        if (target == Branch) throw new LakeException("QL-MERGE-SELF", $"cannot merge branch '{Branch}' into itself");
        var source = _log.Read(Branch, LatestVersion);
        if (source.Base is null || source.Base.Branch != target)
            throw new CommitConflictException($"branch '{Branch}' of '{Name}' was not created from '{target}', so it cannot be merged into it");
        var targetDataset = OnBranch(target);
        var merged = targetDataset.Commit(m =>
        {
            if (m.Version != source.Base.Version)
                throw new CommitConflictException(
                    $"cannot merge branch '{Branch}' into '{target}' of dataset '{Name}': '{target}' has moved from version {source.Base.Version} " +
                    $"(where '{Branch}' starts) to version {m.Version}. Nothing was merged; recreate the branch from the new '{target}' and reapply the changes.");
            var next = source.Clone();
            next.Base = m.Base;
            next.MergedFrom = new VersionRef { Branch = Branch, Version = source.Version };
            next.Operation = new OperationRecord { Kind = "merge", SchemaChanged = true, Detail = $"{Branch}@{source.Version}" };
            return next;
        });
        // Record on this branch that it now starts from the merged version, so it can be merged again later.
        Commit(m =>
        {
            m.Base = new VersionRef { Branch = target, Version = merged.Version };
            m.Operation = new OperationRecord { Kind = "rebase", Detail = $"merged into {target}@{merged.Version}" };
            return m;
        });
        return merged;
    }

    /// <summary>Commits a new version whose content (schema and rows) is that of <paramref name="version"/>: an undo
    /// that keeps history (the versions in between stay readable). A concurrent commit makes it fail.</summary>
    public DatasetSnapshot Restore(long version)
    {
        var old = _log.Read(Branch, version);
        return Commit(m =>
        {
            m.Schema = old.Clone().Schema;
            m.NextFieldId = Math.Max(m.NextFieldId, old.NextFieldId);
            m.NextFragmentId = Math.Max(m.NextFragmentId, old.NextFragmentId);
            m.Fragments = old.Clone().Fragments;
            m.Operation = new OperationRecord { Kind = "restore", SchemaChanged = true, Detail = $"to version {version}" };
            return m;
        });
    }

    /// <summary>Rows added, deleted and updated between two versions of this branch.</summary>
    public DatasetDiff Diff(long fromVersion, long toVersion)
    {
        var a = _log.Read(Branch, fromVersion);
        var b = _log.Read(Branch, toVersion);
        var added = new List<long>();
        var deleted = new List<long>();
        var updated = new List<long>();
        var aById = a.Fragments.ToDictionary(f => f.Id);
        var bById = b.Fragments.ToDictionary(f => f.Id);
        IEnumerable<long> Live(FragmentRecord f, HashSet<uint> del)
        {
            for (long o = 0; o < f.PhysicalRows; o++) if (!del.Contains((uint)o)) yield return RowId.Make(f.Id, o);
        }
        foreach (var f in b.Fragments)
        {
            var delB = DeletionVector.Read(Lake.Storage, Path, f.Deletions);
            if (!aById.TryGetValue(f.Id, out var old)) { added.AddRange(Live(f, delB)); continue; }
            var delA = DeletionVector.Read(Lake.Storage, Path, old.Deletions);
            bool rewritten = !old.Files.Select(x => x.Path).SequenceEqual(f.Files.Select(x => x.Path)) &&
                             !f.Files.Select(x => x.Path).Take(old.Files.Count).SequenceEqual(old.Files.Select(x => x.Path));
            for (long o = 0; o < f.PhysicalRows; o++)
            {
                bool liveA = o < old.PhysicalRows && !delA.Contains((uint)o), liveB = !delB.Contains((uint)o);
                if (liveA && !liveB) deleted.Add(RowId.Make(f.Id, o));
                else if (!liveA && liveB) added.Add(RowId.Make(f.Id, o));
                else if (liveA && liveB && rewritten) updated.Add(RowId.Make(f.Id, o));
            }
        }
        foreach (var f in a.Fragments)
            if (!bById.ContainsKey(f.Id)) deleted.AddRange(Live(f, DeletionVector.Read(Lake.Storage, Path, f.Deletions)));
        return new DatasetDiff(fromVersion, toVersion, added, deleted, updated);
    }
}
