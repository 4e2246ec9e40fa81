namespace QueryLake.Bench;

/// <summary>How the harnesses turn repeated measurements into one figure on a noisy shared machine.</summary>
internal static class Measure
{
    /// <summary>The median of <paramref name="n"/> runs of <paramref name="measure"/>.</summary>
    public static double Median(int n, Func<double> measure)
    {
        var xs = Enumerable.Range(0, n).Select(_ => measure()).Order().ToArray();
        return xs[xs.Length / 2];
    }
}
