using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
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
        FileChecksum.VerifyOnce(Path.Combine(datasetPath, record.Path), record.Checksum);
        using var reader = ArrowFileReader.Open(Path.Combine(datasetPath, record.Path));
        foreach (var b in reader.ReadAll())
            foreach (var v in ((PrimitiveArray<uint>)b.Columns[0]).Values) set.Add(v);
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
