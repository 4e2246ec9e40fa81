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

    public static HashSet<uint> Read(string datasetPath, DeletionRecord? record)
    {
        var set = new HashSet<uint>();
        if (record is null) return set;
        var path = Path.Combine(datasetPath, record.Path);
        FileChecksum.VerifyOnce(path, record.Checksum);
        // Read into memory, not mapped: vectors are small, and a mapping lives until the collector frees it (a process
        // reading many would run out of mappings).
        using var reader = ArrowFileReader.FromMemory(File.ReadAllBytes(path), path);
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

    public static DeletionRecord Write(string datasetPath, long fragmentId, IEnumerable<uint> rows)
    {
        var sorted = rows.Distinct().Order().ToArray();
        var rel = $"deletions/{fragmentId}-{Guid.NewGuid():N}.arrow";
        var full = Path.Combine(datasetPath, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var b = new PrimitiveBuilder<uint>(DataType.UInt32);
        b.AppendRange(sorted);
        string checksum;
        using (var fs = new FileStream(full, FileMode.CreateNew, FileAccess.Write))
        {
            var hashed = new FileChecksum.Stream(fs);
            using (var w = new ArrowFileWriter(hashed, FileSchema, leaveOpen: true))
                w.Write(new RecordBatch(FileSchema, [b.Build()], sorted.Length));
            fs.Flush(flushToDisk: true);
            checksum = hashed.Checksum;
        }
        return new DeletionRecord { Path = rel, Count = sorted.Length, Checksum = checksum };
    }
}
