using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Aggregate;

/// <summary>
/// The final stage of a distributed avg: the mean of partial (sum, count) pairs, as avg itself would give over all
/// the rows. Integer and DECIMAL partial sums add exactly in 128 bits, as avg accumulates them, and the mean is the
/// same double; float64 sums add in double (in another order than one machine would, so the last bits may differ).
/// Not a SQL function: the distributed planner (<see cref="Planning.Distributed.StageSplitter"/>) builds it.
/// </summary>
internal sealed class AverageMerge(DataType sum) : AggregateState
{
    /// <summary>The aggregate, over a partial sum column (int64, float64 or DECIMAL) and an int64 count.</summary>
    public static AggregateFunction Function { get; } = new("avg_merge", "avg_merge(sum, count)", "The mean of partial sums and counts (a distributed avg's final stage).", "",
        t => t is [var s, { Id: TypeId.Int64 }] && (s.Id is TypeId.Int64 or TypeId.Float64 || TypeRules.Logical(s) is DecimalType)
            ? new AggregateResolution(DataType.Float64, () => new AverageMerge(s), t) : null);

    private Int128[] _exact = new Int128[16];
    private double[] _floats = new double[16];
    private long[] _counts = new long[16];

    public override bool KeepsInputs => false;

    public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
    {
        var counts = (PrimitiveArray<long>)inputs[1];
        for (int i = 0; i < groups.Length; i++)
        {
            int g = groups[i];
            if (g >= _counts.Length)
            {
                BasicAggregates.Grow(ref _exact, g + 1);
                BasicAggregates.Grow(ref _floats, g + 1);
                BasicAggregates.Grow(ref _counts, g + 1);
            }
            if (counts.IsNull(i) || counts.Values[i] == 0 || inputs[0].IsNull(i)) continue;
            _counts[g] += counts.Values[i];
            switch (inputs[0])
            {
                case PrimitiveArray<long> l: _exact[g] += l.Values[i]; break;
                case PrimitiveArray<Int128> d: _exact[g] += d.Values[i]; break;
                case PrimitiveArray<double> f: _floats[g] += f.Values[i]; break;
                default: throw new InvalidOperationException($"avg_merge does not take {inputs[0].Type}");
            }
        }
    }

    public override ArrowArray Finish(int groupCount)
    {
        BasicAggregates.Grow(ref _exact, groupCount);
        BasicAggregates.Grow(ref _floats, groupCount);
        BasicAggregates.Grow(ref _counts, groupCount);
        var b = ArrayBuilder.Create(DataType.Float64);
        var logical = TypeRules.Logical(sum);
        for (int g = 0; g < groupCount; g++)
        {
            if (_counts[g] == 0) { b.AppendNull(); continue; }
            b.Append(logical is DecimalType d ? DecimalMath.ToDouble(_exact[g], d.Scale) / _counts[g]
                : sum.Id == TypeId.Float64 ? _floats[g] / _counts[g]
                : (double)_exact[g] / _counts[g]);
        }
        return b.Build();
    }
}
