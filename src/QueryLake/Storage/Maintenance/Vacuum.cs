using QueryLake.Storage.Commits;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Maintenance;

/// <summary>How many old versions <c>VACUUM … RETAIN</c> keeps: the latest <see cref="Versions"/> of each branch, or
/// those committed in the last <see cref="Days"/> days (the latest always).</summary>
internal sealed record Retention(int? Versions, double? Days);

/// <summary>What VACUUM did in one dataset (or, for <c>Dataset</c> null, in the lake's own folders).</summary>
internal sealed record VacuumReport(string? Dataset, int VersionsRemoved, int FilesRemoved, long BytesFreed);

/// <summary>
/// Removes what no version needs: data files and deletion vectors no remaining manifest names (from killed, failed,
/// conflicting or rolled back writes), manifests of aborted transactions, versions older than a retention (never a
/// tagged one, the base of a branch or a branch's latest), temporary files, split staging folders, datasets a killed
/// CREATE left without a version, and folders a killed DROP left behind. Files are removed only once older than a
/// grace period, so a writer that has written files but not yet published the version naming them keeps them; the
/// grace must exceed the longest write. Readers of a version keep working (open files stay readable after removal).
/// </summary>
internal static class Vacuum
{
    public static IReadOnlyList<VacuumReport> Run(Lake lake, string? dataset, Retention? retain, TimeSpan grace, CancellationToken cancel)
    {
        var cutoff = DateTime.UtcNow - grace;
        var reports = new List<VacuumReport>();
        var names = dataset is not null ? [dataset] : lake.Storage.Folders(lake.Path)
            .Where(n => !n.StartsWith('_') && !n.StartsWith('.') && Paths.LakeNames.IsValid(n)).Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            cancel.ThrowIfCancellationRequested();
            reports.Add(Dataset(lake, name, Path.Combine(lake.Path, name), retain, cutoff));
        }
        if (dataset is null) reports.Add(LakeFolders(lake, cutoff));
        return reports;
    }

    private static VacuumReport Dataset(Lake lake, string name, string path, Retention? retain, DateTime cutoff)
    {
        int versions = 0, files = 0;
        long bytes = 0;
        var storage = lake.Storage;
        var log = new CommitLog(path, storage, lake);
        var kept = new List<Manifest>();
        // Folders outside the lake that cold files of any version live in (SET TIER COLD LOCATION …).
        var outside = new HashSet<string>(StringComparer.Ordinal);
        if (lake.DatasetExists(name))
        {
            var protectedVersions = new HashSet<(string, long)>();
            var ds = lake.OpenDataset(name);
            foreach (var (_, (branch, version)) in ds.Tags()) protectedVersions.Add((branch, version));
            var byBranch = log.Branches().ToDictionary(b => b, b => log.Slots(b));
            // A branch needs the version it started from.
            foreach (var b in byBranch.Keys)
                if (byBranch[b].Count > 0 && log.Read(b, log.Versions(b)[0]).Base is { } start) protectedVersions.Add((start.Branch, start.Version));
            foreach (var (branch, slots) in byBranch)
            {
                var visible = log.Versions(branch);
                foreach (var v in slots.Except(visible))
                {
                    // Invisible: an aborted transaction's goes; a pending one's stays, with its files, to be resolved.
                    var file = Path.Combine(log.BranchPath(branch), CommitLog.FileName(v));
                    if (Aborted(lake, log, branch, v)) { if (Remove(storage, file, ref bytes)) versions++; }
                    else kept.Add(ManifestJson.Deserialize(storage.ReadAll(file), file));
                }
                var manifests = visible.Select(v => log.Read(branch, v)).ToList();
                foreach (var file in manifests.SelectMany(x => x.Fragments).SelectMany(f => f.Files).Where(f => Stores.LakeStorage.IsAbsolute(f.Path)))
                    outside.Add(file.Path[..file.Path.LastIndexOf('/')]);
                for (int i = 0; i < manifests.Count; i++)
                {
                    var m = manifests[i];
                    bool latest = i == manifests.Count - 1;
                    bool expired = retain switch
                    {
                        { Versions: { } n } => i < manifests.Count - n,
                        { Days: { } d } => DateTimeOffset.UnixEpoch.AddTicks(m.TimestampMicros * 10) < DateTimeOffset.UtcNow.AddDays(-d),
                        _ => false,
                    };
                    if (expired && !latest && !protectedVersions.Contains((branch, m.Version))
                        && Remove(storage, Path.Combine(log.BranchPath(branch), CommitLog.FileName(m.Version)), ref bytes))
                        versions++;
                    else kept.Add(m);
                }
            }
        }
        // Files no remaining version names, once older than the grace period.
        var referenced = kept.SelectMany(m => m.Fragments).SelectMany(f => f.Files.Select(x => x.Path).Concat(f.Deletions is { } d ? [d.Path] : []))
            .Select(p => p.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in new[] { "data", "deletions", "_tmp" })
        {
            foreach (var f in storage.Files(Path.Combine(path, folder)))
            {
                var relative = folder + "/" + f.Key[(f.Key.LastIndexOf('/') + 1)..];
                if (!referenced.Contains(relative) && f.LastModifiedUtc < cutoff && Remove(storage, storage.PathOf(f.Key), ref bytes, f.Size)) files++;
            }
        }
        // Cold files outside the lake that no remaining version names: only QueryLake's own names (32 hex digits).
        foreach (var dir in outside)
            foreach (var f in storage.Files(dir))
            {
                var file = dir + "/" + f.Key[(f.Key.LastIndexOf('/') + 1)..];
                if (!referenced.Contains(file) && f.LastModifiedUtc < cutoff && System.Text.RegularExpressions.Regex.IsMatch(file, "/[0-9a-f]{32}\\.parquet$")
                    && Remove(storage, file, ref bytes, f.Size)) files++;
            }
        // A dataset a killed CREATE left without any version: its folder goes once it is old enough.
        if (!lake.DatasetExists(name) && !storage.FilesUnder(path).Any(e => e.LastModifiedUtc >= cutoff))
        {
            try { storage.DeleteFolder(path); } catch (Errors.QueryLakeException) { }
        }
        return new VacuumReport(name, versions, files, bytes);
    }

    private static bool Aborted(Lake lake, CommitLog log, string branch, long version)
    {
        var path = Path.Combine(log.BranchPath(branch), CommitLog.FileName(version));
        var id = ManifestJson.TransactionOf(lake.Storage.ReadAll(path), path);
        return id is not null && lake.Outcomes.Outcome(id) is { Committed: false };
    }

    /// <summary>The lake's own leftovers: temporary files, split staging folders, folders of killed drops, the exchange
    /// files of distributed queries whose coordinator died, and the probe objects of a process killed while it tested
    /// an object store's conditional creates.</summary>
    private static VacuumReport LakeFolders(Lake lake, DateTime cutoff)
    {
        var storage = lake.Storage;
        int files = 0;
        long bytes = 0;
        var folders = storage.Folders(lake.Path).Where(d => d.StartsWith(".dropped-", StringComparison.Ordinal)).Select(d => Path.Combine(lake.Path, d));
        var splits = Path.Combine(lake.Path, "_splits");
        folders = folders.Concat(storage.Folders(splits).Where(d => d.StartsWith('.')).Select(d => Path.Combine(splits, d)));
        var exchange = Path.Combine(lake.Path, Execution.Distributed.StageScheduler.ExchangeFolder);
        folders = folders.Concat(storage.Folders(exchange).Select(d => Path.Combine(exchange, d)));
        foreach (var dir in folders.ToList())
        {
            var entries = storage.FilesUnder(dir);
            if (entries.Any(e => e.LastModifiedUtc >= cutoff)) continue;
            try { storage.DeleteFolder(dir); } catch (Errors.QueryLakeException) { continue; }
            files += entries.Count;
            bytes += entries.Sum(e => e.Size);
        }
        foreach (var tmp in new[] { "_tmp", ".tmp", "_transactions/_tmp", "_probe" })
            foreach (var f in storage.Files(Path.Combine(lake.Path, tmp)))
                if (f.LastModifiedUtc < cutoff && Remove(storage, storage.PathOf(f.Key), ref bytes, f.Size)) files++;
        // Multipart uploads of killed writers (object storage only): their parts are billed until aborted.
        files += storage.Store.AbortUploads(cutoff);
        return new VacuumReport(null, 0, files, bytes);
    }

    /// <summary>Deletes a file (its size known, or read first); false when it could not be.</summary>
    private static bool Remove(Stores.LakeStorage storage, string file, ref long bytes, long? size = null)
    {
        try
        {
            long length = size ?? storage.Head(file)?.Size ?? -1;
            if (length < 0) return false;
            storage.Delete(file);
            bytes += length;
            return true;
        }
        catch (Errors.QueryLakeException) { return false; }
    }
}
