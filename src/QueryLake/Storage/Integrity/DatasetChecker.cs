using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Commits;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Integrity;

/// <summary>One file <c>CHECK DATASET</c> looked at: its path (relative to the dataset folder), what it is
/// (<c>manifest</c>, <c>data</c> or <c>deletions</c>), its size, and <c>ok</c>, <c>unverified</c> (written before
/// checksums existed, read without error), <c>missing</c> or <c>corrupt</c> with what is wrong.</summary>
internal sealed record FileCheck(string File, string Kind, long Bytes, string Status, string Detail);

/// <summary>Verifies everything a dataset version references: its manifest (checksum and structure), every data file
/// (checksum, then the Arrow structure: the batches and row counts the manifest records) and every deletion vector
/// (checksum, and the count of rows it deletes). It reads each file again, ignoring what the process verified
/// before, and reports every file instead of stopping at the first problem.</summary>
internal static class DatasetChecker
{
    public static IReadOnlyList<FileCheck> Check(Stores.LakeStorage storage, string datasetPath, string branch, long version, CancellationToken cancel)
    {
        var results = new List<FileCheck>();
        var log = new CommitLog(datasetPath, storage);
        var manifestPath = Path.Combine(log.BranchPath(branch), CommitLog.FileName(version));
        var manifestName = Path.GetRelativePath(datasetPath, manifestPath).Replace('\\', '/');
        var manifestInfo = storage.Head(manifestPath);
        if (manifestInfo is null)
            throw new LakeException("QL-VERSION-NOT-FOUND", $"dataset {Path.GetFileName(datasetPath)} has no version {version} on branch '{branch}'");
        Manifest manifest;
        try
        {
            manifest = log.Read(branch, version);
            results.Add(new FileCheck(manifestName, "manifest", manifestInfo.Size, manifest.Format >= 2 ? "ok" : "unverified",
                manifest.Format >= 2 ? "" : $"format {manifest.Format}: written before manifests carried checksums"));
        }
        catch (CorruptFileException e)
        {
            results.Add(new FileCheck(manifestName, "manifest", manifestInfo.Size, "corrupt", e.Problem));
            return results;
        }
        foreach (var fragment in manifest.Fragments)
        {
            foreach (var file in fragment.Files)
            {
                cancel.ThrowIfCancellationRequested();
                results.Add(Data(storage, datasetPath, file, fragment));
            }
            if (fragment.Deletions is { } d)
            {
                cancel.ThrowIfCancellationRequested();
                results.Add(Deletions(storage, datasetPath, d, fragment));
            }
        }
        return results;
    }

    private static FileCheck Data(Stores.LakeStorage storage, string datasetPath, DataFileRecord file, FragmentRecord fragment) =>
        Verify(storage, datasetPath, file.Path, "data", file.Checksum, (full, bytes) =>
        {
            if (file.IsCold)
            {
                var parquet = Formats.Parquet.ParquetFileReader.Open(bytes is null ? Formats.MappedFile.Open(full) : Formats.MappedFile.Over(full, bytes.Length, (o, n) => bytes.AsMemory((int)o, n)));
                var groups = Enumerable.Range(0, parquet.RowGroupCount).Select(g => (int)parquet.RowGroupRows(g)).ToList();
                if (!groups.SequenceEqual(fragment.BatchRows))
                    return $"holds row groups of [{string.Join(", ", groups)}] rows, the manifest records batches of [{string.Join(", ", fragment.BatchRows)}]";
                foreach (var _ in parquet.ReadAll()) { }
                return null;
            }
            var reader = bytes is null ? ArrowFileReader.Open(full) : ArrowFileReader.FromMemory(bytes, full);
            var rows = Enumerable.Range(0, reader.RecordBatchCount).Select(reader.GetRecordBatchLength).ToList();
            if (fragment.BatchRows.Count > 0 && !rows.SequenceEqual(fragment.BatchRows))
                return $"holds batches of [{string.Join(", ", rows)}] rows, the manifest records [{string.Join(", ", fragment.BatchRows)}]";
            foreach (var _ in reader.ReadAll()) { }
            return null;
        });

    private static FileCheck Deletions(Stores.LakeStorage storage, string datasetPath, DeletionRecord d, FragmentRecord fragment) =>
        Verify(storage, datasetPath, d.Path, "deletions", d.Checksum, (_, _) =>
        {
            var rows = Fragments.DeletionVector.Read(storage, datasetPath, d);
            if (rows.Count != d.Count) return $"deletes {rows.Count} rows, the manifest records {d.Count}";
            if (rows.Count > 0 && rows.Max() >= fragment.PhysicalRows) return $"deletes row {rows.Max()} of a fragment of {fragment.PhysicalRows} rows";
            return null;
        });

    /// <summary>The check of one file: present, its checksum (when recorded), then <paramref name="structure"/> (a
    /// problem, or null).</summary>
    /// <remarks>A file in a folder is hashed and read in place (memory-mapped); one on object storage is fetched whole
    /// and checked in memory.</remarks>
    private static FileCheck Verify(Stores.LakeStorage storage, string datasetPath, string relative, string kind, string? checksum, Func<string, byte[]?, string?> structure)
    {
        var full = Stores.LakeStorage.FileOf(datasetPath, relative);
        var local = storage.LocalPath(full);
        var content = local is null ? storage.TryReadAll(full) : null;
        if (local is null ? content is null : !File.Exists(local)) return new FileCheck(relative, kind, 0, "missing", "the manifest refers to it, but it does not exist");
        long bytes = content?.Length ?? new FileInfo(local!).Length;
        try
        {
            if (content is null) FileChecksum.Verify(local!, checksum);
            else FileChecksum.Verify(full, content, checksum);
            if (structure(local ?? full, content) is { } problem) return new FileCheck(relative, kind, bytes, "corrupt", problem);
        }
        catch (CorruptFileException e) { return new FileCheck(relative, kind, bytes, "corrupt", e.Problem); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or IndexOutOfRangeException or InvalidCastException or OverflowException)
        {
            return new FileCheck(relative, kind, bytes, "corrupt", $"cannot be read: {Errors.ErrorText.Describe(e)}");
        }
        return checksum is null
            ? new FileCheck(relative, kind, bytes, "unverified", "written before files carried checksums; it reads without error")
            : new FileCheck(relative, kind, bytes, "ok", "");
    }
}
