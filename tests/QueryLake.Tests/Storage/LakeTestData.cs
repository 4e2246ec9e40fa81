using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Tests.Storage;

internal static class LakeTestData
{
    public static readonly Schema Scenes = new(
    [
        new Field("id", DataType.Int64, nullable: false),
        new Field("lighting", DataType.Utf8),
        new Field("brightness", DataType.Float64),
        new Field("image", new ImageType("png")),
        new Field("embedding", new EmbeddingType(3), nullable: false),
    ]);

    private static readonly string[] Lighting = ["day", "night", "dusk"];

    public static RecordBatch Batch(long firstId, int rows)
    {
        var id = new PrimitiveBuilder<long>(DataType.Int64);
        var lighting = new BinaryBuilder(DataType.Utf8);
        var brightness = new PrimitiveBuilder<double>(DataType.Float64);
        var image = new BinaryBuilder(new ImageType("png"));
        var emb = new FixedSizeListBuilder(new EmbeddingType(3));
        for (long i = firstId; i < firstId + rows; i++)
        {
            id.Append(i);
            if (i % 7 == 3) lighting.AppendNull(); else lighting.Append(Lighting[i % 3]);
            brightness.Append(i * 0.5);
            image.Append(BitConverter.GetBytes(i));
            emb.Append([i, -i, 1f]);
        }
        return new RecordBatch(Scenes, [id.Build(), lighting.Build(), brightness.Build(), image.Build(), emb.Build()], rows);
    }

    public static List<long> Ids(IEnumerable<RecordBatch> batches, string column = "id") =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((PrimitiveArray<long>)b.Column(column))[i])).ToList();

    public static List<object?> Values(IEnumerable<RecordBatch> batches, string column) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => b.Column(column).GetValue(i))).ToList();
}
