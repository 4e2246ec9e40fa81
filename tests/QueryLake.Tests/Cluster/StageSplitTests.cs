using System.Globalization;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>
/// The cut a cluster runs (<c>StageSplitter</c>), in process: each fragment's worker stage run on its own, then the
/// coordinator's stage over their batches in fragment order, gives the embedded result, for scans, filters,
/// projections, partial aggregates (grouped and global, avg as a sum and a count, empty inputs included), top-k (similarity too), LIMIT, sorts and
/// aggregates the workers cannot split; and queries that cannot be cut (joins) run whole on the coordinator.
/// </summary>
public sealed class StageSplitTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public StageSplitTests()
    {
        var rng = new Random(4);
        _session.Execute("CREATE DATASET t (id BIGINT, g VARCHAR, x DOUBLE, n BIGINT, d DECIMAL(12, 2), e EMBEDDING(4))");
        // Five appends: five fragments.
        for (int f = 0; f < 5; f++)
            _session.Execute("INSERT INTO t VALUES " + string.Join(", ", Enumerable.Range(f * 300, 300).Select(i =>
                $"({i}, {(i % 11 == 0 ? "NULL" : $"'{"abcd"[i % 4]}'")}, {(rng.NextDouble() * 100).ToString("F3", CultureInfo.InvariantCulture)}, {(i % 7 == 0 ? "NULL" : (i % 13).ToString(CultureInfo.InvariantCulture))}, {i % 97}.25, " +
                $"[{rng.Next(-3, 4)}, {rng.Next(-3, 4)}, {rng.Next(-3, 4)}, {rng.Next(-3, 4)}])")));
        _session.Execute("CREATE DATASET small (g VARCHAR, label VARCHAR)");
        _session.Execute("INSERT INTO small VALUES ('a', 'first'), ('b', 'second')");
    }

    public void Dispose() => _session.Dispose();

    public static TheoryData<string, string?> Queries => new()
    {
        { "SELECT id, g, x * 2 AS y FROM t WHERE n > 3", "rows" },
        { "SELECT * FROM t LIMIT 7", "rows" },
        { "SELECT g, count(*) AS c, count(n) AS cn, sum(n) AS s, min(x) AS lo, max(d) AS hi, sum(d) AS sd FROM t GROUP BY g ORDER BY g", "partial aggregate" },
        { "SELECT count(*), sum(n), min(id), max(id) FROM t", "partial aggregate" },
        { "SELECT count(*), sum(n), max(x) FROM t WHERE id < 0", "partial aggregate" },
        { "SELECT g, n % 3 AS m, count(*) FROM t WHERE x > 20 GROUP BY g, n % 3 ORDER BY 1, 2", "partial aggregate" },
        { "SELECT id, x FROM t ORDER BY x DESC LIMIT 5 OFFSET 2", "top-k" },
        { "SELECT id, l2_distance(e, [1.0, 0.0, 0.0, 1.0]) AS dist FROM t ORDER BY dist, id LIMIT 10", "top-k" },
        { "SELECT g, avg(x) AS a, count(DISTINCT n) AS dn FROM t GROUP BY g ORDER BY g", "rows" },
        { "SELECT g, avg(x) AS a, avg(n) AS an, avg(d) AS ad, count(*) AS c FROM t GROUP BY g ORDER BY g", "partial aggregate" },
        { "SELECT avg(n), avg(d), count(*) FROM t WHERE id < 0", "partial aggregate" },
        { "SELECT id FROM t WHERE n = 2 ORDER BY id DESC", "rows" },
        { "SELECT t.g, label, count(*) FROM t JOIN small ON t.g = small.g GROUP BY ALL ORDER BY 1", null },
    };

    private static List<string> Show(IEnumerable<QueryLake.Columnar.RecordBatch> batches, QueryLake.Columnar.Schema schema)
    {
        var rows = new List<string>();
        foreach (var b in batches)
            for (int r = 0; r < b.Length; r++)
                rows.Add(string.Join("|", b.Columns.Select(c => c.GetValue(r) switch
                {
                    null => "NULL",
                    double v => v.ToString("G12", CultureInfo.InvariantCulture),
                    var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                })));
        return rows;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Fragments_run_apart_then_merged_give_the_embedded_result(string sql, string? kind)
    {
        var expected = _session.Query(sql).Materialize();
        var plan = _session.PlanDistributed(sql);
        Assert.Equal(kind, plan.Split?.Kind);
        List<QueryLake.Columnar.RecordBatch>? stage = null;
        if (plan.Split is { } split)
        {
            Assert.Equal(5, plan.Fragments.Count);
            stage = [];
            // One worker per fragment, in fragment order; fragments run in any order would do as well.
            foreach (var fragment in plan.Fragments)
                stage.AddRange(_session.RunStage(sql, plan.Pins, split.Dataset, new HashSet<long> { fragment }).Batches);
        }
        var (schema, batches) = _session.FinishDistributed(plan, stage);
        Assert.Equal(expected.Schema.Fields.Select(f => f.Name), schema.Fields.Select(f => f.Name));
        Assert.Equal(Show(expected, expected.Schema), Show(batches, schema));
    }

    [Fact]
    public void A_stage_reads_the_pinned_version_even_after_new_commits()
    {
        const string Sql = "SELECT count(*) FROM t";
        var plan = _session.PlanDistributed(Sql);
        _session.Execute("INSERT INTO t (id) VALUES (100000)");
        var stage = plan.Fragments.SelectMany(f => _session.RunStage(Sql, plan.Pins, "t", new HashSet<long> { f }).Batches).ToList();
        var (_, batches) = _session.FinishDistributed(plan, stage);
        Assert.Equal(1500L, batches.Single().Columns[0].GetValue(0));
    }
}
