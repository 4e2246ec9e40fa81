using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Fragments;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage;

public sealed partial class Dataset
{
    /// <summary>When each fragment of <paramref name="snapshot"/> was written as it is now: the first version of this
    /// branch (and its time) naming the fragment with its current files. A fragment an UPDATE or a tier move rewrote
    /// counts from that rewrite.</summary>
    internal Dictionary<long, (long Version, long Micros)> WrittenAt(DatasetSnapshot snapshot)
    {
        var current = snapshot.Manifest.Fragments.ToDictionary(f => f.Id, f => string.Join(",", f.Files.Select(x => x.Path)));
        var result = new Dictionary<long, (long, long)>();
        foreach (var v in _log.Versions(Branch).Where(v => v <= snapshot.Version))
        {
            var m = _log.Read(Branch, v);
            foreach (var f in m.Fragments)
                if (!result.ContainsKey(f.Id) && current.TryGetValue(f.Id, out var files) && files == string.Join(",", f.Files.Select(x => x.Path)))
                    result[f.Id] = (v, m.TimestampMicros);
            if (result.Count == current.Count) break;
        }
        return result;
    }

    /// <summary>Whether a cold fragment's files are at <paramref name="location"/> (null: in the dataset's folder).</summary>
    private static bool InLocation(FragmentRecord f, string? location) =>
        f.Files.All(x => location is null ? !Stores.LakeStorage.IsAbsolute(x.Path) : x.Path.StartsWith(location.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>The tier a fragment is in: cold when all its files are Parquet.</summary>
    internal static DataTier TierOf(FragmentRecord f) => f.Files.Count > 0 && f.Files.All(x => x.IsCold) ? DataTier.Cold : DataTier.Hot;

    /// <summary>
    /// Moves fragments to <paramref name="tier"/> in one commit (<c>ALTER DATASET … SET TIER</c>): each chosen fragment
    /// not in that tier yet (or cold with deleted rows) is rewritten whole, every column of its live rows, as a Parquet
    /// zstd file (cold: one row group per batch, readable by other tools as it is) or an Arrow IPC file (hot), and the
    /// new version names the new file. The fragment keeps its id; where it had deleted rows, the rows after them get new
    /// offsets (as COMPACT gives them). Earlier versions keep the old files (for time travel) until VACUUM. A concurrent change to a moved
    /// fragment conflicts, as any rewrite does.
    /// </summary>
    /// <param name="tier">The tier to move to.</param>
    /// <param name="choose">Which fragments to move (null: all), given the fragments of the version the move starts from.</param>
    /// <param name="location">For the cold tier: where its files go when not in the lake (an <c>s3://bucket/prefix</c>
    /// location, or an absolute folder), under <c>&lt;dataset&gt;/data/</c>; null keeps them in the dataset's folder.</param>
    public DatasetSnapshot SetTier(DataTier tier, Func<FragmentInfo, bool>? choose = null, string? location = null) =>
        SetTier(tier, snapshot => snapshot.Fragments.Where(f => choose?.Invoke(f) ?? true).Select(f => f.Id).ToHashSet(), location);

    /// <summary><see cref="SetTier(DataTier, Func{FragmentInfo, bool}, string)"/> with the fragments chosen from the version the
    /// move is built on (again after a lost commit race).</summary>
    internal DatasetSnapshot SetTier(DataTier tier, Func<DatasetSnapshot, IReadOnlySet<long>> choose, string? location = null) => Commit(m =>
    {
        if (location is not null && (tier != DataTier.Cold || !Stores.LakeStorage.IsAbsolute(location)))
            throw new LakeException("QL-BAD-LOCATION", $"LOCATION '{location}' must be an s3://bucket/prefix location or an absolute folder, and only the cold tier takes one");
        if (location is not null && location.TrimEnd('/').StartsWith(Lake.Path, StringComparison.Ordinal))
            throw new LakeException("QL-BAD-LOCATION", $"LOCATION '{location}' lies in the lake {Lake.Path}: leave LOCATION out to keep cold files in the dataset's folder");
        var snapshot = new DatasetSnapshot(this, m);
        var chosen = choose(snapshot);
        var fields = snapshot.Resolve(null);
        var fieldIds = fields.Select(f => f.Id).ToArray();
        var moved = new List<long>();
        foreach (var frag in m.Fragments)
        {
            // A cold fragment with deletions is written again too, so the Parquet file other tools read holds its live rows.
            if (!chosen.Contains(frag.Id) || frag.LiveRows == 0 || (TierOf(frag) == tier && (tier == DataTier.Hot || (frag.Deletions is null && InLocation(frag, location))))) continue;
            var reader = snapshot.Reader(frag);
            DataFileRecord file;
            List<int> batchRows;
            if (tier == DataTier.Cold)
            {
                using var w = new ColdFileWriter(Lake.Storage, Path, snapshot.Schema, fieldIds, location);
                foreach (var batch in reader.Scan(fields, withRowId: false)) w.Write(batch);
                (file, batchRows) = (w.Finish(), w.BatchRows);
            }
            else
            {
                using var w = new DataFileWriter(Lake.Storage, Path, snapshot.Schema, fieldIds, new IpcWriteOptions { Compression = Options.Compression }, Options.DictionaryEncodeText);
                foreach (var batch in reader.Scan(fields, withRowId: false)) w.Write(batch);
                (file, batchRows) = (w.Finish(), w.BatchRows);
            }
            // Only the live rows move: the deletion vector is applied, so rows after a deleted one get new offsets.
            frag.Files = [file];
            frag.BatchRows = batchRows;
            frag.PhysicalRows = batchRows.Sum(n => (long)n);
            frag.Deletions = null;
            moved.Add(frag.Id);
        }
        if (moved.Count == 0) return null;
        m.Operation = new OperationRecord
        {
            Kind = "tier", TouchedFragments = moved,
            Detail = $"{moved.Count} fragment{(moved.Count == 1 ? "" : "s")} to the {(tier == DataTier.Cold ? "cold tier (Parquet zstd)" : "hot tier (Arrow IPC)")}",
        };
        return m;
    });
}
