using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;
using static QueryLake.Tests.Planning.Optimizer.RuleToggle;

namespace QueryLake.Tests.Planning.Optimizer;

/// <summary>runtime_join_filters: a selective inner or semi join publishes the values of its build keys, and the lowest
/// join below it that reads the key column on its left side drops the rows that cannot match before probing; the rows
/// are those of the plan without it, for integer keys (exact bitmap, and a Bloom filter when their range is wide), text
/// keys, NULL keys, and outer, semi and anti joins in between.</summary>
public sealed class RuntimeJoinFilterTests
{
    [Fact]
    public void The_join_above_publishes_and_the_join_below_applies_its_filter()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET items AS SELECT range AS id, range % 5000 AS o, range % 2000 AS p, range AS v FROM range(50000)");
        s.Execute("CREATE DATASET orders AS SELECT range AS o, range % 7 AS day FROM range(5000)");
        s.Execute("CREATE DATASET parts AS SELECT range AS p, range % 10 AS brand FROM range(2000)");
        const string sql = "SELECT count(*), sum(v) FROM items, orders, parts WHERE items.o = orders.o AND items.p = parts.p AND day = 3 AND brand = 4";
        var plan = Explain(s, sql, estimates: false);
        Assert.Contains("publishes [f0]", plan);
        Assert.Contains("applies [f0 to o]", plan);
        Assert.DoesNotContain("publishes", Explain(s, sql, estimates: false, "runtime_join_filters"));
        var expected = Rows(s, sql, "runtime_join_filters");
        Assert.Equal(expected.Single()[0], (long)Enumerable.Range(0, 50000).Count(i => i % 5000 % 7 == 3 && i % 2000 % 10 == 4));
        Assert.Equal(Sorted(expected), Sorted(Rows(s, sql)));
    }

    public sealed record Case(int Facts, int Keys, int Spread, int KeyType, int Shape, int NullEvery, int Seed);

    private static readonly Gen<Case> Cases =
        from facts in Gen.Choose(50, 3000)
        from keys in Gen.Choose(2, 200)
        from spread in Gen.Choose(0, 2)
        from keyType in Gen.Choose(0, 1)
        from shape in Gen.Choose(0, 5)
        from nullEvery in Gen.Choose(3, 40)
        from seed in Gen.Choose(0, 1000)
        select new Case(facts, keys, spread, keyType, shape, nullEvery, seed);

    [Fact]
    public void Results_are_the_same_with_the_rule_on_and_off()
    {
        using var s = QueryLakeSession.Open();
        int round = 0, applied = 0;
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            round++;
            string f = $"f{round}", a = $"a{round}", b = $"b{round}";
            // Key values: dense, spread over a wide range (the Bloom filter for integers), or text.
            string Key(string x) => c.KeyType == 1 ? $"'k' || CAST({x} AS VARCHAR)" : c.Spread switch
            {
                0 => x,
                1 => $"{x} * 1000003",
                _ => $"{x} * 1000000007 - 4611686018427387904",
            };
            string Nullable(string x) => $"CASE WHEN range % {c.NullEvery} = 0 THEN NULL ELSE {Key(x)} END";
            s.Execute($"CREATE DATASET {f} AS SELECT range AS id, {Nullable($"(range * 7 + {c.Seed}) % {c.Keys}")} AS ka, {Nullable($"(range * 13 + {c.Seed}) % {c.Keys}")} AS kb, range % 17 AS v FROM range({c.Facts})");
            s.Execute($"CREATE DATASET {a} AS SELECT {Nullable("range")} AS ka, range % 5 AS x FROM range({c.Keys})");
            s.Execute($"CREATE DATASET {b} AS SELECT {Key("range")} AS kb, range % 4 AS y FROM range({c.Keys})");
            var sql = c.Shape switch
            {
                0 => $"SELECT {f}.id, {f}.v, x, y FROM {f}, {a}, {b} WHERE {f}.ka = {a}.ka AND {f}.kb = {b}.kb AND x = 1 AND y = 2",
                1 => $"SELECT {f}.id, x FROM {f} JOIN {a} ON {f}.ka = {a}.ka WHERE x = 0 AND {f}.kb IN (SELECT kb FROM {b} WHERE y = 3)",
                2 => $"SELECT {f}.id, x, y FROM ({f} LEFT JOIN {a} ON {f}.ka = {a}.ka) JOIN {b} ON {f}.kb = {b}.kb WHERE y = 1",
                3 => $"SELECT {f}.id, y FROM {f} JOIN {b} ON {f}.kb = {b}.kb WHERE y = 0 AND NOT EXISTS (SELECT 1 FROM {a} WHERE {a}.ka = {f}.ka AND x = 4)",
                4 => $"SELECT count(*), sum({f}.v) FROM {f}, {a} a1, {b}, {a} a2 WHERE {f}.ka = a1.ka AND {f}.kb = {b}.kb AND a1.x = a2.x AND a2.ka = {f}.ka AND {b}.y = 1",
                _ => $"SELECT {f}.v, count(*) FROM {f} JOIN {a} ON {f}.ka = {a}.ka JOIN {b} ON {f}.kb = {b}.kb WHERE x < 2 AND y = 3 GROUP BY {f}.v",
            };
            if (Explain(s, sql, estimates: false).Contains("applies")) applied++;
            var expected = Sorted(Rows(s, sql, "runtime_join_filters"));
            Assert.Equal(expected, Sorted(Rows(s, sql)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), property);
        // Random shapes: the rule applies to about a third of them (16 of 60 in the unluckiest run seen); 12 of 80 is a
        // floor chance does not miss that still shows the property tested the rule.
        Assert.True(applied >= 12, $"the rule applied in {applied} of {round} cases");
    }
}
