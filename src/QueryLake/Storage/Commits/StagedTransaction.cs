using QueryLake.Errors;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Commits;

/// <summary>
/// The changes of an open transaction, held in memory: for each dataset (and branch) it touched, the version it
/// started from and the manifest its statements have built so far. Data files are written as statements run; no
/// manifest is published until <see cref="Commit"/>, so other sessions see nothing, and a killed process leaves only
/// files no version names. The transaction's own statements read what it staged (<see cref="CommitLog"/>).
/// </summary>
/// <remarks>
/// Commit publishes one manifest per dataset. When a dataset's head moved since the transaction read it, the change is
/// rebased onto the new head if the versions committed since touched none of the fragments it changed and neither side
/// changed the schema (its new fragments are renumbered); otherwise it fails with QL-COMMIT-CONFLICT. One dataset: its
/// manifest is the commit point. Several: each manifest names the transaction and stays invisible until
/// <see cref="TransactionOutcomes.Decide"/> records it committed, the commit point; a failure before it records it
/// aborted, so the manifests already published never appear.
/// </remarks>
internal sealed class StagedTransaction(Stores.LakeStorage storage)
{
    /// <summary>One dataset branch the transaction changed.</summary>
    internal sealed class Entry(string datasetPath, string branch, Manifest? start, Manifest manifest)
    {
        public string DatasetPath { get; } = datasetPath;
        public string Branch { get; } = branch;

        /// <summary>The published version the transaction started from; null for a dataset it created.</summary>
        public Manifest? Start { get; } = start;

        /// <summary>The manifest its statements have built so far.</summary>
        public Manifest Manifest { get; set; } = manifest;

        /// <summary>What each statement did, in order.</summary>
        public List<OperationRecord> Operations { get; } = [];

        /// <summary>Every file a staged manifest named (a later statement may have replaced some).</summary>
        public HashSet<string> Written { get; } = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<(string, string), Entry> _entries = [];

    /// <summary>Called (in the committing flow) after every manifest of a transaction over several datasets is published
    /// and before its commit point: tests pause or kill the commit there.</summary>
    internal static readonly AsyncLocal<Action?> BeforeCommitPoint = new();

    public Entry? Find(string datasetPath, string branch) => _entries.GetValueOrDefault((datasetPath, branch));

    /// <summary>Whether the transaction created a dataset in <paramref name="datasetPath"/>.</summary>
    public bool Creates(string datasetPath) => Find(datasetPath, "main") is { Start: null };

    /// <summary>The folders of the datasets the transaction created.</summary>
    public IEnumerable<string> Created => _entries.Values.Where(e => e.Start is null).Select(e => e.DatasetPath);

    /// <summary>Stages <paramref name="m"/> as the next version of its dataset branch.</summary>
    public void Stage(CommitLog log, Manifest m)
    {
        var key = (log.DatasetPath, m.Branch);
        if (!_entries.TryGetValue(key, out var entry))
        {
            var start = m.Parent is { } parent ? log.Read(m.Branch, parent) : null;
            _entries[key] = entry = new Entry(log.DatasetPath, m.Branch, start, m);
        }
        entry.Manifest = m;
        entry.Operations.Add(m.Operation);
        entry.Written.UnionWith(m.Fragments.SelectMany(Files));
    }

    /// <summary>Publishes every staged change as one atomic commit (see the remarks).</summary>
    /// <exception cref="CommitConflictException">A concurrent change conflicts; nothing becomes visible.</exception>
    public void Commit(Lake lake, int maxAttempts)
    {
        var entries = _entries.Values.OrderBy(e => e.DatasetPath, StringComparer.Ordinal).ThenBy(e => e.Branch, StringComparer.Ordinal).ToList();
        if (entries.Count == 0) return;
        string? id = entries.Count > 1 ? Guid.NewGuid().ToString("N") : null;
        try
        {
            foreach (var e in entries) Publish(lake, e, id, maxAttempts);
            if (id is not null) BeforeCommitPoint.Value?.Invoke();
            if (id is not null && !lake.Outcomes.Decide(id, commit: true).Committed)
                throw new CommitConflictException("the transaction was aborted by a concurrent writer that waited for it; nothing was committed, run it again");
            // Files an earlier statement of the transaction wrote and a later one replaced were never published.
            foreach (var e in entries) Delete(e, keep: e.Manifest.Fragments.SelectMany(Files).Concat((e.Start?.Fragments ?? []).SelectMany(Files)));
        }
        catch when (id is not null)
        {
            lake.Outcomes.Decide(id, commit: false);
            throw;
        }
    }

    private static void Publish(Lake lake, Entry e, string? id, int maxAttempts)
    {
        var log = new CommitLog(e.DatasetPath, lake.Storage, lake: null);
        var name = Path.GetFileName(e.DatasetPath);
        for (int attempt = 0; attempt < maxAttempts; attempt++)
        {
            Manifest next;
            long? parent = null;
            if (e.Start is null)
            {
                next = e.Manifest.Clone();
                next.Version = 1;
            }
            else
            {
                log.ResolvePending(e.Branch);
                // The free number first, then the head (see Dataset.Commit).
                long slot = log.NextSlot(e.Branch);
                long head = log.LatestPublished(e.Branch);
                var current = log.Read(e.Branch, head);
                next = head == e.Start.Version ? e.Manifest.Clone() : Rebase(log, e, current);
                next.Version = Math.Max(head + 1, slot);
                next.TimestampMicros = Math.Max((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10, current.TimestampMicros + 1);
                parent = head;
            }
            next.Parent = parent;
            next.Transaction = id;
            next.Operation = Summary(e, next.Operation);
            if (log.PublishNow(next)) return;
            if (e.Start is null) throw new LakeException("QL-DATASET-EXISTS", $"dataset '{name}' was created concurrently; nothing was committed");
        }
        throw new CommitConflictException($"cannot commit the transaction to dataset '{name}': {maxAttempts} attempts lost the race to other writers");
    }

    /// <summary>One operation for the transaction's statements on a dataset: their kind when they were one statement,
    /// otherwise <c>transaction</c>, with every fragment they touched and the rows they added and deleted.</summary>
    private static OperationRecord Summary(Entry e, OperationRecord last) => e.Operations.Count == 1 ? last : new OperationRecord
    {
        Kind = "transaction",
        TouchedFragments = last.TouchedFragments,
        SchemaChanged = e.Operations.Any(o => o.SchemaChanged),
        RowsAdded = e.Operations.Sum(o => o.RowsAdded),
        RowsDeleted = e.Operations.Sum(o => o.RowsDeleted),
        Detail = $"{e.Operations.Count} statements: {string.Join(", ", e.Operations.Select(o => o.Kind))}",
    };

    /// <summary>The staged change applied to <paramref name="head"/>: fragments it removed go, those it changed replace
    /// head's, those it added are renumbered after head's. Refused when a version committed since the start changed the
    /// schema or one of the fragments this change touched, or when this change altered the schema.</summary>
    private static Manifest Rebase(CommitLog log, Entry e, Manifest head)
    {
        var start = e.Start!;
        var staged = e.Manifest;
        var before = start.Fragments.ToDictionary(f => f.Id);
        var after = staged.Fragments.ToDictionary(f => f.Id);
        var changed = before.Keys.Where(id => !after.TryGetValue(id, out var f) || !Same(f, before[id])).ToHashSet();
        bool schemaChanged = e.Operations.Any(o => o.SchemaChanged) || ManifestJsonText(start.Schema) != ManifestJsonText(staged.Schema);
        foreach (var v in log.Versions(e.Branch).Where(v => v > start.Version && v <= head.Version))
        {
            var other = log.Read(e.Branch, v).Operation;
            var overlap = other.TouchedFragments.Where(changed.Contains).ToList();
            if (other.SchemaChanged || schemaChanged || overlap.Count > 0)
                throw new CommitConflictException(
                    $"cannot commit the transaction to dataset '{Path.GetFileName(e.DatasetPath)}' (branch '{e.Branch}'): version {v} ({other.Kind}) was committed concurrently and " +
                    (overlap.Count > 0 ? $"changed the same fragment(s) {string.Join(", ", overlap)}" : "the schema changed on one side") +
                    ". Nothing was committed; run the transaction again.");
        }
        var result = head.Clone();
        result.Fragments = result.Fragments.Where(f => !changed.Contains(f.Id) || after.ContainsKey(f.Id)).Select(f => changed.Contains(f.Id) ? after[f.Id] : f).ToList();
        var renumbered = new Dictionary<long, long>();
        foreach (var f in staged.Fragments.Where(f => !before.ContainsKey(f.Id)))
        {
            var copy = Clone(f);
            renumbered[f.Id] = copy.Id = result.NextFragmentId++;
            result.Fragments.Add(copy);
        }
        result.Operation = staged.Operation;
        result.Operation.TouchedFragments = staged.Operation.TouchedFragments.Select(id => renumbered.GetValueOrDefault(id, id)).ToList();
        return result;
    }

    private static string ManifestJsonText(SchemaRecord s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static bool Same(FragmentRecord a, FragmentRecord b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);

    private static FragmentRecord Clone(FragmentRecord f) =>
        System.Text.Json.JsonSerializer.Deserialize<FragmentRecord>(System.Text.Json.JsonSerializer.Serialize(f))!;

    /// <summary>Deletes the files the transaction wrote that no published version names (rolling back).</summary>
    public void Discard()
    {
        foreach (var e in _entries.Values) Delete(e, keep: (e.Start?.Fragments ?? []).SelectMany(Files));
        _entries.Clear();
    }

    private void Delete(Entry e, IEnumerable<string> keep)
    {
        // Best effort: what stays is named by no version, and VACUUM removes it.
        var kept = keep.ToHashSet(StringComparer.Ordinal);
        foreach (var file in e.Written.Where(f => !kept.Contains(f)))
            try { storage.Delete(Stores.LakeStorage.FileOf(e.DatasetPath, file)); } catch (QueryLakeException) { }
    }

    private static IEnumerable<string> Files(FragmentRecord f) =>
        f.Files.Select(x => x.Path).Concat(f.Deletions is { } d ? [d.Path] : []);
}
