using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using QueryLake.Columnar.Statistics;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>The HyperLogLog sketches data files keep per column: estimates within their error, merging equals
/// sketching the union, a serialized sketch reads back whole and a damaged one is ignored, and the planner's join
/// estimates use them.</summary>
public sealed class DistinctSketchProperties
{
    [Fact]
    public void Estimates_stay_within_the_error_and_merging_is_the_union()
    {
        var sizes = Gen.Choose(0, 60_000).Two().Select(t => (t.Item1, t.Item2));
        var property = Prop.ForAll(sizes.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (size, seed) =>
        {
            var (n, m) = size;
            var random = new Random(seed);
            var a = new HyperLogLog();
            var b = new HyperLogLog();
            var union = new HyperLogLog();
            var distinctA = new HashSet<long>();
            var all = new HashSet<long>();
            for (int i = 0; i < n; i++) { long v = random.NextInt64(0, 2L * n + 1); a.Add(HyperLogLog.Hash(v)); union.Add(HyperLogLog.Hash(v)); distinctA.Add(v); all.Add(v); }
            for (int i = 0; i < m; i++) { long v = random.NextInt64(0, 2L * n + m + 1); b.Add(HyperLogLog.Hash(v)); union.Add(HyperLogLog.Hash(v)); all.Add(v); }
            Assert.InRange(a.Estimate(), distinctA.Count - Math.Max(3, 0.15 * distinctA.Count), distinctA.Count + Math.Max(3, 0.15 * distinctA.Count));
            a.Merge(b);
            Assert.Equal(union.Serialize(), a.Serialize());
            Assert.InRange(a.Estimate(), all.Count - Math.Max(3, 0.15 * all.Count), all.Count + Math.Max(3, 0.15 * all.Count));
            Assert.Equal(a.Serialize(), HyperLogLog.Deserialize(a.Serialize())!.Serialize());
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
        Assert.Null(HyperLogLog.Deserialize("not base64"));
        Assert.Null(HyperLogLog.Deserialize(Convert.ToBase64String(new byte[1024].Select(_ => (byte)200).ToArray())));
        Assert.Equal(HyperLogLog.Hash(5), HyperLogLog.Hash(5L));
    }

    [Fact]
    public void Join_estimates_use_the_sketches_lake_files_keep()
    {
        using var s = QueryLakeSession.Open();
        // Ten distinct text keys on each side: a key join would keep 1,000 rows, the sketches say 100,000.
        s.Execute("CREATE DATASET a AS SELECT 'k' || (range % 10) AS k, range AS x FROM range(1000)");
        s.Execute("CREATE DATASET b AS SELECT 'k' || (range % 10) AS k, range AS y FROM range(1000)");
        var plan = (string)s.Query("EXPLAIN SELECT count(*) FROM a, b WHERE a.k = b.k").Rows().Single()[0]!;
        var estimate = long.Parse(System.Text.RegularExpressions.Regex.Match(plan, @"Join: inner on .*\(estimated=(\d+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(estimate, 80_000, 125_000);
        Assert.Equal(100_000L, s.Query("SELECT count(*) FROM a, b WHERE a.k = b.k").Rows().Single()[0]);
        var approx = (long)s.Query("SELECT approx_count_distinct(x % 700) FROM a").Rows().Single()[0]!;
        Assert.InRange(approx, 650, 750);
    }
}
