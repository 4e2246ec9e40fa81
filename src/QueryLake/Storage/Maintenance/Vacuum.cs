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
        var names = dataset is not null ? [dataset] : Directory.EnumerateDirectories(lake.Path).Select(Path.GetFileName).OfType<string>()
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
        var log = new CommitLog(path, lake);
        var kept = new List<Manifest>();
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
                    if (Aborted(lake, log, branch, v)) { if (Remove(file, cutoff, ref bytes, force: true)) versions++; }
                    else kept.Add(ManifestJson.Deserialize(File.ReadAllBytes(file), file));
                }
                var manifests = visible.Select(v => log.Read(branch, v)).ToList();
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
                        && Remove(Path.Combine(log.BranchPath(branch), CommitLog.FileName(m.Version)), cutoff, ref bytes, force: true))
                        versions++;
                    else kept.Add(m);
                }
            }
        }
        // Files no remaining version names, once older than the grace period.
        var referenced = kept.SelectMany(m => m.Fragments).SelectMany(f => f.Files.Select(x => x.Path).Concat(f.Deletions is { } d ? [d.Path] : []))
            .Select(p => Path.GetFullPath(Path.Combine(path, p))).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in new[] { "data", "deletions", "_tmp" })
        {
            var dir = Path.Combine(path, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var f in Directory.EnumerateFiles(dir))
                if (!referenced.Contains(Path.GetFullPath(f)) && Remove(f, cutoff, ref bytes, force: false)) files++;
        }
        // A dataset a killed CREATE left without any version: its folder goes once it is old enough.
        if (!lake.DatasetExists(name) && !Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories).Any(e => File.Exists(e) && File.GetLastWriteTimeUtc(e) >= cutoff))
        {
            try { Directory.Delete(path, recursive: true); } catch (IOException) { }
        }
        return new VacuumReport(name, versions, files, bytes);
    }

    private static bool Aborted(Lake lake, CommitLog log, string branch, long version)
    {
        var path = Path.Combine(log.BranchPath(branch), CommitLog.FileName(version));
        var id = ManifestJson.TransactionOf(File.ReadAllBytes(path), path);
        return id is not null && lake.Outcomes.Outcome(id) is { Committed: false };
    }

    /// <summary>The lake's own leftovers: temporary files, split staging folders, folders of killed drops.</summary>
    private static VacuumReport LakeFolders(Lake lake, DateTime cutoff)
    {
        int files = 0;
        long bytes = 0;
        foreach (var dir in Directory.EnumerateDirectories(lake.Path, ".dropped-*"))
            if (Directory.GetLastWriteTimeUtc(dir) < cutoff) files += RemoveFolder(dir, ref bytes);
        var splits = Path.Combine(lake.Path, "_splits");
        if (Directory.Exists(splits))
            foreach (var dir in Directory.EnumerateDirectories(splits, ".*"))
                if (Directory.GetLastWriteTimeUtc(dir) < cutoff) files += RemoveFolder(dir, ref bytes);
        foreach (var tmp in new[] { Path.Combine(lake.Path, "_tmp"), Path.Combine(lake.Path, "_transactions", "_tmp") })
            if (Directory.Exists(tmp))
                foreach (var f in Directory.EnumerateFiles(tmp))
                    if (Remove(f, cutoff, ref bytes, force: false)) files++;
        return new VacuumReport(null, 0, files, bytes);
    }

    private static int RemoveFolder(string dir, ref long bytes)
    {
        var entries = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        bytes += entries.Sum(f => new FileInfo(f).Length);
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { return 0; }
        return entries.Count;
    }

    private static bool Remove(string file, DateTime cutoff, ref long bytes, bool force)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists || (!force && info.LastWriteTimeUtc >= cutoff)) return false;
            long length = info.Length;
            info.Delete();
            bytes += length;
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
