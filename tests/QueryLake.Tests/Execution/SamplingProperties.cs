using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>Sampling invariants, checked with FsCheck over random data, strata, sizes and seeds: the same seed gives
/// the same rows; samples are subsets; n ROWS gives min(n, N) rows, per stratum with PER; PERCENT gives round(p·N)
/// rows split by largest remainder over strata; WHERE after SAMPLE filters the sample, not the input.</summary>
public sealed class SamplingProperties
{
    public sealed record Case(int Rows, int Strata, int N, int Percent, long Seed);

    private static readonly Gen<Case> Cases =
        from rows in Gen.Choose(0, 3000)
        from strata in Gen.Choose(1, 12)
        from n in Gen.Choose(0, 400)
        from p in Gen.Choose(0, 100)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Case(rows, strata, n, p, seed * 7919L);

    private static List<long> Ids(QueryLakeSession s, string sql) => s.Query(sql).Rows().Select(r => (long)r[0]!).ToList();

    [Fact]
    public void Samples_are_reproducible_subsets_of_the_right_size()
    {
        using var session = QueryLakeSession.Open();
        int made = -1;
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            if (made != c.Rows * 100 + c.Strata)
            {
                session.Execute("DROP DATASET IF EXISTS t");
                session.Execute("CREATE DATASET t (id BIGINT, k BIGINT, w DOUBLE)");
                if (c.Rows > 0)
                    session.Execute("INSERT INTO t VALUES " + string.Join(", ", Enumerable.Range(0, c.Rows).Select(i => $"({i}, {(i * 7 + i / 3) % c.Strata}, {i % 5})")));
                made = c.Rows * 100 + c.Strata;
            }
            var all = Enumerable.Range(0, c.Rows).Select(i => (long)i).ToHashSet();
            var sizes = Enumerable.Range(0, c.Strata).ToDictionary(k => (long)k, k => Enumerable.Range(0, c.Rows).Count(i => (i * 7 + i / 3) % c.Strata == k));

            var rows = Ids(session, $"SELECT id FROM t SAMPLE {c.N} ROWS SEED {c.Seed}");
            Assert.Equal(rows, Ids(session, $"SELECT id FROM t SAMPLE {c.N} ROWS SEED {c.Seed}"));
            Assert.Equal(Math.Min(c.N, c.Rows), rows.Count);
            Assert.True(rows.All(all.Contains) && rows.Distinct().Count() == rows.Count);
            Assert.Equal(rows.Order(), rows); // input order

            var per = session.Query($"SELECT k, count(*) FROM t SAMPLE {c.N} ROWS PER k SEED {c.Seed} GROUP BY k").Rows().ToDictionary(r => (long)r[0]!, r => (long)r[1]!);
            foreach (var (k, size) in sizes.Where(x => x.Value > 0)) Assert.Equal(Math.Min(c.N, size), per.GetValueOrDefault(k));

            var strat = session.Query($"SELECT k, count(*) FROM t SAMPLE {c.Percent} PERCENT STRATIFY BY k SEED {c.Seed} GROUP BY k").Rows().ToDictionary(r => (long)r[0]!, r => (long)r[1]!);
            Assert.Equal((long)Math.Round(c.Percent / 100.0 * c.Rows, MidpointRounding.AwayFromZero), strat.Values.Sum());
            foreach (var (k, size) in sizes)
            {
                double exact = c.Percent / 100.0 * size;
                long got = strat.GetValueOrDefault(k);
                Assert.True(got == (long)Math.Floor(exact) || got == (long)Math.Ceiling(exact), $"stratum {k} of {size} rows at {c.Percent}% got {got}");
            }

            var filtered = Ids(session, $"SELECT id FROM t SAMPLE {c.N} ROWS SEED {c.Seed} WHERE w >= 2");
            Assert.Equal(rows.Where(id => id % 5 >= 2), filtered);

            var bernoulli = Ids(session, $"SELECT id FROM t TABLESAMPLE BERNOULLI ({c.Percent} PERCENT) REPEATABLE ({c.Seed})");
            Assert.Equal(bernoulli, Ids(session, $"SELECT id FROM t TABLESAMPLE BERNOULLI ({c.Percent} PERCENT) REPEATABLE ({c.Seed})"));
            Assert.True(bernoulli.All(all.Contains));
            double sigma = Math.Sqrt(c.Rows * c.Percent / 100.0 * (1 - c.Percent / 100.0));
            Assert.True(Math.Abs(bernoulli.Count - c.Rows * c.Percent / 100.0) <= 6 * sigma + 1, $"BERNOULLI {c.Percent}% of {c.Rows} kept {bernoulli.Count}");

            var weighted = Ids(session, $"SELECT id FROM t SAMPLE {c.N} ROWS WEIGHTED BY w SEED {c.Seed}");
            Assert.Equal(Math.Min(c.N, c.Rows - c.Rows / 5 - (c.Rows % 5 > 0 ? 1 : 0)), weighted.Count); // rows of weight 0 are never drawn
            Assert.True(weighted.All(id => id % 5 != 0));
            var replaced = Ids(session, $"SELECT id FROM t SAMPLE {c.N} ROWS WEIGHTED BY w WITH REPLACEMENT SEED {c.Seed}");
            Assert.Equal(c.Rows > 1 ? c.N : 0, replaced.Count);
            Assert.True(replaced.All(id => id % 5 != 0));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [Fact]
    public void Seeds_change_the_sample_and_weights_bias_it()
    {
        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET t AS SELECT * FROM (VALUES (0)) v(x)");
        for (int i = 0; i < 12; i++) session.Execute("INSERT INTO t SELECT x + (SELECT count(*) FROM t) FROM t");
        var a = Ids(session, "SELECT x FROM t SAMPLE 100 ROWS SEED 1");
        var b = Ids(session, "SELECT x FROM t SAMPLE 100 ROWS SEED 2");
        Assert.True(a.Intersect(b).Count() < 20, "two seeds drew nearly the same rows");
        // Weight by x: the weighted mean of a sample lies well above the plain mean (2047.5).
        var mean = (double)session.Query("SELECT avg(x) FROM t SAMPLE 500 ROWS WEIGHTED BY x SEED 9").Rows().Single()[0]!;
        Assert.True(mean > 2400, $"weighted sample mean {mean}");
    }
}
