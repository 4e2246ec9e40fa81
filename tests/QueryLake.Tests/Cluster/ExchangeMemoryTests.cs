using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Execution;
using QueryLake.Execution.Distributed;
using QueryLake.Sessions;
using QueryLake.Storage.Stores;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>The exchange under <c>memory_limit</c>: a task's partition buffers never hold more than the limit (the
/// largest is written out early), every row comes back exactly once, and nothing stays counted; the rows a task
/// returns and the rows the coordinator gathers count too, and past the limit the query fails with QL-OUT-OF-MEMORY
/// instead of holding them.</summary>
public sealed class ExchangeMemoryTests
{
    private static readonly Schema Rows = new([new Field("k", DataType.Int64), new Field("text", DataType.Utf8)]);

    private static RecordBatch Batch(int start, int n) => new(Rows,
    [
        ArrayBuilder.Build(DataType.Int64, Enumerable.Range(start, n).Select(i => (object?)(long)i).ToList()),
        ArrayBuilder.Build(DataType.Utf8, Enumerable.Range(start, n).Select(i => (object?)new string((char)('a' + i % 26), 100 + i % 50)).ToList()),
    ], n);

    [Theory]
    [InlineData(256L << 10, 8)]
    [InlineData(1L << 20, 16)]
    [InlineData(null, 8)]
    public void Partition_buffers_stay_under_the_memory_limit_and_every_row_comes_back_once(long? limit, int partitions)
    {
        using var dir = new TempDir();
        using var storage = new LakeStorage(dir.Path, new LocalStore(dir.Path));
        using var ctx = new QueryContext(default, memoryLimit: limit);
        long most = 0;
        // 40,000 rows of about 150 bytes: 6 MB, many times either limit.
        IEnumerable<RecordBatch> Input()
        {
            for (int b = 0; b < 40; b++)
            {
                most = Math.Max(most, ctx.Reserved);
                yield return Batch(b * 1000, 1000);
            }
        }
        var key = new QueryLake.Planning.Expressions.ColumnRef(0, "k", DataType.Int64);
        var (files, rows, bytes) = PartitionWriter.Write(storage, "_exchange/test", Rows, Input(), [key], partitions, ctx);
        Assert.Equal(40_000, rows);
        Assert.True(bytes > 5_000_000, $"{bytes} bytes");
        Assert.Equal(0, ctx.Reserved);
        if (limit is { } l)
        {
            Assert.True(most <= l, $"the buffers held {most} bytes under a limit of {l}");
            // Written out early: more files than partitions.
            Assert.True(files.Sum(f => f.Length) > partitions, $"{files.Sum(f => f.Length)} files");
        }
        else Assert.Equal(partitions, files.Sum(f => f.Length));
        // Each key in exactly one partition, and the one its hash names.
        var seen = new List<long>();
        for (int p = 0; p < partitions; p++)
            foreach (var b in PartitionWriter.Read(storage, files[p], ctx))
            {
                var ks = Enumerable.Range(0, b.Length).Select(r => (long)b.Columns[0].GetValue(r)!).ToList();
                var of = PartitionWriter.Of([b.Columns[0]], b.Length, partitions);
                Assert.All(of, x => Assert.Equal(p, x));
                for (int r = 0; r < b.Length; r++) Assert.Equal(new string((char)('a' + ks[r] % 26), (int)(100 + ks[r] % 50)), b.Columns[1].GetValue(r));
                seen.AddRange(ks);
            }
        Assert.Equal(Enumerable.Range(0, 40_000).Select(i => (long)i), seen.Order());
        Assert.Equal(0, ctx.Reserved);
    }

    [Fact]
    public void Gathered_rows_past_the_memory_limit_fail_the_query_with_QL_OUT_OF_MEMORY()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        s.Execute("CREATE DATASET t (id BIGINT, pad VARCHAR)");
        for (int f = 0; f < 3; f++) s.Execute($"INSERT INTO t SELECT range + {f * 20000}, repeat('x', 200) FROM range(20000)");
        const string sql = "SELECT id, pad FROM t WHERE id % 2 = 0";
        // Under a limit the rows fit in, the distributed result is the embedded one.
        var roomy = new DistributedSettings(64L << 20, DistributedSettings.DefaultBroadcastRows, DistributedSettings.DefaultGatherGroups);
        var (_, batches, _, _) = InProcessStages.Run(s, sql, settings: roomy);
        Assert.Equal(30_000, batches.Sum(b => b.Length));
        // Each task returns 10,000 rows of 200 bytes (2 MB): past a 1 MiB limit.
        var tight = new DistributedSettings(1L << 20, DistributedSettings.DefaultBroadcastRows, DistributedSettings.DefaultGatherGroups);
        var e = Assert.Throws<QueryLakeException>(() => InProcessStages.Run(s, sql, settings: tight));
        Assert.Equal("QL-OUT-OF-MEMORY", e.Code);
        Assert.Contains("the rows a task returns to the coordinator", e.Message);
        Assert.Contains("1.0 MiB", e.Message);
    }
}
