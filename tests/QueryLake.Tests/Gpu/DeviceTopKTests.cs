using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Errors;
using QueryLake.Kernels.Similarity;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Gpu;

/// <summary>
/// Similarity searches planned on the GPU (<c>SET device = 'gpu'</c>, the <c>device_similarity_topk</c> physical
/// rule), run here by the GPU kernels on ILGPU's CPU accelerator, against the CPU plan: for random metrics, orders,
/// probes, k, offsets, filters and secondary keys, over vectors with exact ties, NULLs and zero vectors in several
/// fragments, both give the same rows and scores. Also: EXPLAIN names the device, the column stays on the device
/// between queries and a new version replaces it, and a GPU asked for but absent is a clear error.
/// </summary>
public sealed class DeviceTopKTests : IClassFixture<CpuAcceleratorFixture>, IDisposable
{
    private readonly CpuAcceleratorFixture _gpu;
    private readonly QueryLakeSession _device = QueryLakeSession.Open();
    private readonly QueryLakeSession _cpu;

    public DeviceTopKTests(CpuAcceleratorFixture gpu)
    {
        _gpu = gpu;
        var rng = new Random(11);
        string Vector(int i) => i % 53 == 0 ? "NULL" : i % 41 == 0 ? "[0, 0, 0, 0, 0, 0, 0, 0]"
            : "[" + string.Join(", ", Enumerable.Range(0, 8).Select(_ => rng.Next(-2, 3).ToString(CultureInfo.InvariantCulture))) + "]";
        _device.Execute("CREATE DATASET v (id BIGINT, g BIGINT, e EMBEDDING(8))");
        // Three appends: three fragments.
        foreach (var chunk in Enumerable.Range(0, 1500).Chunk(500))
            _device.Execute("INSERT INTO v VALUES " + string.Join(", ", chunk.Select(i => $"({i}, {i % 7}, {Vector(i)})")));
        _device.Execute("SET device = 'gpu'");
        _cpu = QueryLakeSession.Open(_device.Lake.Path);
        _cpu.Execute("SET device = 'cpu'");
    }

    public void Dispose()
    {
        _cpu.Dispose();
        _device.Dispose();
        SimilarityDevices.Cache.Clear();
    }

    private static readonly (string Function, string Order)[] Searches =
    [
        ("cosine_distance", "ASC"), ("cosine_similarity", "DESC"), ("inner_product", "DESC"), ("inner_product_distance", "ASC"), ("l2_distance", "ASC"),
    ];

    public sealed record Search(int Function, int[] Probe, int K, int Offset, int Filter, bool Secondary, bool ProbeFirst);

    private static readonly Gen<Search> Cases =
        from f in Gen.Choose(0, Searches.Length - 1)
        from probe in Gen.ArrayOf(Gen.Choose(-2, 2), 8)
        from k in Gen.Choose(1, 60)
        from offset in Gen.Elements(0, 0, 3)
        from filter in Gen.Choose(0, 3)
        from secondary in Gen.Elements(true, false)
        from probeFirst in Gen.Elements(true, false)
        select new Search(f, probe, k, offset, filter, secondary, probeFirst);

    private static string Sql(Search s)
    {
        var (function, order) = Searches[s.Function];
        string probe = "[" + string.Join(", ", s.Probe.Select(x => x.ToString(CultureInfo.InvariantCulture) + ".0")) + "]";
        string call = s.ProbeFirst ? $"{function}({probe}, e)" : $"{function}(e, {probe})";
        string where = s.Filter switch { 1 => " WHERE g < 3", 2 => " WHERE g = 5 AND id < 200", 3 => " WHERE id % 100 = 7", _ => "" };
        return $"SELECT id, g, {call} AS score FROM v{where} ORDER BY score {order}{(s.Secondary ? ", id DESC" : "")} LIMIT {s.K}{(s.Offset > 0 ? $" OFFSET {s.Offset}" : "")}";
    }

    private static List<string> Rows(QueryLakeSession session, string sql) =>
        session.Query(sql).Rows().Select(r => string.Join("|", r.Select(v => (v is null ? "NULL" : Convert.ToString(v, CultureInfo.InvariantCulture))))).ToList();

    [Fact]
    public void The_gpu_plan_returns_the_cpu_plan_s_rows()
    {
        using var use = SimilarityDevices.Use(_gpu.Kernel);
        int decided = 0, cases = 0;
        var property = Prop.ForAll(Cases.ToArbitrary(), s =>
        {
            var sql = Sql(s);
            Assert.Contains("SimilarityTopK", Explain(_device, sql));
            Assert.DoesNotContain("SimilarityTopK", Explain(_cpu, sql));
            var expected = Rows(_cpu, sql);
            Assert.Equal(expected, Rows(_device, sql));
            // EXPLAIN ANALYZE says whether the device decided. It must where the query's k rows (after the offset)
            // all have a distance: the device then had k + offset candidates. With fewer (a selective filter, NULL or
            // NaN distances) the CPU plan may decide.
            var analyzed = Explain(_device, "ANALYZE " + sql);
            bool must = expected.Count == s.K && !expected.Any(r => r.EndsWith("|NULL", StringComparison.Ordinal) || r.EndsWith("|NaN", StringComparison.Ordinal));
            cases++;
            if (analyzed.Contains("candidates ranked on the host")) decided++;
            else
            {
                Assert.Contains("the CPU plan decided", analyzed);
                Assert.False(must, $"the CPU plan decided a search with {s.K} rows that all have a distance: {sql}");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
        Assert.True(decided > 0, $"the device decided none of {cases} searches");
    }

    private static string Explain(QueryLakeSession session, string sql) => session.Query("EXPLAIN " + sql).Rows().Single()[0]!.ToString()!;

    [Fact]
    public void Explain_names_the_device_and_the_rule_can_be_switched_off()
    {
        using var use = SimilarityDevices.Use(_gpu.Kernel);
        const string Sql = "SELECT id, l2_distance(e, [1.0, 0, 0, 0, 0, 0, 0, 1.0]) AS d FROM v ORDER BY d LIMIT 5";
        var plan = Explain(_device, Sql);
        Assert.StartsWith("SimilarityTopK: k=5 d#1 ASC NULLS LAST device=gpu (ILGPU CPU accelerator): l2_distance(e, probe) nearest 5", plan);
        Assert.Contains("\n  TableScan: v [id, e]", plan);
        Assert.Contains("ranked on the host late projection=[id, l2_distance(", plan);
        // The closest of several probes is another function: it stays on the CPU.
        Assert.StartsWith("TopK: ", Explain(_device, "SELECT id, cosine_similarity(e, [[1.0, 0, 0, 0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0, 0, 0, 0]]) AS s FROM v ORDER BY s DESC LIMIT 3"));
        _device.Execute("SET disabled_optimizers = 'device_similarity_topk'");
        Assert.StartsWith("TopK: ", Explain(_device, Sql));
        _device.Execute("RESET disabled_optimizers");
        // 'auto' keeps a small column on the CPU, and never sends work to ILGPU's CPU accelerator.
        _device.Execute("SET device = 'auto'");
        Assert.StartsWith("TopK: ", Explain(_device, Sql));
        _device.Execute("SET device = 'gpu'");
    }

    [Fact]
    public void The_column_stays_on_the_device_until_a_new_version()
    {
        using var use = SimilarityDevices.Use(_gpu.Kernel);
        SimilarityDevices.Cache.Clear();
        const string Sql = "SELECT id, cosine_distance(e, [1.0, 1.0, 0, 0, 0, 0, 0, 0]) AS d FROM v ORDER BY d LIMIT 7";
        var snapshot = _device.Lake.OpenDataset("v").Latest();
        Assert.Equal(Rows(_cpu, Sql), Rows(_device, Sql));
        Assert.True(SimilarityDevices.Cache.Contains(_gpu.Kernel, snapshot.CacheIdentity, snapshot.CacheVersion, "e"));
        long bytes = SimilarityDevices.Cache.Bytes;
        Assert.True(bytes >= 1500 * 8 * 4, $"{bytes} bytes kept");
        Assert.Equal(Rows(_cpu, Sql), Rows(_device, Sql));
        Assert.Equal(1, SimilarityDevices.Cache.Count);
        Assert.Contains("ran: column already on the device", Explain(_device, "ANALYZE " + Sql));

        // A new version: the old column goes, the answer includes the new rows.
        _device.Execute("INSERT INTO v VALUES (5000, 1, [1.0, 1.0, 0, 0, 0, 0, 0, 0])");
        var rows = Rows(_device, Sql);
        Assert.Equal(Rows(_cpu, Sql), rows);
        Assert.StartsWith("5000|", rows[0]);
        var latest = _device.Lake.OpenDataset("v").Latest();
        Assert.True(SimilarityDevices.Cache.Contains(_gpu.Kernel, latest.CacheIdentity, latest.CacheVersion, "e"));
        Assert.False(SimilarityDevices.Cache.Contains(_gpu.Kernel, snapshot.CacheIdentity, snapshot.CacheVersion, "e"));
        Assert.Equal(1, SimilarityDevices.Cache.Count);

        // gpu_memory_limit below the column: it is uploaded for each query and not kept.
        SimilarityDevices.Cache.Clear();
        _device.Execute("SET gpu_memory_limit = '1KB'");
        Assert.Equal(Rows(_cpu, Sql), Rows(_device, Sql));
        Assert.Equal(0, SimilarityDevices.Cache.Count);
        _device.Execute("RESET gpu_memory_limit");
    }

    [Fact]
    public void Fewer_candidates_than_k_and_a_tight_memory_limit_give_the_cpu_plan_s_rows()
    {
        using var use = SimilarityDevices.Use(_gpu.Kernel);
        // 3 rows pass the filter, one with a NULL vector: it belongs in the answer, after the others.
        const string Few = "SELECT id, l2_distance(e, [1.0, 0, 0, 0, 0, 0, 0, 0]) AS d FROM v WHERE id IN (53, 54, 55) ORDER BY d LIMIT 10";
        var rows = Rows(_device, Few);
        Assert.Equal(Rows(_cpu, Few), rows);
        Assert.Equal("53|NULL", rows[^1]);
        Assert.Contains("the CPU plan decided", Explain(_device, "ANALYZE " + Few));
        SimilarityDevices.Cache.Clear();
        _device.Execute("SET memory_limit = '10KB'");
        const string Sql = "SELECT id, l2_distance(e, [1.0, 0, 0, 0, 0, 0, 0, 0]) AS d FROM v ORDER BY d LIMIT 10";
        Assert.Equal(Rows(_cpu, Sql), Rows(_device, Sql));
        Assert.Contains("the CPU plan decided", Explain(_device, "ANALYZE " + Sql));
        _device.Execute("RESET memory_limit");
    }

    [Fact]
    public void Rarity_on_the_device_agrees_with_the_cpu_within_float_tolerance()
    {
        using var use = SimilarityDevices.Use(_gpu.Kernel);
        // Partitions by g; NULL vectors get NULL, zero vectors are as far from everything as the CPU path makes them.
        const string Sql = "SELECT id, rarity(e, 5) OVER (PARTITION BY g) AS r FROM v WHERE id < 400 ORDER BY id";
        var cpu = _cpu.Query(Sql).Rows().ToList();
        var device = _device.Query(Sql).Rows().ToList();
        Assert.Equal(cpu.Count, device.Count);
        Assert.Contains(cpu, r => r[1] is null);
        for (int i = 0; i < cpu.Count; i++)
        {
            Assert.Equal(cpu[i][0], device[i][0]);
            if (cpu[i][1] is null) Assert.Null(device[i][1]);
            else Assert.Equal((double)cpu[i][1]!, (double)device[i][1]!, 5);
        }
    }

    [Fact]
    public void Gpu_without_a_device_is_a_clear_error()
    {
        // No override here: the process's own GPU (none on CI).
        if (SimilarityDevices.Gpu is not null) return;
        var e = Assert.Throws<QueryLakeException>(() => _device.Query("SELECT id FROM v ORDER BY l2_distance(e, [1.0, 0, 0, 0, 0, 0, 0, 0]) LIMIT 3").Rows());
        Assert.Equal("QL-DEVICE-UNAVAILABLE", e.Code);
        Assert.Contains("no CUDA device", e.Message);
        Assert.Contains("SET device = 'auto' or 'cpu'", e.Message);
        // Queries without a similarity search run as before.
        Assert.Equal(1500L, _device.Query("SELECT count(*) FROM v").Rows().Single()[0]);
    }

    [Fact]
    public void The_device_setting_takes_auto_cpu_or_gpu()
    {
        string Show(string name) => (string)_device.Query("SHOW SETTINGS").Rows().Single(r => (string)r[0]! == name)[1]!;
        Assert.Equal("gpu", Show("device"));
        var e = Assert.Throws<QueryLake.Language.SqlException>(() => _device.Execute("SET device = 'tpu'"));
        Assert.Equal("QL-BAD-ARGUMENT", e.Code);
        Assert.Contains("'auto', 'cpu' or 'gpu'", e.Message);
        _device.Execute("SET gpu_memory_limit = '2GB'");
        Assert.Equal("2GB", Show("gpu_memory_limit").Replace(" ", "").Replace(".0", ""));
        _device.Execute("RESET gpu_memory_limit");
        Assert.Equal("auto", Show("gpu_memory_limit"));
    }
}
