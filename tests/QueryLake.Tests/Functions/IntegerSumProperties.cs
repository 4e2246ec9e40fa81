using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>sum() of an int64 column is exact: blocks of values add as vectors whose lanes flag an overflow, a block
/// whose lanes overflowed adds row by row with the 128-bit carry, and a total outside int64 is an error. For random columns of up to
/// 40,000 rows (several blocks) made of a linear run of values with a few planted ones (small, just inside or outside
/// ±2^50, near the int64 extremes, NULL), the result equals the exact sum computed here; count(*), count(x), min(x)
/// and max(x) (whole-column vector paths without NULLs) equal theirs too, and so do sums grouped by the row number
/// modulo a few groups (per-group int64 running sums with the same overflow test).</summary>
public sealed class IntegerSumProperties
{
    [Fact]
    public void Int64_sums_are_exact()
    {
        using var s = QueryLakeSession.Open();
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int n = rng.Next(1, 40_000);
            long a = rng.Next(-1_000_000, 1_000_000), b = rng.NextInt64(-(1L << 40), 1L << 40);
            long? Planted() => rng.Next(6) switch
            {
                0 => rng.Next(-9, 10),
                1 => (1L << 50) - rng.Next(0, 2),
                2 => -(1L << 50) + rng.Next(0, 2),
                3 => long.MaxValue - rng.Next(0, 1000),
                4 => long.MinValue + rng.Next(0, 1000),
                _ => null,
            };
            var planted = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => (Row: rng.Next(n), Value: Planted())).GroupBy(p => p.Row).Select(g => g.First()).ToList();
            string Lit(long? v) => v is null ? "NULL" : v == long.MinValue ? "(-9223372036854775807 - 1)" : v.Value.ToString(CultureInfo.InvariantCulture);
            string x = planted.Count == 0 ? $"range * {a} + {Lit(b)}"
                : $"CASE {string.Join(" ", planted.Select(p => $"WHEN range = {p.Row} THEN {Lit(p.Value)}"))} ELSE range * {a} + {Lit(b)} END";
            Int128 expected = 0;
            var present = new List<long>();
            for (int i = 0; i < n; i++)
            {
                int hit = planted.FindIndex(q => q.Row == i);
                long? v = hit >= 0 ? planted[hit].Value : (long)i * a + b;
                if (v is { } value) { expected += value; present.Add(value); }
            }
            var counts = s.Query($"SELECT count(*), count(x), min(x), max(x) FROM (SELECT {x} AS x FROM range({n}))").Rows().Single();
            Assert.Equal((long)n, (long)counts[0]!);
            Assert.Equal((long)present.Count, (long)counts[1]!);
            Assert.Equal(present.Count == 0 ? null : present.Min(), (long?)counts[2]);
            Assert.Equal(present.Count == 0 ? null : present.Max(), (long?)counts[3]);
            var sql = $"SELECT sum({x}) FROM range({n})";
            if (expected > long.MaxValue || expected < long.MinValue)
            {
                var e = Assert.ThrowsAny<Exception>(() => s.Query(sql).Rows().ToList());
                Assert.Contains("overflow", e.Message);
            }
            else if (present.Count == 0) Assert.Null(s.Query(sql).Rows().Single()[0]);
            else Assert.Equal((long)expected, (long)s.Query(sql).Rows().Single()[0]!);
            // Grouped: each group's int64 running sum moves into its 128-bit total before it would overflow.
            int groups = rng.Next(1, 5);
            var exact = new Int128[groups];
            var seen = new bool[groups];
            for (int i = 0; i < n; i++)
            {
                int hit = planted.FindIndex(q => q.Row == i);
                long? v = hit >= 0 ? planted[hit].Value : (long)i * a + b;
                if (v is { } value) { exact[i % groups] += value; seen[i % groups] = true; }
            }
            var groupedSql = $"SELECT range % {groups} AS g, sum({x}), avg({x}) FROM range({n}) GROUP BY g ORDER BY g";
            if (exact.Any(e => e > long.MaxValue || e < long.MinValue))
                Assert.Contains("overflow", Assert.ThrowsAny<Exception>(() => s.Query(groupedSql).Rows().ToList()).Message);
            else
            {
                var rows = s.Query(groupedSql).Rows().ToList();
                foreach (var row in rows)
                {
                    int g = (int)(long)row[0]!;
                    Assert.Equal(seen[g] ? (long)exact[g] : null, (long?)row[1]);
                }
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), property);
    }
}
