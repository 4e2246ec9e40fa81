using System.Globalization;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Kernels;
using QueryLake.Kernels.Similarity;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>
/// A top-k whose first key is a similarity search a kernel can run: a distance function of a float32 vector column of
/// the scan and a constant probe, ordered nearest first (a distance ascending, or a similarity descending) with NULLs
/// last. <see cref="Match"/> reads it off TopK(Project(Scan)); <see cref="Margin"/> bounds how far a kernel's
/// rounding can move a distance from the SQL function's.
/// </summary>
/// <param name="Column">The vector column's index among the scan's columns.</param>
/// <param name="ColumnName">Its name, as caches key it.</param>
/// <param name="Dims">Floats per vector.</param>
/// <param name="Probe">The constant vector.</param>
/// <param name="Metric">The kernel's distance (the similarity functions order as their distances reversed).</param>
/// <param name="NaNFirst">Whether the order puts NaN first (a descending similarity).</param>
/// <param name="Function">The SQL function.</param>
internal sealed record SimilarityKey(int Column, string ColumnName, int Dims, float[] Probe, DistanceMetric Metric, bool NaNFirst, string Function)
{
    /// <summary>The dataset snapshot the scan reads, when it reads one (device columns are kept per version).</summary>
    public Storage.DatasetSnapshot? Snapshot { get; init; }

    /// <summary>The key of <paramref name="topK"/> over <paramref name="project"/> over <paramref name="scan"/>, or null.</summary>
    public static SimilarityKey? Match(TopKNode topK, ProjectNode project, ScanNode scan)
    {
        var order = topK.Keys[0];
        if (order.NullsFirst) return null;
        var first = ExpressionRewriter.Rewrite(order.Expr, e => e is ColumnRef c ? project.Exprs[c.Index] : null);
        if (first is not Call { Args.Count: 2 } call) return null;
        (DistanceMetric Metric, bool Descending)? kind = call.Function.Name switch
        {
            "cosine_distance" => (DistanceMetric.Cosine, false),
            "cosine_similarity" => (DistanceMetric.Cosine, true),
            "inner_product_distance" => (DistanceMetric.InnerProduct, false),
            "inner_product" => (DistanceMetric.InnerProduct, true),
            "l2_distance" => (DistanceMetric.L2, false),
            _ => null,
        };
        if (kind is not var (metric, descending) || order.Descending != descending) return null;
        var (column, probe) = call.Args[0] is ColumnRef ? (call.Args[0] as ColumnRef, call.Args[1] as Literal) : (call.Args[1] as ColumnRef, call.Args[0] as Literal);
        if (column is null || probe is null || column.Index >= scan.Columns.Count) return null;
        if (column.ColumnType.StorageType is not FixedSizeListType { ValueType.Id: TypeId.Float32, ListSize: var dims and > 0 }) return null;
        if (Floats(probe, dims) is not { } vector) return null;
        return new SimilarityKey(column.Index, scan.Columns[column.Index], dims, vector, metric, descending, call.Function.Name)
        {
            Snapshot = (scan.Source as DatasetSource)?.Snapshot,
        };
    }

    /// <summary>A constant vector of <paramref name="dims"/> floats (no NULL element), or null.</summary>
    private static float[]? Floats(Literal probe, int dims)
    {
        if (probe.Value is null) return null;
        var array = Vectors.Broadcast(probe.Type, probe.Value, 1);
        ArrowArray? values = array switch
        {
            FixedSizeListArray f when !f.IsNull(0) => f.GetSlice(0),
            ListArray l when !l.IsNull(0) => l.GetSlice(0),
            _ => null,
        };
        if (values is null || values.Length != dims || values.NullCount > 0) return null;
        var floats = new float[dims];
        // A list of vectors (the closest of several probes) is another function: only numbers make a probe.
        for (int i = 0; i < dims; i++)
            if (values.GetValue(i) is float or double or long or int or short or sbyte or byte or decimal or Half) floats[i] = Convert.ToSingle(values.GetValue(i), CultureInfo.InvariantCulture);
            else return null;
        return floats;
    }

    /// <summary>How far past a kernel's k-th distance <c>d</c> a row can lie and still be among the k nearest by the SQL
    /// function: twice the bound on the difference between two float sums of the same <see cref="Dims"/> terms in
    /// different orders ((n − 1)·u·Σ|terms| each, u = 2⁻²⁴), plus the rounding of the last operations. With
    /// <paramref name="maxSquare"/> the largest ‖x‖² of the column (inner products scale with it).</summary>
    public Func<float, float> Margin(float maxSquare)
    {
        const double U = 1.0 / (1 << 24);
        double n = Dims;
        double probeNorm = Math.Sqrt(Probe.Sum(x => (double)x * x));
        return Metric switch
        {
            // |cos| ≤ 1: each dot product, norm and the quotient err by a few n·u.
            DistanceMetric.Cosine => d => Up(d + 8 * (n + 4) * U),
            DistanceMetric.InnerProduct => d => Up(d + 4 * (n + 4) * U * (Math.Sqrt(maxSquare) * probeNorm + Math.Abs(d))),
            // Σ(x − y)² has no cancellation: its error is relative, and the square root halves it.
            _ => d => Up(d * (1 + 4 * (n + 4) * U) + 1e-30),
        };
    }

    /// <summary>A float at or above <paramref name="x"/>.</summary>
    private static float Up(double x) => MathF.BitIncrement((float)x);
}
