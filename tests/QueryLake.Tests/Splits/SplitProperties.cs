using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Splits;

/// <summary>The split invariants, with FsCheck over random data, groups, strata, proportions and seeds: (a) parts are
/// disjoint and cover the input; (b) a group never straddles two parts; (c) proportions hold within rounding per
/// stratum; (d) after appending and REFRESH SPLIT every old unit stays on its side; (e) the same seed gives the same
/// split in another lake. And leakage is impossible: no group key of the holdout appears in train.</summary>
public sealed class SplitProperties
{
    public sealed record Case(int Rows, int Groups, int Strata, int TrainPercent, int ValPercent, long Seed, bool Grouped, bool Stratified, int Appended);

    private static readonly Gen<Case> Cases =
        from rows in Gen.Choose(1, 600)
        from groups in Gen.Choose(1, 150)
        from strata in Gen.Choose(1, 5)
        from train in Gen.Choose(1, 98)
        from val in Gen.Choose(0, 99 - train)
        from seed in Gen.Choose(0, int.MaxValue)
        from grouped in Gen.Elements(false, true)
        from stratified in Gen.Elements(false, true)
        from appended in Gen.Choose(0, 200)
        select new Case(rows, groups, strata, train, val, seed, grouped, stratified, appended);

    private static string Values(int from, int count, Case c) =>
        string.Join(", ", Enumerable.Range(from, count).Select(i => $"({i}, 'g{(i * 31 + 7) % c.Groups}', {(i * 31 + 7) % c.Groups % c.Strata})"));

    private static Dictionary<long, string> Parts(QueryLakeSession s, string split, IEnumerable<string> parts)
    {
        var where = new Dictionary<long, string>();
        foreach (var p in parts)
            foreach (var r in s.Query($"SELECT id FROM {split}.{p}").Rows())
            {
                Assert.True(where.TryAdd((long)r[0]!, p), $"row {r[0]} is in {where.GetValueOrDefault((long)r[0]!)} and {p}");
            }
        return where;
    }

    [Fact]
    public void Splits_are_disjoint_grouped_proportional_stable_and_reproducible()
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            using var lake = new TempDir();
            using var s = QueryLakeSession.Open(lake.Path);
            s.Execute("CREATE DATASET rows (id BIGINT, g VARCHAR, k BIGINT)");
            s.Execute("INSERT INTO rows VALUES " + Values(0, c.Rows, c));
            var parts = new List<(string Name, int Percent)> { ("train", c.TrainPercent) };
            if (c.ValPercent > 0) parts.Add(("val", c.ValPercent));
            parts.Add(("test", 100 - c.TrainPercent - c.ValPercent));
            string Create(string name) =>
                $"CREATE SPLIT {name} FROM (SELECT * FROM rows) INTO {string.Join(", ", parts.Select(p => $"{p.Name} {p.Percent} PERCENT"))}"
                + (c.Stratified ? " STRATIFY BY k" : "") + (c.Grouped ? " GROUP BY g" : "") + $" SEED {c.Seed}";
            s.Execute(Create("s1"));
            var where = Parts(s, "s1", parts.Select(p => p.Name));
            // (a) disjoint (checked while collecting) and covering.
            Assert.Equal(Enumerable.Range(0, c.Rows).Select(i => (long)i).ToHashSet(), where.Keys.ToHashSet());
            // Units: groups or rows; their stratum is that of their first row.
            string Unit(long id) => c.Grouped ? $"g{(id * 31 + 7) % c.Groups}" : id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            long Stratum(long id) => c.Stratified ? (id * 31 + 7) % c.Groups % c.Strata : 0;
            var unitPart = new Dictionary<string, string>();
            foreach (var (id, part) in where)
            {
                // (b) a group never straddles two parts.
                if (unitPart.TryGetValue(Unit(id), out var seen)) Assert.Equal(seen, part);
                else unitPart[Unit(id)] = part;
            }
            // (c) per stratum, each part's unit count is its share rounded down or up.
            foreach (var stratum in where.Keys.GroupBy(Stratum))
            {
                var units = stratum.Select(Unit).Distinct().ToList();
                foreach (var (name, percent) in parts)
                {
                    double exact = units.Count * percent / 100.0;
                    int got = units.Count(u => unitPart[u] == name);
                    Assert.True(got >= Math.Floor(exact - 1e-9) && got <= Math.Ceiling(exact + 1e-9), $"stratum {stratum.Key}: {name} has {got} of {units.Count} units, {percent}% is {exact}");
                }
            }
            // Leakage is impossible: no group of the holdout is in train.
            if (c.Grouped)
            {
                var trainGroups = s.Query("SELECT DISTINCT g FROM s1.train").Rows().Select(r => (string)r[0]!).ToHashSet();
                Assert.DoesNotContain(s.Query("SELECT DISTINCT g FROM s1.test").Rows().Select(r => (string)r[0]!), trainGroups.Contains);
            }
            // (e) the same seed gives the same split, in this lake and in another.
            using (var other = new TempDir())
            using (var s2 = QueryLakeSession.Open(other.Path))
            {
                s2.Execute("CREATE DATASET rows (id BIGINT, g VARCHAR, k BIGINT)");
                s2.Execute("INSERT INTO rows VALUES " + Values(0, c.Rows, c));
                s2.Execute(Create("s1"));
                Assert.Equal(where.OrderBy(kv => kv.Key), Parts(s2, "s1", parts.Select(p => p.Name)).OrderBy(kv => kv.Key));
            }
            // (d) append and refresh: every old row stays on its side, and the new rows are placed.
            if (c.Appended > 0)
            {
                s.Execute("INSERT INTO rows VALUES " + Values(c.Rows, c.Appended, c));
                s.Execute("REFRESH SPLIT s1");
                var after = Parts(s, "s1", parts.Select(p => p.Name));
                foreach (var (id, part) in where) Assert.Equal(part, after[id]);
                Assert.Equal(c.Rows + c.Appended, after.Count);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    [Fact]
    public void Show_splits_lists_definitions()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, k)");
        s.Execute("CREATE SPLIT sp FROM (SELECT * FROM t) INTO train 80 PERCENT, test 20 PERCENT STRATIFY BY k SEED 9");
        var row = s.Query("SHOW SPLITS").Rows().Single();
        Assert.Equal(["sp", "train 80%, test 20%", "k", null, 9L], row.Take(5));
        Assert.Equal("SELECT * FROM t", row[6]);
    }
}
