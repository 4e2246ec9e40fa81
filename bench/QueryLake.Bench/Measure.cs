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

    /// <summary>The median wall-clock seconds of <paramref name="n"/> runs of <paramref name="run"/>.</summary>
    public static double MedianSeconds(int n, Action run) => Median(n, () =>
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        run();
        return sw.Elapsed.TotalSeconds;
    });
}
