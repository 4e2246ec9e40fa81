using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Memory;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>A filter's intermediate results live in scratch buffers that go back to the pool when the filter has
/// produced its row numbers (<see cref="ScratchScope"/>). Tests run with returned buffers overwritten, so a buffer
/// shared by two live intermediates, or read after its scope closed, shows as a wrong row. For filters over up to
/// 200,000 rows (batches whose int64 intermediates are pooled) that combine arithmetic, CASE, casts, IN lists, text
/// functions and a correlated subquery, the kept rows' count and sum equal the ones computed here.</summary>
public sealed class ScratchScopeProperties
{
    private static readonly (string Sql, Func<long, long, long, bool> Keeps)[] Filters =
    [
        ("(range * {a} + {b}) % {m} = {k}", (x, a, b) => (x * a + b) % 13 == a % 13),
        ("(range % {m}) + (range % 7) * 3 > {k} AND range // 3 <> {b}", (x, a, b) => x % 13 + x % 7 * 3 > a % 13 && x / 3 != b),
        ("CASE WHEN range % 5 = 0 THEN range * 2 ELSE -range END > {b} OR CAST(range AS DOUBLE) / 4.0 < {a}", (x, a, b) => (x % 5 == 0 ? x * 2 : -x) > b || x / 4.0 < a),
        ("range % {m} IN (1, 4, 9) AND length(CAST(range AS TEXT)) = 5", (x, a, b) => (x % 13 is 1 or 4 or 9) && x.ToString(System.Globalization.CultureInfo.InvariantCulture).Length == 5),
        ("range % 97 = (SELECT max(r) FROM (SELECT range % 97 AS r FROM range({a})) WHERE r <= range % 97 AND r % 2 = 0)", (x, a, b) => x % 97 % 2 == 0 && x % 97 < a),
    ];

    [Fact]
    public void Filters_with_pooled_intermediates_keep_the_right_rows()
    {
        using var s = QueryLakeSession.Open();
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int f = rng.Next(Filters.Length);
            // The correlated filter runs its subquery once per distinct outer value (every row here): it gets up to
            // two batches, the others up to four.
            int n = rng.Next(1, f == 4 ? 100_000 : 200_000);
            // The correlated filter's subquery reads range(a): keep its table small.
            long a = f == 4 ? rng.Next(1, 60) : rng.Next(1, 1000), b = rng.Next(0, 50_000);
            string sql = Filters[f].Sql.Replace("{a}", a.ToString()).Replace("{b}", b.ToString()).Replace("{m}", "13").Replace("{k}", (a % 13).ToString());
            long count = 0, sum = 0;
            for (long x = 0; x < n; x++)
                if (Filters[f].Keeps(x, a, b)) { count++; sum += x; }
            var row = s.Query($"SELECT count(*), sum(range) FROM range({n}) WHERE {sql}").Rows().Single();
            Assert.True(count == (long)row[0]! && (count == 0 ? row[1] is null : sum == (long)row[1]!), $"seed {seed}: {sql} over {n} rows: expected {count}, {sum}, got {row[0]}, {row[1]}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    [Fact]
    public void A_scope_lends_large_buffers_until_it_closes()
    {
        Memory<byte> large, small;
        using (var outer = ScratchScope.Open())
        {
            using (var inner = ScratchScope.Open())
            {
                large = AlignedMemory.Allocate(BufferPool.MinimumLength + 100);
                small = AlignedMemory.Allocate(1_000);
                large.Span.Fill(7);
                small.Span.Fill(7);
                Assert.Same(inner, ScratchScope.Current);
                Assert.Throws<InvalidOperationException>(() => outer.Dispose());
            }
            Assert.Same(outer, ScratchScope.Current);
            // The large buffer went back to the pool (and was overwritten); the small one is the collector's.
            Assert.DoesNotContain(large.Span.ToArray(), b => b == 7);
            Assert.All(small.Span.ToArray(), b => Assert.Equal(7, b));
        }
        Assert.Null(ScratchScope.Current);
    }
}
