using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution.Operators.HashJoin;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>The hash join's table finds, for every probe key, exactly the build rows with an equal key, in build order,
/// whichever layout it picks for one integer key: dense keys looked up by key − min, sparse ones in open-addressing
/// slots behind a bitmap of the keys present, keys spread over the whole int64 range (extremes included) without the
/// bitmap; and the hash-chain layout for two key columns. NULL keys never match.</summary>
public sealed class JoinTableProperties
{
    [Fact]
    public void Every_layout_finds_the_rows_with_an_equal_key_in_build_order()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int n = rng.Next(0, 3000);
            // dense (direct array), sparse (bitmap + slots), spread (slots only), near the int64 extremes
            int layout = rng.Next(4);
            long Key() => layout switch
            {
                0 => rng.Next(-5, Math.Max(1, n / 2)),
                1 => rng.NextInt64(0, 60L * Math.Max(1, n)),
                2 => rng.NextInt64(long.MinValue, long.MaxValue),
                _ => rng.Next(2) == 0 ? long.MinValue + rng.Next(0, 50) : long.MaxValue - rng.Next(0, 50),
            };
            var build = Enumerable.Range(0, n).Select(_ => rng.Next(12) == 0 ? (long?)null : Key()).ToList();
            // duplicates: some rows repeat an earlier key
            for (int i = 1; i < n; i++) if (rng.Next(5) == 0) build[i] = build[rng.Next(i)];
            var probe = Enumerable.Range(0, rng.Next(0, 2000)).Select(_ => rng.Next(10) == 0 ? (long?)null
                : rng.Next(2) == 0 && n > 0 ? build[rng.Next(n)] : Key()).ToList();
            bool narrow = rng.Next(3) == 0 && layout < 2; // int32 keys (dates) take the same paths
            DataType type = narrow ? DataType.Int32 : DataType.Int64;
            object? Box(long? v) => v is null ? null : narrow ? (object)(int)v.Value : v.Value;
            var table = new JoinTable([ArrayBuilder.Build(type, build.Select(Box))], n);
            var prober = table.Probe([ArrayBuilder.Build(type, probe.Select(Box))], probe.Count);
            for (int r = 0; r < probe.Count; r++)
            {
                var found = new List<int>();
                for (int m = prober.First(r); m >= 0; m = prober.Next(m, r)) found.Add(m);
                var expected = probe[r] is null ? [] : Enumerable.Range(0, n).Where(m => build[m] == probe[r]).ToList();
                Assert.True(expected.SequenceEqual(found), $"seed {seed}, layout {layout}, key {probe[r]}: expected rows [{string.Join(", ", expected)}], found [{string.Join(", ", found)}]");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), property);
    }

    [Fact]
    public void Two_key_columns_find_the_rows_equal_on_both()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int n = rng.Next(0, 1500);
            (long? A, string? B) Key() => (rng.Next(15) == 0 ? null : rng.Next(0, 30), rng.Next(15) == 0 ? null : "k" + rng.Next(0, 20));
            var build = Enumerable.Range(0, n).Select(_ => Key()).ToList();
            var probe = Enumerable.Range(0, rng.Next(0, 800)).Select(_ => Key()).ToList();
            var table = new JoinTable([ArrayBuilder.Build(DataType.Int64, build.Select(k => (object?)k.A)), ArrayBuilder.Build(DataType.Utf8, build.Select(k => (object?)k.B))], n);
            var prober = table.Probe([ArrayBuilder.Build(DataType.Int64, probe.Select(k => (object?)k.A)), ArrayBuilder.Build(DataType.Utf8, probe.Select(k => (object?)k.B))], probe.Count);
            for (int r = 0; r < probe.Count; r++)
            {
                var found = new List<int>();
                for (int m = prober.First(r); m >= 0; m = prober.Next(m, r)) found.Add(m);
                var p = probe[r];
                var expected = p.A is null || p.B is null ? [] : Enumerable.Range(0, n).Where(m => build[m].A == p.A && build[m].B == p.B).ToList();
                Assert.True(expected.SequenceEqual(found), $"seed {seed}, key ({p.A}, {p.B}): expected [{string.Join(", ", expected)}], found [{string.Join(", ", found)}]");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
