using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Lineage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Lineage;

/// <summary>The hash of rows in no order (a COPY's shards written by a cluster's workers): the same for the rows in any
/// order, batching and encoding, and for parts hashed apart and added up; one changed value, one row more or one row
/// fewer changes it; and it is what <see cref="ContentHash.Of"/> computes for a recorded <c>m1:</c> hash.</summary>
public sealed class RowSetHashProperties
{
    [Fact]
    public void Rows_in_any_order_and_any_parts_hash_alike_and_one_change_differs()
    {
        var property = Prop.ForAll(Gen.Choose(1, 300).ToArbitrary(), Gen.Choose(1, 1000).ToArbitrary(), (rows, seed) =>
        {
            var sample = SampleData.AllTypes(rows + 10, seed).Slice(3, rows);
            var schema = QueryLake.Kernels.Vectors.EngineSchema(sample.Schema);
            var whole = new RecordBatch(schema, sample.Columns, sample.Length);
            string Hash(IEnumerable<RecordBatch> batches)
            {
                var h = new RowSetHasher(schema);
                foreach (var b in batches) h.Add(b);
                return h.Finish();
            }
            string expected = Hash([whole]);
            Assert.StartsWith("m1:", expected);
            Assert.Equal(expected, ContentHash.Of(schema, [whole], like: "m1:"));
            // Shuffled and cut into batches.
            var rng = new Random(seed);
            var order = Enumerable.Range(0, rows).OrderBy(_ => rng.Next()).ToArray();
            var shuffled = QueryLake.Kernels.Gather.Rows(whole, order);
            int cut = rng.Next(0, rows + 1);
            Assert.Equal(expected, Hash([shuffled.Slice(0, cut), shuffled.Slice(cut, rows - cut)]));
            // Text plain rather than dictionary-encoded.
            int dict = schema.IndexOf("dict");
            var plain = new RecordBatch(schema, whole.Columns.Select((c, i) => i == dict ? QueryLake.Kernels.Vectors.Plain(c) : c).ToArray(), whole.Length);
            Assert.Equal(expected, Hash([plain]));
            // Parts hashed apart, as tasks do, added up.
            var first = new RowSetHasher(schema);
            var second = new RowSetHasher(schema);
            first.Add(shuffled.Slice(0, cut));
            second.Add(shuffled.Slice(cut, rows - cut));
            var total = new RowSetHasher(schema);
            total.Add(first.Sums);
            total.Add(second.Sums);
            Assert.Equal(expected, total.Finish());
            // A row fewer, or one row twice, differs.
            Assert.NotEqual(expected, Hash([whole.Slice(0, rows - 1)]));
            Assert.NotEqual(expected, Hash([whole, whole.Slice(rng.Next(rows), 1)]));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), property);
    }

    [Fact]
    public void A_changed_value_or_a_null_for_a_zero_changes_it_and_null_slots_do_not_count()
    {
        var schema = new Schema([new Field("x", QueryLake.Columnar.Types.DataType.Int64), new Field("y", QueryLake.Columnar.Types.DataType.Int64)]);
        RecordBatch Batch(long hidden, long visible, long y)
        {
            var values = QueryLake.Columnar.Memory.ArrowBuffer.Copy<long>([1, hidden, visible]);
            var validity = QueryLake.Columnar.Memory.ArrowBuffer.Copy<byte>([0b101]);
            var x = QueryLake.Columnar.Arrays.ArrowArray.FromData(new ArrayData(QueryLake.Columnar.Types.DataType.Int64, 3, 0, 1, [validity, values]));
            var ys = QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [y, y + 1, y + 2]);
            return new RecordBatch(schema, [x, ys], 3);
        }
        string Hash(RecordBatch b) => ContentHash.Of(schema, [b], like: RowSetHasher.Prefix);
        Assert.Equal(Hash(Batch(5, 3, 10)), Hash(Batch(99, 3, 10)));
        Assert.NotEqual(Hash(Batch(5, 3, 10)), Hash(Batch(5, 4, 10)));
        Assert.NotEqual(Hash(Batch(5, 3, 10)), Hash(Batch(5, 3, 11)));
        // Values swapped between columns of a row are another row.
        var a = new RecordBatch(schema, [QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [1L]), QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [2L])], 1);
        var b = new RecordBatch(schema, [QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [2L]), QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [1L])], 1);
        Assert.NotEqual(Hash(a), Hash(b));
        var zero = new RecordBatch(schema, [QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [0L]), QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [2L])], 1);
        var nul = new RecordBatch(schema, [QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [null]), QueryLake.Columnar.Builders.ArrayBuilder.Build(QueryLake.Columnar.Types.DataType.Int64, [2L])], 1);
        Assert.NotEqual(Hash(zero), Hash(nul));
    }
}
