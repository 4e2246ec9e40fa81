using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>
/// The cut as a property: for random queries (filters, projections, grouped and global aggregates of count, sum, min,
/// max and avg, top-k with offsets, sorts, LIMIT) over a dataset whose rows lie in random fragments (NULLs, empty
/// fragments after deletes), running each fragment's worker stage apart — in a random order of tasks, since workers
/// finish in any order — and the coordinator's stage over their batches in fragment order equals the embedded result.
/// </summary>
public sealed class StageSplitProperties
{
    public sealed record Case(int Seed, int Fragments, int Shape, int Filter, int K, int Offset);

    private static readonly Gen<Case> Cases =
        from seed in Gen.Choose(0, int.MaxValue)
        from fragments in Gen.Choose(1, 6)
        from shape in Gen.Choose(0, 7)
        from filter in Gen.Choose(0, 4)
        from k in Gen.Choose(1, 30)
        from offset in Gen.Elements(0, 0, 4)
        select new Case(seed, fragments, shape, filter, k, offset);

    private static string Sql(Case c)
    {
        string where = c.Filter switch { 1 => " WHERE n > 3", 2 => " WHERE g = 'b' OR n IS NULL", 3 => " WHERE id < 0", 4 => " WHERE x BETWEEN 10 AND 60", _ => "" };
        return c.Shape switch
        {
            0 => $"SELECT id, g, n * 2 AS m FROM t{where}",
            1 => $"SELECT g, count(*) AS c, count(n) AS cn, sum(n) AS s, min(x) AS lo, max(g) AS hi FROM t{where} GROUP BY g ORDER BY g",
            2 => $"SELECT count(*), sum(d), avg(n), avg(d), min(id) FROM t{where}",
            3 => $"SELECT id, x FROM t{where} ORDER BY x DESC, id LIMIT {c.K} OFFSET {c.Offset}",
            4 => $"SELECT n % 3 AS r, avg(x) AS a, count(*) AS c FROM t{where} GROUP BY n % 3 ORDER BY r",
            5 => $"SELECT id FROM t{where} ORDER BY n, id",
            6 => $"SELECT * FROM t{where} LIMIT {c.K}",
            _ => $"SELECT g, count(DISTINCT n) AS dn FROM t{where} GROUP BY g ORDER BY g",
        };
    }

    private static List<string> Show(IEnumerable<QueryLake.Columnar.RecordBatch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r => string.Join("|", b.Columns.Select(col => col.GetValue(r) switch
        {
            null => "NULL",
            double v => v.ToString("G12", CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        })))).ToList();

    [Fact]
    public void Fragments_run_apart_in_any_order_then_merged_equal_the_embedded_result()
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            using var s = QueryLakeSession.Open();
            var rng = new Random(c.Seed);
            s.Execute("CREATE DATASET t (id BIGINT, g VARCHAR, x DOUBLE, n BIGINT, d DECIMAL(10, 2))");
            int id = 0;
            for (int f = 0; f < c.Fragments; f++)
            {
                int rows = rng.Next(0, 60);
                if (rows == 0) continue;
                s.Execute("INSERT INTO t VALUES " + string.Join(", ", Enumerable.Range(0, rows).Select(_ =>
                    $"({id++}, {(rng.Next(6) == 0 ? "NULL" : $"'{"abc"[rng.Next(3)]}'")}, {(rng.Next(9) == 0 ? "NULL" : (rng.Next(0, 1000) / 10.0).ToString(CultureInfo.InvariantCulture))}, " +
                    $"{(rng.Next(5) == 0 ? "NULL" : rng.Next(-3, 10).ToString(CultureInfo.InvariantCulture))}, {rng.Next(-500, 500)}.{rng.Next(0, 100):D2})")));
            }
            if (id > 0 && rng.Next(3) == 0) s.Execute($"DELETE FROM t WHERE id < {rng.Next(0, id)}");
            var sql = Sql(c);
            var expected = Show(s.Query(sql).Materialize());
            var plan = s.PlanDistributed(sql);
            List<QueryLake.Columnar.RecordBatch>? stage = null;
            if (plan.Split is { } split)
            {
                // Tasks finish in any order; their batches are put back in fragment order.
                var order = plan.Fragments.Select((f, i) => (f, i)).OrderBy(_ => rng.Next()).ToList();
                var results = new List<QueryLake.Columnar.RecordBatch>[plan.Fragments.Count];
                foreach (var (f, i) in order) results[i] = s.RunStage(sql, plan.Pins, split.Dataset, new HashSet<long> { f }).Batches;
                stage = results.SelectMany(r => r).ToList();
            }
            Assert.Equal(expected, Show(s.FinishDistributed(plan, stage).Batches));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
