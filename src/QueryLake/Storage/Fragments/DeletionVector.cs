using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Manifests;

using QueryLake.Storage.Integrity;

namespace QueryLake.Storage.Fragments;

/// <summary>
/// The deleted row offsets of one fragment, stored as an Arrow file with one uint32 column <c>row</c>,
/// sorted ascending. A new deletion writes a new file holding the union; old files stay for old versions.
/// </summary>
internal static class DeletionVector
{
    private static readonly Schema FileSchema = new([new Field("row", DataType.UInt32, nullable: false)]);

    public static HashSet<uint> Read(Stores.LakeStorage storage, string datasetPath, DeletionRecord? record)
    {
        var set = new HashSet<uint>();
        if (record is null) return set;
        var path = Path.Combine(datasetPath, record.Path);
        // Read into memory, not mapped: vectors are small, and a mapping lives until the collector frees it (a process
        // reading many would run out of mappings). Vectors are immutable and small, so each is read once per process.
        // On object storage each is fetched once per process (a folder's read is cheaper than the bookkeeping).
        var bytes = !storage.IsLocal && Known.TryGetValue((path, record.Checksum), out var known) ? known : storage.ReadAll(path);
        FileChecksum.Verify(path, bytes, record.Checksum);
        if (!storage.IsLocal)
        {
            if (Known.Count > 10_000) Known.Clear();
            Known[(path, record.Checksum)] = bytes;
        }
        using var reader = ArrowFileReader.FromMemory(bytes, path);
        if (reader.Schema.Fields.Count != 1 || reader.Schema.Fields[0].DataType != DataType.UInt32)
            throw new CorruptFileException(path, $"a deletion vector holds one uint32 column 'row', but this file's schema is {reader.Schema}");
        foreach (var b in reader.ReadAll())
        {
            if (b.Columns.Count != 1 || b.Columns[0] is not PrimitiveArray<uint> rows)
                throw new CorruptFileException(path, "a record batch of the deletion vector does not hold one uint32 column");
            foreach (var v in rows.Values) set.Add(v);
        }
        return set;
    }

    /// <summary>Vectors this process read from object storage, by path and checksum (a vector never changes once
    /// written; its checksum is verified each time it is taken from here).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string?), byte[]> Known = new();

    public static DeletionRecord Write(Stores.LakeStorage storage, string datasetPath, long fragmentId, IEnumerable<uint> rows)
    {
        var sorted = rows.Distinct().Order().ToArray();
        var rel = $"deletions/{fragmentId}-{Guid.NewGuid():N}.arrow";
        var b = new PrimitiveBuilder<uint>(DataType.UInt32);
        b.AppendRange(sorted);
        var buffer = new MemoryStream();
        var hashed = new FileChecksum.Stream(buffer);
        using (var w = new ArrowFileWriter(hashed, FileSchema, leaveOpen: true))
            w.Write(new RecordBatch(FileSchema, [b.Build()], sorted.Length));
        // Durable (fsynced) in a folder, whole on object storage; the name is new, so nothing is overwritten.
        storage.Write(Path.Combine(datasetPath, rel), buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        return new DeletionRecord { Path = rel, Count = sorted.Length, Checksum = hashed.Checksum };
    }
}
