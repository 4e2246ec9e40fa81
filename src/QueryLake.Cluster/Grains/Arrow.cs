using QueryLake.Columnar;
using QueryLake.Formats.Ipc;

namespace QueryLake.Cluster.Grains;

/// <summary>Batches to and from Arrow IPC stream bytes, as results travel between silos.</summary>
internal static class Arrow
{
    public static byte[] Write(Schema schema, IEnumerable<RecordBatch> batches)
    {
        using var memory = new MemoryStream();
        using (var writer = new ArrowStreamWriter(memory, schema, leaveOpen: true))
        {
            foreach (var b in batches) writer.Write(b);
            writer.Finish();
        }
        return memory.ToArray();
    }

    public static (Schema Schema, List<RecordBatch> Batches) Read(byte[] bytes)
    {
        using var reader = new ArrowStreamReader(new MemoryStream(bytes), "cluster result");
        return (reader.Schema, reader.ReadAll().ToList());
    }
}
