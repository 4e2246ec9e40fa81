using FsCheck;
using FsCheck.Fluent;
using QueryLake.Execution.Physical;
using QueryLake.Sessions;
using QueryLake.Tests.Planning.Optimizer;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Execution.Physical;

/// <summary>
/// Every physical rule gives the same result on and off: for random queries of the shapes the rules fuse (an
/// aggregation over a scan or a join, a projection over a filtered scan or a join, a top-k over a projection), over
/// data with NULLs in every column, several fragments and batches, each query's rows with all rules on equal its rows
/// with each rule off in turn.
/// </summary>
public sealed class PhysicalRuleProperties : IDisposable
{
    private readonly QueryLakeSession _s = QueryLakeSession.Open();

    public PhysicalRuleProperties()
    {
        var rng = new Random(11);
        string V(int max) => rng.Next(7) == 0 ? "NULL" : rng.Next(0, max).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string T() => rng.Next(6) == 0 ? "NULL" : $"'{"abcdef"[rng.Next(6)]}'";
        _s.Execute("CREATE DATASET f (id BIGINT, k BIGINT, x BIGINT, s VARCHAR)");
        _s.Execute("CREATE DATASET d (k BIGINT, name VARCHAR, w BIGINT)");
        int id = 0;
        foreach (var chunk in Enumerable.Range(0, 3000).Chunk(700))
            _s.Execute("INSERT INTO f VALUES " + string.Join(", ", chunk.Select(_ => $"({id++}, {V(40)}, {V(100)}, {T()})")));
        _s.Execute("INSERT INTO d VALUES " + string.Join(", ", Enumerable.Range(0, 60).Select(_ => $"({V(50)}, {T()}, {V(10)})")));
        _s.Threads = 2;
    }

    public void Dispose() => _s.Dispose();

    private static readonly Gen<string> Predicates =
        from col in Gen.Elements("f.x", "f.k", "f.id")
        from op in Gen.Elements("<", ">=", "=", "<>")
        from v in Gen.Choose(0, 100)
        from kind in Gen.Choose(0, 3)
        select kind switch
        {
            0 => $"{col} IS NULL OR {col} {op} {v}",
            1 => $"f.s = '{"abcdef"[v % 6]}'",
            _ => $"{col} {op} {v}",
        };

    private static readonly Gen<string> Queries = Gen.OneOf(
        from p in Predicates select $"SELECT id, x * 2 + k AS y, upper(s) AS u FROM f WHERE {p}",
        from p in Predicates from g in Gen.Elements("k", "s", "x % 5") select $"SELECT {g} AS g, count(*), sum(x), min(s), count(DISTINCT k) FROM f WHERE {p} GROUP BY 1",
        from g in Gen.Elements("k", "s") select $"SELECT {g}, avg(x), string_agg(s, ',' ORDER BY id) FROM f GROUP BY 1",
        from p in Predicates from j in Gen.Elements("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN") select $"SELECT f.id, d.name, f.x + d.w AS z FROM f {j} d ON f.k = d.k WHERE {p}",
        from p in Predicates select $"SELECT d.name, count(*), sum(f.x) FROM f JOIN d ON f.k = d.k AND f.x > d.w WHERE {p} GROUP BY 1",
        from p in Predicates select $"SELECT count(*) FROM f WHERE {p} AND EXISTS (SELECT 1 FROM d WHERE d.k = f.k)",
        from p in Predicates from n in Gen.Choose(0, 50) from dir in Gen.Elements("ASC", "DESC")
        select $"SELECT id, lower(s) AS l, x - k AS diff FROM f WHERE {p} ORDER BY x {dir} NULLS FIRST, id LIMIT {n}",
        from n in Gen.Choose(1, 30) from off in Gen.Choose(0, 5) select $"SELECT id, s || 'z' AS t FROM f ORDER BY k DESC, id LIMIT {n} OFFSET {off}");

    [Fact]
    public void Each_rule_gives_the_same_rows_on_and_off()
    {
        var property = Prop.ForAll(Queries.ToArbitrary(), sql =>
        {
            var expected = RuleToggle.Sorted(RuleToggle.Rows(_s, sql));
            foreach (var rule in PhysicalPlanner.Rules)
                Assert.True(expected.SequenceEqual(RuleToggle.Sorted(RuleToggle.Rows(_s, sql, rule.Name))), $"{rule.Name} changes the result of {sql}");
            // Order matters where the query orders: a top-k gives the same rows in the same order.
            if (sql.Contains("ORDER BY x", StringComparison.Ordinal) || sql.Contains("ORDER BY k", StringComparison.Ordinal))
                Assert.Equal(Lines(RuleToggle.Rows(_s, sql)), Lines(RuleToggle.Rows(_s, sql, PhysicalPlanner.Rules.Select(r => r.Name).ToArray())));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), property);
    }

    [Fact]
    public void A_copy_writes_the_same_file_with_its_input_lent_or_owned()
    {
        using var dir = new TempDir();
        var source = dir.File("f.parquet");
        _s.Execute($"COPY (SELECT * FROM f) TO '{source}' (ROW_GROUP_SIZE 500)");
        var copies = from columns in Gen.Elements("*", "s, id", "x AS renamed, k, x AS again", "id, x * 2 AS doubled")
                     from format in Gen.Elements("parquet", "arrow", "csv", "json")
                     from filter in Gen.Elements("", " WHERE x > 50", " WHERE s = 'a'")
                     select (Sql: $"SELECT {columns} FROM '{source}'{filter}", Format: format);
        int n = 0;
        var property = Prop.ForAll(copies.ToArbitrary(), c =>
        {
            string Copy(params string[] disabled)
            {
                var target = dir.File($"out-{n++}.{c.Format}");
                _s.DisabledRules.Clear();
                _s.DisabledRules.UnionWith(disabled);
                try { _s.Execute($"COPY ({c.Sql}) TO '{target}' (FORMAT {c.Format})"); }
                finally { _s.DisabledRules.Clear(); }
                return target;
            }
            var on = File.ReadAllBytes(Copy());
            var off = File.ReadAllBytes(Copy(LentCopyInputRule));
            Assert.True(on.AsSpan().SequenceEqual(off), $"COPY ({c.Sql}) TO {c.Format} differs with {LentCopyInputRule} off");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(30), property);
    }

    private const string LentCopyInputRule = "lent_copy_input";

    private static List<string> Lines(List<object?[]> rows) => rows.Select(r => string.Join("|", r.Select(v => v?.ToString() ?? "NULL"))).ToList();
}
