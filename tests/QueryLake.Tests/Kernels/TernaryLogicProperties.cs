using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>
/// For random data with NULLs and a random predicate p: the rows where p is true, where it is false and where
/// it is NULL partition the table exactly (SQL's three-valued logic), and the optimizer never changes a count.
/// </summary>
public sealed class TernaryLogicProperties : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public TernaryLogicProperties()
    {
        var rng = new Random(11);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            string V(int max) => rng.Next(6) == 0 ? "NULL" : rng.Next(-max, max).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string S() => rng.Next(5) == 0 ? "NULL" : $"'{"abcde"[rng.Next(5)]}'";
            return $"({V(10)}, {V(10)}, {S()})";
        });
        _session.Execute($"CREATE DATASET t AS SELECT * FROM (VALUES {string.Join(", ", rows)}) v(x, y, s)");
    }

    public void Dispose() => _session.Dispose();

    private static readonly Gen<string> Atoms =
        from col in Gen.Elements("x", "y")
        from op in Gen.Elements("=", "<>", "<", "<=", ">", ">=")
        from k in Gen.Choose(-10, 10)
        from kind in Gen.Choose(0, 5)
        select kind switch
        {
            0 => $"{col} IS NULL",
            1 => $"s = '{"abcde"[Math.Abs(k) % 5]}'",
            2 => $"{col} BETWEEN {k} AND {k + 5}",
            3 => $"{col} IN ({k}, {k + 1}, NULL)",
            _ => $"{col} {op} {k}",
        };

    private static Gen<string> Predicates(int depth) => depth == 0 ? Atoms : Gen.OneOf(
        Atoms,
        from a in Predicates(depth - 1) from b in Predicates(depth - 1) select $"({a} AND {b})",
        from a in Predicates(depth - 1) from b in Predicates(depth - 1) select $"({a} OR {b})",
        from a in Predicates(depth - 1) select $"(NOT {a})");

    private long Count(string where) => (long)_session.Query($"SELECT count(*) FROM t WHERE {where}").Rows().Single()[0]!;

    [Fact]
    public void True_false_and_null_partition_all_rows()
    {
        long total = Count("true");
        Assert.Equal(300, total);
        var property = Prop.ForAll(Predicates(3).ToArbitrary(), p =>
        {
            long t = Count(p), f = Count($"NOT ({p})"), n = Count($"({p}) IS NULL");
            Assert.True(t + f + n == total, $"p = {p}: {t} true + {f} false + {n} null != {total}");
            _session.DisabledRules.UnionWith(["predicate_pushdown", "projection_pushdown", "constant_folding"]);
            try { Assert.Equal(t, Count(p)); }
            finally { _session.DisabledRules.Clear(); }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }
}
