using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>
/// A filtered scan under a projection computes the projection for the kept rows only, reading them in place
/// (similarity kernels score the selected embeddings without gathering them). For random predicates, over data with
/// NULLs in every column and several batches, the fused path (the <c>scan_projection_fusion</c> physical rule) gives
/// exactly the rows of the plain one, where the scan gathers the kept rows and a Projection computes the outputs.
/// </summary>
public sealed class SelectedEvaluationProperties : IDisposable
{
    private readonly QueryLakeSession _fused = QueryLakeSession.Open();
    private readonly QueryLakeSession _plain;

    private const string Projection =
        "x, s, x + y AS sum, CASE WHEN y > 0 THEN upper(s) ELSE 'neg' END AS c, CAST(x AS DOUBLE) / 3 AS third, " +
        "round(cosine_similarity(e, [1.0, 0.5, -0.25, 2.0]), 6) AS cos, round(l2_distance([0.0, 1.0, 0.0, 1.0], e), 6) AS l2, " +
        "round(inner_product(e, e), 6) AS self, list_filter([x, y, 3], v -> v > y) AS kept, e";

    public SelectedEvaluationProperties()
    {
        var rng = new Random(5);
        string V(int max) => rng.Next(6) == 0 ? "NULL" : rng.Next(-max, max).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string F() => (rng.NextDouble() * 4 - 2).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        var rows = Enumerable.Range(0, 2000).Select(i =>
            $"({V(10)}, {V(10)}, {(rng.Next(5) == 0 ? "NULL" : $"'{"abcde"[rng.Next(5)]}'")}, {(rng.Next(7) == 0 ? "NULL" : $"[{F()}, {F()}, {F()}, {F()}]")})");
        _fused.Execute("CREATE DATASET t (x BIGINT, y BIGINT, s VARCHAR, e EMBEDDING(4))");
        // Several appends: several fragments and batches.
        foreach (var chunk in rows.Chunk(500)) _fused.Execute($"INSERT INTO t VALUES {string.Join(", ", chunk)}");
        _plain = QueryLakeSession.Open(_fused.Lake.Path);
        _plain.DisabledRules.Add("scan_projection_fusion");
    }

    public void Dispose()
    {
        _plain.Dispose();
        _fused.Dispose();
    }

    private static readonly Gen<string> Atoms =
        from col in Gen.Elements("x", "y")
        from op in Gen.Elements("=", "<>", "<", ">=")
        from k in Gen.Choose(-10, 10)
        from kind in Gen.Choose(0, 4)
        select kind switch
        {
            0 => $"{col} IS NULL",
            1 => $"s = '{"abcde"[Math.Abs(k) % 5]}'",
            2 => $"cosine_similarity(e, [1.0, 0.0, 0.0, 0.0]) > {k / 10.0:0.0}",
            _ => $"{col} {op} {k}",
        };

    private static Gen<string> Predicates(int depth) => depth == 0 ? Atoms : Gen.OneOf(
        Atoms,
        from a in Predicates(depth - 1) from b in Predicates(depth - 1) select $"({a} AND {b})",
        from a in Predicates(depth - 1) from b in Predicates(depth - 1) select $"({a} OR {b})");

    private static List<string> Rows(QueryLakeSession s, string where) =>
        s.Query($"SELECT {Projection} FROM t WHERE {where}").Rows().Select(r => string.Join("|", r.Select(v => v switch
        {
            null => "NULL",
            System.Collections.IEnumerable list and not string => "[" + string.Join(",", list.Cast<object?>()) + "]",
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }))).ToList();

    [Fact]
    public void Fused_filter_and_projection_equals_the_plain_plan()
    {
        var fusedPlan = _fused.Query($"EXPLAIN SELECT {Projection} FROM t WHERE x > 1").Rows().Single()[0]!.ToString()!;
        Assert.StartsWith("TableScan: t [x, y, s, e] filter=(x#0 > 1) project=[x, s, ", fusedPlan);
        var plainPlan = _plain.Query($"EXPLAIN SELECT {Projection} FROM t WHERE x > 1").Rows().Single()[0]!.ToString()!;
        Assert.StartsWith("Projection: x, s, ", plainPlan);
        Assert.Contains("\n  TableScan: t [x, y, s, e] filter=(x#0 > 1)  (estimated=", plainPlan);
        var property = Prop.ForAll(Predicates(2).ToArbitrary(), p =>
        {
            var fused = Rows(_fused, p);
            Assert.Equal(Rows(_plain, p), fused);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
