using FsCheck;
using FsCheck.Fluent;
using QueryLake.Gpu.Kernels;
using QueryLake.Kernels.Similarity;
using Xunit;

namespace QueryLake.Tests.Gpu;

/// <summary>One GPU kernel for the tests, on ILGPU's CPU accelerator (CI has no GPU): the same kernel code CUDA runs.</summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    internal GpuSimilarityKernel Kernel { get; } = GpuSimilarityKernel.OnCpuAccelerator();

    public void Dispose() => Kernel.Dispose();
}

/// <summary>
/// The GPU similarity kernel against the SIMD reference, as FsCheck properties over small inputs: lengths 0–300,
/// dimensions 1–130, k 1–50, invalid (NULL) rows, zero vectors, NaN elements, heavy ties (few distinct values) and
/// selections. Values are small integers, so every sum is exact in float whatever the order of its terms, and both
/// backends must return the same rows in the same order with the same distances.
/// </summary>
public sealed class SimilarityKernelProperties(CpuAcceleratorFixture gpu) : IClassFixture<CpuAcceleratorFixture>
{
    public sealed record Case(int Count, int Dims, int Probes, int K, int Metric, int Distinct, int Seed, bool Nulls, bool Select, bool Zeros, bool NaN)
    {
        /// <summary>The case's vectors, probes, valid rows and selection.</summary>
        public (float[] Vectors, float[] Probes, bool[]? Valid, int[]? Selection) Data()
        {
            var random = new Random(Seed);
            // Few distinct small integers: many exact ties, and sums exact in float.
            float Value() => random.Next(Distinct) - Distinct / 2;
            var vectors = new float[Count * Dims];
            for (int i = 0; i < vectors.Length; i++) vectors[i] = Value();
            if (Zeros) for (int r = 0; r < Count; r += 7) Array.Clear(vectors, r * Dims, Dims);
            if (NaN && Count > 0) vectors[random.Next(vectors.Length)] = float.NaN;
            var probes = new float[Probes * Dims];
            for (int i = 0; i < probes.Length; i++) probes[i] = Value();
            bool[]? valid = Nulls ? Enumerable.Range(0, Count).Select(_ => random.Next(5) != 0).ToArray() : null;
            int[]? selection = Select ? Enumerable.Range(0, Count).Where(_ => random.Next(3) != 0).ToArray() : null;
            return (vectors, probes, valid, selection);
        }
    }

    private static readonly Gen<Case> Cases =
        from count in Gen.Choose(0, 300)
        from dims in Gen.Choose(1, 130)
        from probes in Gen.Elements(1, 1, 2, 3, 17)
        from k in Gen.Choose(1, 50)
        from metric in Gen.Choose(0, 2)
        from distinct in Gen.Elements(2, 3, 5, 17)
        from seed in Gen.Choose(0, int.MaxValue)
        from nulls in Gen.Elements(true, false)
        from picked in Gen.Elements(true, false)
        from zeros in Gen.Elements(true, false)
        from nan in Gen.Elements(true, false, false, false)
        select new Case(count, dims, probes, k, metric, distinct, seed, nulls, picked, zeros, nan);

    [Fact]
    public void The_gpu_kernel_returns_the_reference_s_rows_and_distances()
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var (vectors, probes, valid, selection) = c.Data();
            var metric = (DistanceMetric)c.Metric;
            bool nanFirst = c.Seed % 3 == 0;
            var expected = CpuSimilarityKernel.Instance.TopK(vectors, c.Count, c.Dims, valid, selection, probes, c.Probes, c.K, metric, nanFirst: nanFirst);
            var actual = gpu.Kernel.TopK(vectors, c.Count, c.Dims, valid, selection, probes, c.Probes, c.K, metric, nanFirst: nanFirst);
            Assert.Equal(expected.Length, actual.Length);
            for (int p = 0; p < expected.Length; p++)
            {
                Assert.Equal(expected[p].Rows, actual[p].Rows);
                Assert.Equal(expected[p].Distances, actual[p].Distances);
                Assert.True(expected[p].Rows.Length <= c.K);
                // The contract itself: no invalid, unselected or NaN row; nearest first, ties by row.
                foreach (var row in expected[p].Rows)
                {
                    Assert.True(valid is null || valid[row]);
                    Assert.True(selection is null || selection.Contains(row));
                }
                for (int i = 1; i < expected[p].Rows.Length; i++)
                    Assert.True(TopKSelection.Compare((expected[p].Distances[i - 1], expected[p].Rows[i - 1]), (expected[p].Distances[i], expected[p].Rows[i])) < 0);
                if (!nanFirst) Assert.DoesNotContain(expected[p].Distances, float.IsNaN);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    [Fact]
    public void With_slack_the_gpu_kernel_returns_the_reference_s_band_past_the_k_th()
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), Gen.Elements(0.01f, 0.1f, 0.5f).ToArbitrary(), (c, slack) =>
        {
            var (vectors, probes, valid, selection) = c.Data();
            var metric = (DistanceMetric)c.Metric;
            float Widen(float d) => d + slack * (1 + MathF.Abs(d));
            bool nanFirst = c.Seed % 3 == 0;
            var expected = CpuSimilarityKernel.Instance.TopK(vectors, c.Count, c.Dims, valid, selection, probes, c.Probes, c.K, metric, Widen, nanFirst);
            var actual = gpu.Kernel.TopK(vectors, c.Count, c.Dims, valid, selection, probes, c.Probes, c.K, metric, Widen, nanFirst);
            var exact = CpuSimilarityKernel.Instance.TopK(vectors, c.Count, c.Dims, valid, selection, probes, c.Probes, c.K, metric, nanFirst: nanFirst);
            for (int p = 0; p < expected.Length; p++)
            {
                Assert.Equal(expected[p].Rows, actual[p].Rows);
                Assert.Equal(expected[p].Distances, actual[p].Distances);
                // The band extends the exact answer: its first k are the k nearest.
                Assert.Equal(exact[p].Rows, expected[p].Rows.Take(c.K));
                if (exact[p].Rows.Length == c.K && c.K > 0 && !float.IsNaN(exact[p].Distances[^1]))
                    Assert.All(expected[p].Distances, d => Assert.True(float.IsNaN(d) || d <= Widen(exact[p].Distances[^1])));
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [Fact]
    public void The_gpu_rarity_equals_the_reference_s()
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            // Every row is a probe: ILGPU's CPU accelerator runs the tiles' barriers as thread switches, so small cases.
            var (vectors, _, valid, _) = (c with { Dims = c.Dims % 24 + 1 }).Data();
            c = c with { Dims = c.Dims % 24 + 1 };
            int count = Math.Min(c.Count, 60);
            var metric = (DistanceMetric)c.Metric;
            var expected = CpuSimilarityKernel.Instance.Rarity(vectors, count, c.Dims, valid, Math.Min(c.K, 8), metric);
            var actual = gpu.Kernel.Rarity(vectors, count, c.Dims, valid, Math.Min(c.K, 8), metric);
            Assert.Equal(expected, actual);
            for (int r = 0; r < count; r++)
                if (valid is not null && !valid[r]) Assert.Null(expected[r]);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    [Fact]
    public void Rarity_is_the_mean_distance_to_the_k_nearest_other_rows()
    {
        // Rows on a line at 0, 1, 2 and 10: under L2 the 2 nearest others of row 3 are at 8 and 9.
        var vectors = new float[] { 0, 1, 2, 10 };
        var rarity = CpuSimilarityKernel.Instance.Rarity(vectors, 4, 1, null, 2, DistanceMetric.L2);
        Assert.Equal([1.5, 1.0, 1.5, 8.5], rarity);
        Assert.Equal(rarity, gpu.Kernel.Rarity(vectors, 4, 1, null, 2, DistanceMetric.L2));
        // A NULL row gets NULL and is nobody's neighbour.
        var withNull = CpuSimilarityKernel.Instance.Rarity(vectors, 4, 1, [true, true, false, true], 1, DistanceMetric.L2);
        Assert.Equal([1.0, 1.0, null, 9.0], withNull);
    }

    [Fact]
    public void The_reference_agrees_with_a_plain_sort_of_every_distance()
    {
        var random = new Random(3);
        var vectors = Enumerable.Range(0, 200 * 8).Select(_ => (float)random.Next(-3, 4)).ToArray();
        var probe = Enumerable.Range(0, 8).Select(_ => (float)random.Next(-3, 4)).ToArray();
        foreach (var metric in Enum.GetValues<DistanceMetric>())
        {
            float norm = MathF.Sqrt(probe.Sum(x => x * x));
            var all = Enumerable.Range(0, 200).Select(r => (Row: r, D: CpuSimilarityKernel.Distance(vectors.AsSpan(r * 8, 8), probe, norm, metric)))
                .Where(x => !float.IsNaN(x.D)).OrderBy(x => x.D).ThenBy(x => x.Row).Take(25).ToList();
            var top = CpuSimilarityKernel.Instance.TopK(vectors, 200, 8, null, null, probe, 1, 25, metric)[0];
            Assert.Equal(all.Select(x => x.Row), top.Rows);
        }
    }

    [CudaFact]
    public void Cuda_runs_the_same_kernel_when_a_device_is_present()
    {
        using var cuda = GpuSimilarityKernel.TryCuda();
        Assert.NotNull(cuda);
        var random = new Random(1);
        var vectors = Enumerable.Range(0, 5000 * 64).Select(_ => (float)random.Next(-4, 5)).ToArray();
        var probes = Enumerable.Range(0, 3 * 64).Select(_ => (float)random.Next(-4, 5)).ToArray();
        var expected = CpuSimilarityKernel.Instance.TopK(vectors, 5000, 64, null, null, probes, 3, 10, DistanceMetric.L2);
        var actual = cuda.TopK(vectors, 5000, 64, null, null, probes, 3, 10, DistanceMetric.L2);
        for (int p = 0; p < 3; p++) Assert.Equal(expected[p].Rows, actual[p].Rows);
    }
}
