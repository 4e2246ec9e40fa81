using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>Hash joins equal nested loops. Random tables with NULL keys and many duplicate keys (a probe batch makes
/// many times more pairs than it has rows, so the pair buffers grow), joined inner, left, right and full, with and
/// without a residual condition: the count of pairs, of each side's non-NULL rows and the sums of both sides' values
/// equal the ones computed here row pair by row pair.</summary>
public sealed class JoinProperties
{
    private sealed record Row(long Id, long? Key, long V);

    private static List<Row> Rows(int n, long a, long b, int keys, int nullEvery, int mod) =>
        Enumerable.Range(0, n).Select(i => new Row(i, i % nullEvery == 0 ? null : (i * a + b) % keys, i % mod)).ToList();

    private static string Sql(int n, long a, long b, int keys, int nullEvery, int mod) =>
        $"SELECT range AS id, CASE WHEN range % {nullEvery} = 0 THEN NULL ELSE (range * {a} + {b}) % {keys} END AS key, range % {mod} AS v FROM range({n})";

    [Fact]
    public void Hash_joins_equal_nested_loops()
    {
        using var s = QueryLakeSession.Open();
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int keys = rng.Next(1, 40), ln = rng.Next(0, 4000), rn = rng.Next(0, 400);
            long la = rng.Next(1, 100), lb = rng.Next(0, 100), ra = rng.Next(1, 100), rb = rng.Next(0, 100);
            int lnull = rng.Next(2, 30), rnull = rng.Next(2, 30);
            var left = Rows(ln, la, lb, keys, lnull, 7);
            var right = Rows(rn, ra, rb, keys, rnull, 5);
            string kind = new[] { "INNER", "LEFT", "RIGHT", "FULL" }[rng.Next(4)];
            long? c = rng.Next(2) == 0 ? null : rng.Next(0, 10);
            bool Match(Row l, Row r) => l.Key is not null && l.Key == r.Key && (c is null || l.V + r.V > c);
            var pairs = new List<(Row? L, Row? R)>();
            foreach (var l in left)
            {
                bool hit = false;
                foreach (var r in right) if (Match(l, r)) { pairs.Add((l, r)); hit = true; }
                if (!hit && kind is "LEFT" or "FULL") pairs.Add((l, null));
            }
            if (kind is "RIGHT" or "FULL")
                foreach (var r in right) if (!left.Any(l => Match(l, r))) pairs.Add((null, r));
            string on = "l.key = r.key" + (c is null ? "" : $" AND l.v + r.v > {c}");
            var row = s.Query($"SELECT count(*), count(l.id), count(r.id), sum(l.v), sum(r.v) FROM ({Sql(ln, la, lb, keys, lnull, 7)}) l {kind} JOIN ({Sql(rn, ra, rb, keys, rnull, 5)}) r ON {on}").Rows().Single();
            long? Sum(IEnumerable<long> v) => v.Any() ? v.Sum() : null;
            var expected = new object?[] { (long)pairs.Count, (long)pairs.Count(p => p.L is not null), (long)pairs.Count(p => p.R is not null),
                Sum(pairs.Where(p => p.L is not null).Select(p => p.L!.V)), Sum(pairs.Where(p => p.R is not null).Select(p => p.R!.V)) };
            Assert.True(expected.SequenceEqual(row), $"seed {seed}: {kind} JOIN ON {on}, {ln} × {rn} rows, {keys} keys: expected {string.Join(", ", expected)}, got {string.Join(", ", row)}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    [Fact]
    public void Semi_and_anti_joins_equal_nested_loops_whichever_side_builds()
    {
        // Either input may be the larger: a semi or anti join builds its smaller side (the left one by marking, the
        // right one by probing), with or without a residual condition (checked on the key matches).
        using var s = QueryLakeSession.Open();
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int keys = rng.Next(1, 60), ln = rng.Next(0, 3000), rn = rng.Next(0, 3000);
            long la = rng.Next(1, 100), lb = rng.Next(0, 100), ra = rng.Next(1, 100), rb = rng.Next(0, 100);
            int lnull = rng.Next(2, 30), rnull = rng.Next(2, 30);
            var left = Rows(ln, la, lb, keys, lnull, 7);
            var right = Rows(rn, ra, rb, keys, rnull, 5);
            bool semi = rng.Next(2) == 0;
            long? c = rng.Next(3) == 0 ? rng.Next(0, 10) : null;
            bool Match(Row l, Row r) => l.Key is not null && l.Key == r.Key && (c is null || l.V + r.V > c);
            var kept = left.Where(l => right.Any(r => Match(l, r)) == semi).ToList();
            string on = "l.key = r.key" + (c is null ? "" : $" AND l.v + r.v > {c}");
            var row = s.Query($"SELECT count(*), sum(l.id), sum(l.v) FROM ({Sql(ln, la, lb, keys, lnull, 7)}) l {(semi ? "SEMI" : "ANTI")} JOIN ({Sql(rn, ra, rb, keys, rnull, 5)}) r ON {on}").Rows().Single();
            var expected = new object?[] { (long)kept.Count, kept.Count == 0 ? null : kept.Sum(k => k.Id), kept.Count == 0 ? null : kept.Sum(k => k.V) };
            Assert.True(expected.SequenceEqual(row), $"seed {seed}: {(semi ? "SEMI" : "ANTI")} JOIN ON {on}, {ln} × {rn} rows: expected {string.Join(", ", expected)}, got {string.Join(", ", row)}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
