using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using Xunit;

namespace QueryLake.Tests.Columnar;

public sealed class ColumnarTests
{
    [Fact]
    public void Builders_produce_arrow_layout_with_validity_bitmaps_only_when_needed()
    {
        var noNulls = ArrayBuilder.Build(DataType.Int32, [1, 2, 3]);
        Assert.True(noNulls.Data.Validity.IsEmpty);
        Assert.Equal(0, noNulls.NullCount);
        var withNulls = ArrayBuilder.Build(DataType.Int32, [1, null, 3]);
        Assert.Equal(1, withNulls.NullCount);
        Assert.Equal(0b101, withNulls.Data.Validity.Span[0] & 0b111);
        unsafe
        {
            fixed (byte* p = withNulls.Data.Buffers[1].Span) Assert.Equal(0, (long)p % 64);
        }
    }

    [Fact]
    public void Slices_share_buffers_and_see_the_right_values_and_nulls()
    {
        var a = (BinaryArray)ArrayBuilder.Build(DataType.Utf8, ["a", null, "ccc", "dd", null, "f"]);
        var s = (BinaryArray)a.Slice(2, 3);
        Assert.Equal(3, s.Length);
        Assert.Equal(1, s.NullCount);
        Assert.Equal(["ccc", "dd", null], Enumerable.Range(0, 3).Select(s.GetString));
        Assert.True(s.Data.Buffers[2].Memory.Equals(a.Data.Buffers[2].Memory));
        var list = (ListArray)ArrayBuilder.Build(DataType.List(DataType.Int64), [new object?[] { 1L, 2L }, null, new object?[] { 3L }]);
        Assert.Equal(new object?[] { 3L }, (object?[])list.Slice(2, 1).GetValue(0)!);
        var st = (StructArray)ArrayBuilder.Build(DataType.Struct(new Field("x", DataType.Int32)),
            [new Dictionary<string, object?> { ["x"] = 1 }, new Dictionary<string, object?> { ["x"] = 2 }]);
        Assert.Equal(2, ((Dictionary<string, object?>)st.Slice(1, 1).GetValue(0)!)["x"]);
    }

    [Fact]
    public void Extension_types_round_trip_through_their_storage()
    {
        var emb = (FixedSizeListArray)ArrayBuilder.Build(new EmbeddingType(2), [new[] { 1f, 2f }, new[] { 3f, 4f }]);
        Assert.Equal(new[] { 3f, 4f }, emb.GetFloats(1).ToArray());
        Assert.Equal(new EmbeddingType(2), ExtensionType.TryCreate(EmbeddingType.Name, "", emb.Type.StorageType));
        var tensor = new TensorType(DataType.Float32, [2, 3]);
        Assert.Equal(tensor, ExtensionType.TryCreate(TensorType.FixedShapeName, tensor.ExtensionMetadata, tensor.StorageType));
        Assert.Null(ExtensionType.TryCreate(TensorType.FixedShapeName, "{\"shape\":[7]}", tensor.StorageType));
        Assert.Equal("image<png>", new ImageType("PNG").ToString());
        var e = Assert.Throws<ArgumentException>(() => ArrayBuilder.Build(new EmbeddingType(2), [new[] { 1f }]));
        Assert.Contains("expected 2 values", e.Message);
    }

    [Fact]
    public void Wrong_values_are_rejected_with_the_column_type_named()
    {
        var e = Assert.Throws<ArgumentException>(() => ArrayBuilder.Build(DataType.Int32, ["nope"]));
        Assert.Contains("in a int32 column", e.Message);
        Assert.Throws<ArgumentException>(() => new Schema([new Field("a", DataType.Int32), new Field("a", DataType.Utf8)]));
    }

    [Fact]
    public void Dictionary_builder_shares_entries()
    {
        var d = (DictionaryArray)ArrayBuilder.Build(DataType.DictionaryUtf8, ["day", "night", "day", null, "day"]);
        Assert.Equal(2, d.Dictionary.Length);
        Assert.Equal(["day", "night", "day", null, "day"], Enumerable.Range(0, 5).Select(d.GetValue));
    }

    [Fact]
    public void Timestamps_and_dates_convert_exactly()
    {
        var when = new DateTime(2026, 11, 22, 10, 5, 39, DateTimeKind.Utc).AddTicks(1230);
        var ts = ArrayBuilder.Build(DataType.Timestamp("UTC"), [when]);
        Assert.Equal(when.AddTicks(-(when.Ticks % 10)), ts.GetValue(0));
        Assert.Equal(new DateOnly(1969, 12, 31), ArrayBuilder.Build(DataType.Date32, [new DateOnly(1969, 12, 31)]).GetValue(0));
    }

    [Fact]
    public void Bit_copies_and_counts_match_a_naive_model()
    {
        var property = Prop.ForAll(
            (from bits in Gen.ArrayOf(Gen.Elements(true, false))
             from src in Gen.Choose(0, 20)
             from dst in Gen.Choose(0, 20)
             select (bits, src, dst)).ToArbitrary(),
            t =>
            {
                var (bits, srcOff, dstOff) = t;
                var src = new byte[BitUtil.BytesFor(bits.Length + srcOff) + 1];
                for (int i = 0; i < bits.Length; i++) BitUtil.SetBit(src, srcOff + i, bits[i]);
                Assert.Equal(bits.Count(b => b), BitUtil.CountSet(src, srcOff, bits.Length));
                var dst = new byte[BitUtil.BytesFor(bits.Length + dstOff) + 1];
                BitUtil.CopyBits(src, srcOff, dst, dstOff, bits.Length);
                for (int i = 0; i < bits.Length; i++) Assert.Equal(bits[i], BitUtil.GetBit(dst, dstOff + i));
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Fact]
    public void Any_slice_of_any_sample_batch_reads_the_same_values_as_the_whole()
    {
        var batch = SampleDataFor.Batch;
        var property = Prop.ForAll((from start in Gen.Choose(0, batch.Length) from len in Gen.Choose(0, batch.Length) select (start, len)).ToArbitrary(), t =>
        {
            int start = t.start, len = Math.Min(t.len, batch.Length - t.start);
            var slice = batch.Slice(start, len);
            for (int c = 0; c < batch.Columns.Count; c++)
                for (int i = 0; i < len; i++)
                    Assert.Equal(Support.Canonical.Value(batch.Columns[c], start + i)?.ToJsonString(), Support.Canonical.Value(slice.Columns[c], i)?.ToJsonString());
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), property);
    }

    private static class SampleDataFor
    {
        public static readonly RecordBatch Batch = Support.SampleData.AllTypes(60, seed: 99);
    }
}
