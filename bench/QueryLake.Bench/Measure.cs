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

    /// <summary>The median wall-clock seconds of <paramref name="n"/> runs each of <paramref name="ours"/> and
    /// <paramref name="theirs"/>, taken in turns (ours, theirs, ours, …) so that a noisy stretch of the shared machine
    /// or the page cache's write-back falls on both sides alike.</summary>
    public static (double Ours, double Theirs) MedianSecondsInTurns(int n, Action ours, Action theirs)
    {
        var a = new List<double>(n);
        var b = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            a.Add(Seconds(ours));
            b.Add(Seconds(theirs));
        }
        return (a.Order().ElementAt(n / 2), b.Order().ElementAt(n / 2));
    }

    public static double Seconds(Action run)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        run();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The median wall-clock seconds of <paramref name="n"/> runs of <paramref name="run"/>.</summary>
    public static double MedianSeconds(int n, Action run) => Median(n, () => Seconds(run));
}
