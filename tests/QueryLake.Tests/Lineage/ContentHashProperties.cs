using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Lineage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Lineage;

/// <summary>The content hash depends on the rows and their order only: not on how they are batched, sliced or
/// dictionary-encoded, nor on what null slots hold; changing one value or swapping two rows changes it.</summary>
public sealed class ContentHashProperties
{
    private static string Hash(Schema schema, IEnumerable<RecordBatch> batches) => ContentHash.Of(schema, batches);

    /// <summary>The rows of <paramref name="whole"/> cut into batches at <paramref name="cuts"/>.</summary>
    private static List<RecordBatch> Rebatched(RecordBatch whole, int[] cuts)
    {
        var bounds = cuts.Select(c => c % (whole.Length + 1)).Append(0).Append(whole.Length).Distinct().Order().ToList();
        return bounds.Zip(bounds.Skip(1)).Select(p => whole.Slice(p.First, p.Second - p.First)).ToList();
    }

    [Fact]
    public void The_hash_ignores_batching_slicing_and_encoding_and_sees_every_value()
    {
        var property = Prop.ForAll(Gen.Choose(0, 400).ToArbitrary(), Gen.Choose(1, 1000).ToArbitrary(), Gen.ArrayOf(Gen.Choose(0, 1000)).ToArbitrary(), (rows, seed, cuts) =>
        {
            // The engine's view of the sample: the dictionary column typed as text (its values' type).
            var sample = SampleData.AllTypes(rows + 20, seed).Slice(7, rows);
            var schema = QueryLake.Kernels.Vectors.EngineSchema(sample.Schema);
            var whole = new RecordBatch(schema, sample.Columns, sample.Length);
            string expected = Hash(schema, [whole]);
            Assert.StartsWith("c2:", expected);
            Assert.Equal(expected, Hash(schema, Rebatched(whole, cuts)));
            // Text dictionary-encoded or plain: the same rows.
            int dict = schema.IndexOf("dict");
            var plain = new RecordBatch(schema, whole.Columns.Select((c, i) => i == dict ? QueryLake.Kernels.Vectors.Plain(c) : c).ToArray(), whole.Length);
            Assert.Equal(expected, Hash(schema, [plain]));
            if (rows < 2) return;
            // Swapping two different rows changes it.
            var order = Enumerable.Range(0, rows).ToArray();
            int a = seed % rows, b = (seed / 7 + 1) % rows;
            if (a == b || Canonical.Render(schema, [whole.Slice(a, 1)]).ToJsonString() == Canonical.Render(schema, [whole.Slice(b, 1)]).ToJsonString()) return;
            (order[a], order[b]) = (order[b], order[a]);
            var swapped = QueryLake.Kernels.Gather.Rows(whole, order);
            Assert.NotEqual(expected, Hash(schema, [swapped]));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }

    [Fact]
    public void Encoded_text_hashes_as_its_text_with_values_longer_than_a_hashing_chunk()
    {
        // Entries of 0 bytes to 150 KB, some far past the 64 KB the hasher gathers at a time, and NULL rows.
        var entries = new[] { "", "a", new string('x', 40_000), new string('y', 70_000), new string('z', 150_000) };
        var dictionary = QueryLake.Columnar.Builders.ArrayBuilder.Build(DataType.Utf8, entries);
        var random = new Random(5);
        var indices = Enumerable.Range(0, 300).Select(_ => random.Next(entries.Length)).ToArray();
        var bits = new byte[(indices.Length + 7) / 8];
        int nulls = 0;
        for (int i = 0; i < indices.Length; i++)
            if (i % 7 != 3) bits[i / 8] |= (byte)(1 << (i % 8));
            else nulls++;
        var encoded = QueryLake.Kernels.Vectors.Encoded(dictionary, indices, QueryLake.Columnar.Memory.ArrowBuffer.Copy<byte>(bits), nulls);
        var schema = new Schema([new Field("t", DataType.Utf8)]);
        var plain = QueryLake.Kernels.Vectors.Plain(encoded);
        Assert.Equal(Hash(schema, [new RecordBatch(schema, [plain], plain.Length)]), Hash(schema, [new RecordBatch(schema, [encoded], encoded.Length)]));
        // Sliced the same way, still equal; and one index changed changes it.
        Assert.Equal(Hash(schema, [new RecordBatch(schema, [plain.Slice(11, 200)], 200)]), Hash(schema, [new RecordBatch(schema, [encoded.Slice(11, 200)], 200)]));
        var changed = (int[])indices.Clone();
        changed[0] = (changed[0] + 1) % entries.Length;
        var other = QueryLake.Kernels.Vectors.Encoded(dictionary, changed, QueryLake.Columnar.Memory.ArrowBuffer.Copy<byte>(bits), nulls);
        Assert.NotEqual(Hash(schema, [new RecordBatch(schema, [encoded], encoded.Length)]), Hash(schema, [new RecordBatch(schema, [other], other.Length)]));
    }

    [Fact]
    public void What_a_null_slot_holds_does_not_count_and_one_changed_value_does()
    {
        var schema = new Schema([new Field("x", DataType.Int64)]);
        RecordBatch Batch(long hidden, long visible)
        {
            var values = QueryLake.Columnar.Memory.ArrowBuffer.Copy<long>([1, hidden, visible]);
            var validity = QueryLake.Columnar.Memory.ArrowBuffer.Copy<byte>([0b101]);
            return new RecordBatch(schema, [ArrowArray.FromData(new ArrayData(DataType.Int64, 3, 0, 1, [validity, values]))], 3);
        }
        Assert.Equal(Hash(schema, [Batch(5, 3)]), Hash(schema, [Batch(99, 3)]));
        Assert.NotEqual(Hash(schema, [Batch(5, 3)]), Hash(schema, [Batch(5, 4)]));
        // A NULL is not a zero.
        var zero = new RecordBatch(schema, [ArrowArray.FromData(new ArrayData(DataType.Int64, 3, 0, 0, [QueryLake.Columnar.Memory.ArrowBuffer.Empty, QueryLake.Columnar.Memory.ArrowBuffer.Copy<long>([1, 0, 3])]))], 3);
        Assert.NotEqual(Hash(schema, [Batch(0, 3)]), Hash(schema, [zero]));
    }
}
