using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;

namespace QueryLake.Functions.Aggregate;

/// <summary>Variance, standard deviation (Welford's numerically stable update), median and quantiles.
/// Fewer than two values give NULL for the sample statistics, as in DuckDB.</summary>
internal static class StatisticalAggregates
{
    public static void Register(FunctionRegistry r)
    {
        foreach (var (name, alias, sample, sqrt, desc) in new[]
        {
            ("var_samp", "variance", true, false, "Sample variance."),
            ("var_pop", null, false, false, "Population variance."),
            ("stddev_samp", "stddev", true, true, "Sample standard deviation."),
            ("stddev_pop", null, false, true, "Population standard deviation."),
        })
        {
            foreach (var n in new[] { name, alias }.OfType<string>())
                r.Add(new AggregateFunction(n, $"{n}(x)", desc, $"SELECT {n}(brightness) FROM scenes",
                    t => t.Count == 1 && (t[0].IsNumeric || t[0] is DecimalType) ? new AggregateResolution(DataType.Float64, () => new MomentState(sample, sqrt), [DataType.Float64]) : null));
        }
        r.Add(new AggregateFunction("median", "median(x)", "The middle value, interpolated between the two middle ones for an even count.", "SELECT median(delay) FROM flights",
            t => t.Count == 1 && (t[0].IsNumeric || t[0] is DecimalType) ? new AggregateResolution(DataType.Float64, () => new QuantileState(continuous: true), [DataType.Float64]) : null));
        r.Add(new AggregateFunction("quantile_cont", "quantile_cont(x, q)", "The q-quantile (0 ≤ q ≤ 1), interpolated linearly between neighbouring values.", "SELECT quantile_cont(delay, 0.9) FROM flights",
            t => t.Count == 2 && (t[0].IsNumeric || t[0] is DecimalType) ? new AggregateResolution(DataType.Float64, () => new QuantileState(continuous: true), [DataType.Float64, DataType.Float64]) : null));
        foreach (var n in new[] { "quantile_disc", "quantile" })
            r.Add(new AggregateFunction(n, $"{n}(x, q)", "The q-quantile (0 ≤ q ≤ 1) as an actual value of x (the nearest rank below).", $"SELECT {n}(delay, 0.5) FROM flights",
                t => t.Count == 2 && (t[0].IsNumeric || t[0] is DecimalType) ? new AggregateResolution(DataType.Float64, () => new QuantileState(continuous: false), [DataType.Float64, DataType.Float64]) : null));
    }

    private sealed class MomentState(bool sample, bool sqrt) : AggregateState
    {
        private long[] _n = new long[16];
        private double[] _mean = new double[16];
        private double[] _m2 = new double[16];

        public override bool KeepsInputs => false;

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var x = (PrimitiveArray<double>)inputs[0];
            for (int i = 0; i < groups.Length; i++)
            {
                if (x.IsNull(i)) continue;
                int g = groups[i];
                BasicAggregates.Grow(ref _n, g + 1); BasicAggregates.Grow(ref _mean, g + 1); BasicAggregates.Grow(ref _m2, g + 1);
                double v = x[i], delta = v - _mean[g];
                _n[g]++;
                _mean[g] += delta / _n[g];
                _m2[g] += delta * (v - _mean[g]);
            }
        }

        public override ArrowArray Finish(int groupCount)
        {
            BasicAggregates.Grow(ref _n, groupCount); BasicAggregates.Grow(ref _m2, groupCount);
            var b = ArrayBuilder.Create(DataType.Float64);
            for (int g = 0; g < groupCount; g++)
            {
                long n = _n[g];
                if (n == 0 || (sample && n < 2)) { b.AppendNull(); continue; }
                double variance = _m2[g] / (sample ? n - 1 : n);
                b.Append(sqrt ? Math.Sqrt(variance) : variance);
            }
            return b.Build();
        }
    }

    private sealed class QuantileState(bool continuous) : AggregateState
    {
        private readonly List<List<double>> _values = [];
        private double? _q;

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var x = (PrimitiveArray<double>)inputs[0];
            if (inputs.Count > 1 && _q is null && inputs[1].Length > 0)
            {
                var q = (PrimitiveArray<double>)inputs[1];
                if (q.IsNull(0) || q[0] < 0 || q[0] > 1) throw new QueryLakeException("QL-BAD-ARGUMENT", "the quantile must be a constant between 0 and 1");
                _q = q[0];
            }
            for (int i = 0; i < groups.Length; i++)
            {
                while (_values.Count <= groups[i]) { _values.Add([]); _held += 56; }
                if (x.IsValid(i)) { _values[groups[i]].Add(x[i]); _held += 8; }
            }
        }

        private long _held;

        public override long HeldBytes => _held;

        public override ArrowArray Finish(int groupCount)
        {
            double q = _q ?? 0.5;
            var b = ArrayBuilder.Create(DataType.Float64);
            for (int g = 0; g < groupCount; g++)
            {
                if (g >= _values.Count || _values[g].Count == 0) { b.AppendNull(); continue; }
                var v = _values[g];
                v.Sort(Comparer.Doubles);
                if (continuous)
                {
                    double pos = q * (v.Count - 1);
                    int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
                    b.Append(v[lo] + (v[hi] - v[lo]) * (pos - lo));
                }
                else b.Append(v[(int)Math.Floor(q * (v.Count - 1))]);
            }
            return b.Build();
        }
    }
}
