using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Arrays;
using QueryLake.Sessions;
using QueryLake.Training;
using Xunit;

namespace QueryLake.Tests.Training;

/// <summary>The training loader, with FsCheck over sizes, batch sizes, worker counts, seeds, epochs and shuffle modes:
/// across all workers each sample appears exactly once per epoch; the same seed and epoch give the same order; another
/// epoch gives another order; batches have the asked size; appended samples mix in among the old.</summary>
public sealed class TrainingLoaderProperties
{
    public sealed record Case(int Rows, int BatchSize, int Workers, long Seed, int Epoch, ShuffleMode Mode, int Buffer);

    private static readonly Gen<Case> Cases =
        from rows in Gen.Choose(0, 2500)
        from batch in Gen.Choose(1, 300)
        from workers in Gen.Choose(1, 5)
        from seed in Gen.Choose(0, int.MaxValue)
        from epoch in Gen.Choose(0, 50)
        from mode in Gen.Elements(ShuffleMode.None, ShuffleMode.Full, ShuffleMode.Buffer)
        from buffer in Gen.Choose(1, 500)
        select new Case(rows, batch, workers, seed, epoch, mode, buffer);

    private static List<long> Epoch(QueryLakeSession s, Case c, int worker, int epoch) =>
        s.Load("SELECT id FROM t", new LoaderOptions { BatchSize = c.BatchSize, ShardCount = c.Workers, ShardIndex = worker, Seed = c.Seed, Epoch = epoch, Shuffle = c.Mode, BufferSize = c.Buffer, Prefetch = 2 })
            .SelectMany(b =>
            {
                Assert.True(b.Length <= c.BatchSize);
                var ids = (PrimitiveArray<long>)b.Columns[0];
                return Enumerable.Range(0, b.Length).Select(i => ids[i]);
            }).ToList();

    [Fact]
    public void Each_sample_once_per_epoch_across_workers_and_reproducible()
    {
        using var s = QueryLakeSession.Open();
        int made = -1;
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            if (made != c.Rows)
            {
                s.Execute("DROP DATASET IF EXISTS t");
                s.Execute("CREATE DATASET t (id BIGINT)");
                if (c.Rows > 0) s.Execute("INSERT INTO t VALUES " + string.Join(", ", Enumerable.Range(0, c.Rows).Select(i => $"({i})")));
                made = c.Rows;
            }
            var workers = Enumerable.Range(0, c.Workers).Select(w => Epoch(s, c, w, c.Epoch)).ToList();
            Assert.Equal(Enumerable.Range(0, c.Rows).Select(i => (long)i), workers.SelectMany(x => x).Order());
            Assert.True(workers.Max(w => w.Count) - workers.Min(w => w.Count) <= 1, "workers get equal shares");
            Assert.Equal(workers[0], Epoch(s, c, 0, c.Epoch));
            if ((c.Mode == ShuffleMode.Full || c.Mode == ShuffleMode.Buffer && c.Buffer >= 8) && workers[0].Count > 20) // a buffer of 1 does not shuffle
                Assert.NotEqual(workers[0], Epoch(s, c, 0, c.Epoch + 1));
            if (c.Mode == ShuffleMode.None) Assert.Equal(workers[0].Order(), workers[0]);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [Fact]
    public async Task New_samples_mix_in_and_async_enumeration_works()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t AS SELECT * FROM (VALUES (0)) v(id)");
        for (int i = 0; i < 11; i++) s.Execute("INSERT INTO t SELECT id + (SELECT count(*) FROM t) FROM t");
        s.Execute("INSERT INTO t SELECT id + 2048 FROM t"); // 2048 new samples appended
        var order = new List<long>();
        await foreach (var b in s.Load("SELECT id FROM t", new LoaderOptions { BatchSize = 100, Seed = 5 }).ReadAllAsync())
        {
            var ids = (PrimitiveArray<long>)b.Columns[0];
            for (int i = 0; i < b.Length; i++) order.Add(ids[i]);
        }
        Assert.Equal(4096, order.Count);
        // The first quarter of the epoch holds old and new samples alike.
        int newInFirstQuarter = order.Take(1024).Count(id => id >= 2048);
        Assert.InRange(newInFirstQuarter, 400, 624);
    }

    [Fact]
    public void Late_materialized_full_shuffle_equals_the_materialized_one()
    {
        // Several fragments, deleted rows, a filter and a computed projection: the loader fetches rows by id after
        // permuting the ids; with a LIMIT on top (no row access) it materializes the query. Both give the same batches.
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t AS SELECT range AS id, CAST(repeat('x', CAST(range % 50 AS INTEGER)) AS BLOB) AS payload FROM range(3000)");
        s.Execute("INSERT INTO t SELECT range + 3000, CAST('tail' AS BLOB) FROM range(1000)");
        s.Execute("DELETE FROM t WHERE id % 7 = 0");
        const string Query = "SELECT id, payload, id * 2 AS twice FROM t WHERE id % 3 <> 0";
        foreach (var (worker, workers) in new[] { (0, 1), (1, 3) })
        {
            var options = new LoaderOptions { BatchSize = 97, Seed = 42, Epoch = 3, ShardIndex = worker, ShardCount = workers };
            var late = s.Load(Query, options).ToList();
            var materialized = s.Load(Query + " LIMIT 1000000000", options).ToList();
            Assert.Equal(materialized.Select(b => b.Length), late.Select(b => b.Length));
            for (int i = 0; i < late.Count; i++)
                for (int c = 0; c < 3; c++)
                    for (int r = 0; r < late[i].Length; r++)
                        Assert.Equal(materialized[i].Columns[c].GetValue(r), late[i].Columns[c].GetValue(r));
        }
    }
}
