using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Errors;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Sample;

/// <summary>
/// Seeded, reproducible sampling. Row i of the input (its position in input order) draws u(seed, i), a SplitMix64
/// hash mapped to [0, 1): the same seed and input give the same rows on any machine. BERNOULLI keeps rows with
/// u &lt; p; SYSTEM keeps blocks of 1,024 rows by the block's draw; n ROWS keeps the n smallest draws (per key value
/// with PER); PERCENT keeps exactly round(p × N) rows (per stratum, counts by largest remainder); WEIGHTED BY keeps
/// the n largest u^(1/w) (Efraimidis–Spirakis), or, WITH REPLACEMENT, n independent weighted draws. Output keeps
/// input order.
/// </summary>
internal sealed class SampleOperator(SampleNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Sample";
    public override string Detail => node.Label()[(node.Label().IndexOf(':') + 1)..].Trim();
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    private const int SystemBlock = 1024;

    public static IEnumerable<RecordBatch> Execute(SampleNode node, IEnumerable<RecordBatch> input, QueryContext ctx) =>
        node.Method is "BERNOULLI" or "SYSTEM" ? Streaming(node, input, ctx) : Blocking(node, input, ctx);

    private static IEnumerable<RecordBatch> Streaming(SampleNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        double p = node.Amount / 100;
        long row = 0;
        foreach (var b in input)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            var keep = new List<int>();
            for (int r = 0; r < b.Length; r++, row++)
                if (SeededDraw.Draw(node.Seed, node.Method == "SYSTEM" ? row / SystemBlock : row) < p) keep.Add(r);
            if (keep.Count == b.Length) yield return b;
            else if (keep.Count > 0) yield return Gather.Rows(b, keep.ToArray());
        }
    }

    private static IEnumerable<RecordBatch> Blocking(SampleNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        var batches = new List<RecordBatch>();
        var keys = new List<object?>();
        var weights = new List<double>();
        foreach (var b in input)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            batches.Add(b);
            if (node.Key is not null)
            {
                var k = ExpressionEvaluator.Evaluate(node.Key, b);
                for (int r = 0; r < b.Length; r++) keys.Add(k.GetValue(r));
            }
            if (node.Weight is not null)
            {
                var w = CastKernel.ToFloat64(ExpressionEvaluator.Evaluate(node.Weight, b));
                for (int r = 0; r < b.Length; r++) weights.Add(w.IsNull(r) ? 0 : w[r]);
            }
        }
        long total = batches.Sum(b => (long)b.Length);
        var rows = Choose(node, total, keys, weights);
        if (rows.Count == 0 || batches.Count == 0) yield break;
        // Rows in input order, as (batch, row) picks.
        var starts = new long[batches.Count];
        for (int i = 1; i < starts.Length; i++) starts[i] = starts[i - 1] + batches[i - 1].Length;
        var picks = new Gather.Pick[rows.Count];
        for (int k = 0; k < rows.Count; k++)
        {
            int bi = Array.BinarySearch(starts, rows[k]);
            if (bi < 0) bi = ~bi - 1;
            while (bi + 1 < starts.Length && starts[bi + 1] == rows[k]) bi++; // skip empty batches
            picks[k] = new Gather.Pick(bi, (int)(rows[k] - starts[bi]));
        }
        var schema = batches[0].Schema;
        const int Chunk = 1 << 16;
        for (int s = 0; s < picks.Length; s += Chunk)
        {
            var part = picks.AsSpan(s, Math.Min(Chunk, picks.Length - s));
            var columns = new ArrowArray[schema.Fields.Count];
            for (int c = 0; c < columns.Length; c++) columns[c] = Gather.Rows(schema.Fields[c].DataType, batches.Select(b => b.Columns[c]).ToList(), part);
            yield return new RecordBatch(schema, columns, part.Length);
        }
    }

    /// <summary>The chosen row positions, ascending (repeated for draws with replacement).</summary>
    private static List<long> Choose(SampleNode node, long total, List<object?> keys, List<double> weights)
    {
        long seed = node.Seed;
        if (node.Weight is not null)
        {
            long n = (long)node.Amount;
            if (node.WithReplacement)
            {
                var cumulative = new double[total];
                double sum = 0;
                for (int i = 0; i < total; i++) { sum += Math.Max(0, weights[i]); cumulative[i] = sum; }
                if (sum <= 0) return [];
                var drawn = new List<long>();
                for (long d = 0; d < n; d++)
                {
                    double target = SeededDraw.Draw(seed ^ 0x5DEECE66DL, d) * sum;
                    int at = Array.BinarySearch(cumulative, target);
                    if (at < 0) at = ~at;
                    while (at < total && (at == 0 ? cumulative[0] : cumulative[at] - cumulative[at - 1]) <= 0) at++;
                    drawn.Add(Math.Min(at, total - 1));
                }
                drawn.Sort();
                return drawn;
            }
            // Without replacement: the n largest ln(u)/w among rows of positive weight.
            return Smallest(Enumerable.Range(0, (int)total).Where(i => weights[i] > 0)
                .Select(i => ((long)i, -Math.Log(Math.Max(SeededDraw.Draw(seed, i), double.Epsilon)) / weights[i])), n);
        }
        if (node.Key is null)
        {
            long n = node.Method == "ROWS" ? (long)node.Amount : (long)Math.Round(node.Amount / 100 * total, MidpointRounding.AwayFromZero);
            return Smallest(Enumerable.Range(0, (int)total).Select(i => ((long)i, SeededDraw.Draw(seed, i))), n);
        }
        // Per stratum: its rows in order of first appearance of the stratum.
        var strata = new Dictionary<object, List<long>>(new StratumComparer());
        var order = new List<object>();
        for (int i = 0; i < total; i++)
        {
            var k = keys[i] ?? NullStratum.Instance;
            if (!strata.TryGetValue(k, out var list)) { strata[k] = list = []; order.Add(k); }
            list.Add(i);
        }
        var quotas = new Dictionary<object, long>(new StratumComparer());
        if (node.Method == "ROWS") foreach (var k in order) quotas[k] = (long)node.Amount;
        else
        {
            // Largest remainder: floors first, then the rows left go to the largest fractions (ties: first stratum).
            double p = node.Amount / 100;
            long target = (long)Math.Round(p * total, MidpointRounding.AwayFromZero);
            var exact = order.Select(k => (Key: k, Value: p * strata[k].Count)).ToList();
            foreach (var (k, v) in exact) quotas[k] = (long)Math.Floor(v);
            long left = target - quotas.Values.Sum();
            foreach (var (k, _) in exact.Select((e, i) => (e, i)).OrderByDescending(x => x.e.Value - Math.Floor(x.e.Value)).ThenBy(x => x.i).Select(x => x.e).Take((int)Math.Max(0, left)))
                quotas[k]++;
        }
        var chosen = new List<long>();
        foreach (var k in order) chosen.AddRange(Smallest(strata[k].Select(i => (i, SeededDraw.Draw(seed, i))), quotas[k]));
        chosen.Sort();
        return chosen;
    }

    /// <summary>The positions of the n smallest scores (ties by position), ascending by position.</summary>
    private static List<long> Smallest(IEnumerable<(long Row, double Score)> scored, long n)
    {
        if (n <= 0) return [];
        var heap = new PriorityQueue<long, (double, long)>(Comparer<(double, long)>.Create((a, b) => b.CompareTo(a)));
        foreach (var (row, score) in scored)
        {
            if (heap.Count < n) heap.Enqueue(row, (score, row));
            else if (heap.TryPeek(out _, out var worst) && (score, row).CompareTo(worst) < 0)
            {
                heap.Dequeue();
                heap.Enqueue(row, (score, row));
            }
        }
        var rows = new List<long>(heap.Count);
        while (heap.Count > 0) rows.Add(heap.Dequeue());
        rows.Sort();
        return rows;
    }

    private sealed class NullStratum
    {
        public static readonly NullStratum Instance = new();
    }

    /// <summary>Strata compare as SQL values (numbers by value, strings ordinally).</summary>
    private sealed class StratumComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? a, object? b) => a is not null && b is not null && (ReferenceEquals(a, b) || (a.GetType() == b.GetType() ? a.Equals(b) : Comparer.Values(a, b) == 0));

        public int GetHashCode(object o) => o switch
        {
            long or int or short or sbyte or byte or ushort or uint => Convert.ToInt64(o, System.Globalization.CultureInfo.InvariantCulture).GetHashCode(),
            _ => o.GetHashCode(),
        };
    }
}
