using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>
/// The stages as a property: for random queries (filters, projections, grouped and global aggregates of count, sum,
/// min, max and avg, top-k with offsets, sorts, LIMIT, self-joins inner and left, on keys with NULLs, windows) over a dataset
/// whose rows lie in random fragments (NULLs, empty fragments after deletes), running every task apart — with 1 to 4
/// partitions per exchange, and some tasks run twice, as a retry after a failed silo — and the coordinator's plan over
/// what they gathered equals the embedded result.
/// </summary>
public sealed class StageSplitProperties
{
    public sealed record Case(int Seed, int Fragments, int Shape, int Filter, int K, int Offset);

    private static readonly Gen<Case> Cases =
        from seed in Gen.Choose(0, int.MaxValue)
        from fragments in Gen.Choose(1, 6)
        from shape in Gen.Choose(0, 10)
        from filter in Gen.Choose(0, 4)
        from k in Gen.Choose(1, 30)
        from offset in Gen.Elements(0, 0, 4)
        select new Case(seed, fragments, shape, filter, k, offset);

    private static string Sql(Case c)
    {
        string Where(string t) => c.Filter switch { 1 => $" WHERE {t}n > 3", 2 => $" WHERE {t}g = 'b' OR {t}n IS NULL", 3 => $" WHERE {t}id < 0", 4 => $" WHERE {t}x BETWEEN 10 AND 60", _ => "" };
        string where = Where("");
        return c.Shape switch
        {
            0 => $"SELECT id, g, n * 2 AS m FROM t{where}",
            1 => $"SELECT g, count(*) AS c, count(n) AS cn, sum(n) AS s, min(x) AS lo, max(g) AS hi FROM t{where} GROUP BY g ORDER BY g",
            2 => $"SELECT count(*), sum(d), avg(n), avg(d), min(id) FROM t{where}",
            3 => $"SELECT id, x FROM t{where} ORDER BY x DESC, id LIMIT {c.K} OFFSET {c.Offset}",
            4 => $"SELECT n % 3 AS r, avg(x) AS a, count(*) AS c FROM t{where} GROUP BY n % 3 ORDER BY r",
            5 => $"SELECT id FROM t{where} ORDER BY n, id",
            6 => $"SELECT * FROM t{where} LIMIT {c.K}",
            7 => $"SELECT g, count(DISTINCT n) AS dn FROM t{where} GROUP BY g ORDER BY g",
            8 => $"SELECT t.id, u.id AS other, u.g FROM t JOIN t AS u ON t.n = u.n AND t.g = u.g{Where("t.")}",
            10 => $"SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY x, id) AS r, sum(n) OVER (PARTITION BY g, n % 2) AS s, lag(d) OVER (PARTITION BY g ORDER BY id) AS p FROM t{where} ORDER BY id",
            _ => $"SELECT t.g, count(u.id) AS c, sum(u.n) AS s FROM t LEFT JOIN t AS u ON t.n = u.n + 1{Where("t.")} GROUP BY t.g ORDER BY t.g",
        };
    }

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
            var expected = InProcessStages.Show(s.Query(sql).Materialize());
            // The thresholds of the cut at their defaults, or at 0 (every join side and grouped aggregate partitioned);
            // join filters on or off.
            var settings = c.Seed % 3 == 0 ? null : new QueryLake.Execution.Distributed.DistributedSettings(null, c.Seed % 3 == 1 ? 0 : 100_000, c.Seed % 2 == 0 ? 0 : 50_000, c.Seed % 5 != 0);
            var actual = InProcessStages.Show(InProcessStages.Run(s, sql, 1 + c.Seed % 4, rng, settings).Batches);
            // Without ORDER BY (shape 0, and 6's LIMIT over all rows when it takes them all), rows come in any order.
            if (c.Shape is 0 or 8) { expected.Sort(StringComparer.Ordinal); actual.Sort(StringComparer.Ordinal); }
            if (c.Shape == 6) Assert.Equal(Math.Min(expected.Count, c.K), actual.Count);
            else Assert.Equal(expected, actual);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
