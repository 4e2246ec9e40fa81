using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>What an operator holding batches reserves against the memory limit: a dictionary that many batches share
/// (text handed out as indices into one dictionary) is counted once, not once per batch. Counting it per batch made a
/// TPC-H SF10 q21 semi join of 734,000 rows reserve 1.65 GiB and spill under a 2 GB limit (73 s; 6 s once fixed).</summary>
public sealed class MemoryAccountingTests
{
    [Fact]
    public void A_shared_dictionary_is_counted_once_across_batches()
    {
        var dictionary = ArrayBuilder.Build(DataType.Utf8, Enumerable.Range(0, 10_000).Select(i => (object?)$"name {i:D6}"));
        RecordBatch Batch(int first)
        {
            var indices = ArrayBuilder.Build(DataType.Int32, Enumerable.Range(first, 100).Select(i => (object?)(i % 10_000)));
            var encoded = ArrowArray.FromData(new ArrayData(new DictionaryType(DataType.Int32, DataType.Utf8, false), 100, 0, 0,
                indices.Data.Buffers, null, dictionary.Data));
            return new RecordBatch(new Schema([new Field("name", DataType.Utf8)]), [encoded], 100);
        }
        var batches = Enumerable.Range(0, 50).Select(b => Batch(b * 100)).ToList();
        long alone = QueryContext.SizeOf(batches[0]);
        var indicesOnly = ((DictionaryArray)batches[0].Columns[0]).Indices;
        long dictionaryBytes = alone - QueryContext.SizeOf(new RecordBatch(new Schema([new Field("i", indicesOnly.Type)]), [indicesOnly], 100));
        Assert.True(dictionaryBytes > 100_000, $"the dictionary holds {dictionaryBytes} bytes");
        var counted = QueryContext.Dictionaries();
        long together = batches.Sum(b => QueryContext.SizeOf(b, counted));
        Assert.Equal(alone + 49 * (alone - dictionaryBytes), together);
        Assert.Equal(50 * alone, batches.Sum(b => QueryContext.SizeOf(b)));
    }
}
