using QueryLake.Kernels.Similarity;
using Xunit;

namespace QueryLake.Tests.Gpu;

/// <summary>The device column cache: kept per dataset version and column, bounded by the budget, least recently used
/// first out, never freeing a column in use, and a newer version replacing an older one.</summary>
public sealed class SimilarityColumnCacheTests
{
    /// <summary>A column that says it holds <paramref name="bytes"/> of device memory and records its disposal.</summary>
    private sealed class FakeColumn(long bytes) : IEmbeddingColumn
    {
        public int Count => 1;
        public int Dims => 1;
        public long DeviceBytes => bytes;
        public bool[]? Valid => null;
        public float MaxSquare => 0;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    private static readonly ISimilarityKernel Kernel = CpuSimilarityKernel.Instance;

    [Fact]
    public void A_repeated_search_reuses_the_loaded_column_and_a_new_version_replaces_it()
    {
        var cache = new SimilarityColumnCache();
        int loads = 0;
        FakeColumn Load() { loads++; return new FakeColumn(100); }
        using (var a = cache.Get(Kernel, "/lake/ds", "1", "emb", 1000, Load)) Assert.False(a.WasCached);
        using (var b = cache.Get(Kernel, "/lake/ds", "1", "emb", 1000, Load)) Assert.True(b.WasCached);
        Assert.Equal(1, loads);
        Assert.True(cache.Contains(Kernel, "/lake/ds", "1", "emb"));
        FakeColumn? first = null;
        using (var c = cache.Get(Kernel, "/lake/ds", "1", "emb", 1000, Load)) first = (FakeColumn)c.Column;
        using (var d = cache.Get(Kernel, "/lake/ds", "2", "emb", 1000, Load)) Assert.False(d.WasCached);
        Assert.Equal(2, loads);
        Assert.True(first.Disposed);
        Assert.False(cache.Contains(Kernel, "/lake/ds", "1", "emb"));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void The_budget_evicts_the_least_recently_used_column_not_in_use()
    {
        var cache = new SimilarityColumnCache();
        var columns = new Dictionary<string, FakeColumn>();
        SimilarityColumnCache.Lease Get(string name) => cache.Get(Kernel, "/lake/" + name, "1", "emb", 250, () => columns[name] = new FakeColumn(100));
        Get("a").Dispose();
        Get("b").Dispose();
        Get("a").Dispose(); // a is now the most recently used
        Get("c").Dispose(); // 300 > 250: b goes
        Assert.True(columns["b"].Disposed);
        Assert.False(columns["a"].Disposed);
        Assert.Equal(200, cache.Bytes);

        // A column in use is never freed: a load that does not fit beside it runs for its query only.
        using var inUse = Get("a");
        using var other = Get("c");
        var big = cache.Get(Kernel, "/lake/big", "1", "emb", 250, () => columns["big"] = new FakeColumn(200));
        Assert.False(columns["a"].Disposed);
        Assert.False(cache.Contains(Kernel, "/lake/big", "1", "emb"));
        big.Dispose();
        Assert.True(columns["big"].Disposed);

        // A column larger than the budget is never kept.
        var huge = cache.Get(Kernel, "/lake/huge", "1", "emb", 250, () => columns["huge"] = new FakeColumn(1000));
        Assert.False(columns["huge"].Disposed);
        huge.Dispose();
        Assert.True(columns["huge"].Disposed);
    }

    [Fact]
    public void Clear_frees_every_column_and_one_in_use_once_released()
    {
        var cache = new SimilarityColumnCache();
        var column = new FakeColumn(10);
        var lease = cache.Get(Kernel, "/lake/ds", "1", "emb", 100, () => column);
        cache.Clear();
        Assert.False(column.Disposed);
        lease.Dispose();
        Assert.True(column.Disposed);
        Assert.Equal(0, cache.Count);
    }
}
