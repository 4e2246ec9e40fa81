using System.Globalization;
using System.Numerics.Tensors;
using QueryLake.Errors;
using QueryLake.Kernels.Similarity;

namespace QueryLake.Execution.Operators.Window;

/// <summary>
/// Window functions over embeddings. rarity: for every row of a partition, the mean cosine distance to its k nearest other rows
/// (exact, brute force over the partition: n² dot products of unit vectors, rows in parallel). A sample far from
/// everything else (a rare condition, a labelling accident) scores high; one of many near-copies scores near 0.
/// Rows with a NULL vector get NULL and are nobody's neighbour; k larger than the partition uses every other row.
/// near_duplicate: walking the partition in window order, a row is a near-duplicate when its cosine similarity to
/// an earlier row that was kept (not itself a near-duplicate) exceeds the threshold; so QUALIFY NOT near_duplicate(…)
/// keeps the best-ranked representative of every group of near-copies (greedy, as deduplication by similarity is).
/// </summary>
internal static class NearestNeighbours
{
    public static object?[] NearDuplicates(int n, Func<int, object?> vector, object? thresholdArgument)
    {
        if (thresholdArgument is null) throw new QueryLakeException("QL-BAD-ARGUMENT", "near_duplicate(embedding, threshold) needs a threshold");
        float threshold = Convert.ToSingle(thresholdArgument, CultureInfo.InvariantCulture);
        var rows = UnitVectors(n, vector, "near_duplicate");
        var kept = new List<float[]>();
        var result = new object?[n];
        for (int i = 0; i < n; i++)
        {
            if (rows[i] is not { } x) continue;
            bool duplicate = false;
            foreach (var k in kept)
                if (TensorPrimitives.Dot(x, k) > threshold) { duplicate = true; break; }
            if (!duplicate) kept.Add(x);
            result[i] = duplicate;
        }
        return result;
    }

    /// <summary>Partitions from this many rows have their rarity computed on the GPU under <c>device = 'auto'</c>
    /// (n² dot products: 16 M pairs).</summary>
    public const int AutoRows = 4096;

    /// <summary>The GPU kernel a partition of <paramref name="n"/> rows computes its rarity on (<c>SET device</c>), or
    /// null for the CPU.</summary>
    public static ISimilarityKernel? RarityDevice(QueryContext ctx, int n) => ctx.Device switch
    {
        DevicePolicy.Cpu => null,
        DevicePolicy.Gpu => SimilarityDevices.Require(),
        _ => n >= AutoRows && SimilarityDevices.Gpu is { IsGpu: true } gpu ? gpu : null,
    };

    public static object?[] Rarity(int n, Func<int, object?> vector, object? kArgument, ISimilarityKernel? device = null, CancellationToken cancel = default)
    {
        long k = kArgument is null ? 0 : Convert.ToInt64(kArgument, CultureInfo.InvariantCulture);
        if (k < 1) throw new QueryLakeException("QL-BAD-ARGUMENT", "rarity(embedding, k) needs k ≥ 1");
        var rows = UnitVectors(n, vector, "rarity");
        if (device is not null && rows.FirstOrDefault(r => r is not null) is { } some)
        {
            // The same scores on the device: on unit vectors, 1 − cosine is 1 + (−x·y), the inner-product distance.
            int dims = some.Length;
            var packed = new float[(long)n * dims <= Array.MaxLength ? n * dims : throw new QueryLakeException("QL-OUT-OF-MEMORY", "rarity(): the partition's vectors exceed one array")];
            var valid = new bool[n];
            for (int i = 0; i < n; i++)
                if (rows[i] is { } x) { x.CopyTo(packed, i * dims); valid[i] = true; }
            using var column = device.Load(packed, n, dims, valid);
            var means = device.Rarity(column, (int)Math.Min(k, int.MaxValue - 1), DistanceMetric.InnerProduct, cancel);
            return means.Select(m => m is { } v ? (object?)(1 + v) : null).ToArray();
        }
        var live = Enumerable.Range(0, n).Where(i => rows[i] is not null).ToArray();
        var result = new object?[n];
        int take = (int)Math.Min(k, Math.Max(0, live.Length - 1));
        System.Threading.Tasks.Parallel.For(0, live.Length, new ParallelOptions { MaxDegreeOfParallelism = Parallel.Degree }, () => new float[take], (a, _, best) =>
        {
            // best holds the `take` highest similarities so far, smallest first.
            int filled = 0;
            var x = rows[live[a]]!;
            for (int b = 0; b < live.Length; b++)
            {
                if (b == a) continue;
                float s = TensorPrimitives.Dot(x, rows[live[b]]!);
                if (filled < take) { Insert(best, filled++, s); }
                else if (take > 0 && s > best[0]) { Array.Copy(best, 1, best, 0, take - 1); Insert(best, take - 1, s); }
            }
            double sum = 0;
            for (int j = 0; j < filled; j++) sum += 1 - best[j];
            result[live[a]] = filled == 0 ? null : sum / filled;
            return best;
        }, _ => { });
        return result;
    }

    /// <summary>The rows' vectors scaled to unit length (NULL stays null); all must have one dimension.</summary>
    private static float[]?[] UnitVectors(int n, Func<int, object?> vector, string function)
    {
        var rows = new float[]?[n];
        int dimension = -1;
        for (int i = 0; i < n; i++)
        {
            if (vector(i) is not { } v) continue;
            var f = v switch
            {
                float[] a => (float[])a.Clone(),
                System.Collections.IEnumerable e => e.Cast<object?>().Select(x => x is null ? float.NaN : Convert.ToSingle(x, CultureInfo.InvariantCulture)).ToArray(),
                _ => throw new QueryLakeException("QL-TYPE-MISMATCH", $"{function}() needs vectors, not {v.GetType().Name}"),
            };
            if (dimension >= 0 && f.Length != dimension)
                throw new QueryLakeException("QL-TYPE-MISMATCH", $"{function}() needs vectors of one dimension, not {dimension} and {f.Length}");
            dimension = f.Length;
            float norm = TensorPrimitives.Norm(f);
            if (norm > 0) TensorPrimitives.Divide(f, norm, f);
            rows[i] = f;
        }
        return rows;
    }

    /// <summary>Inserts s into the sorted prefix best[0..count) (count &lt; length).</summary>
    private static void Insert(float[] best, int count, float s)
    {
        int i = count;
        while (i > 0 && best[i - 1] > s) { best[i] = best[i - 1]; i--; }
        best[i] = s;
    }
}
