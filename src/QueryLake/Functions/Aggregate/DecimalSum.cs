using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;

namespace QueryLake.Functions.Aggregate;

/// <summary>sum and avg of DECIMAL(p, s), exact: each group's unscaled values add in 128 bits (an overflow is an
/// error). sum gives DECIMAL(38, s), as in DuckDB; avg gives the exact sum over the count as a double.</summary>
internal sealed class DecimalSum(DecimalType input, bool average) : AggregateState
{
    private Int128[] _sums = new Int128[16];
    private long[] _counts = new long[16];

    /// <summary>The result type of sum over <paramref name="input"/>.</summary>
    public static DecimalType SumType(DecimalType input) => new(DecimalType.MaxPrecision, input.Scale);

    public override bool KeepsInputs => false;

    public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
    {
        var x = (PrimitiveArray<Int128>)inputs[0];
        var v = x.Values;
        bool noNulls = x.NullCount == 0;
        for (int i = 0; i < groups.Length; i++)
        {
            if (!noNulls && x.IsNull(i)) continue;
            int g = groups[i];
            if (g >= _sums.Length) { BasicAggregates.Grow(ref _sums, g + 1); BasicAggregates.Grow(ref _counts, g + 1); }
            try { _sums[g] = checked(_sums[g] + v[i]); }
            catch (OverflowException) { throw Overflow(); }
            _counts[g]++;
        }
    }

    public override void UpdateSingle(IReadOnlyList<ArrowArray> inputs, int length)
    {
        var x = (PrimitiveArray<Int128>)inputs[0];
        var v = x.Values;
        bool noNulls = x.NullCount == 0;
        Int128 sum = _sums[0];
        long count = 0;
        try
        {
            for (int i = 0; i < length; i++)
            {
                if (!noNulls && x.IsNull(i)) continue;
                sum = checked(sum + v[i]);
                count++;
            }
        }
        catch (OverflowException) { throw Overflow(); }
        _sums[0] = sum;
        _counts[0] += count;
    }

    private QueryLakeException Overflow() => new("QL-OVERFLOW", $"sum overflow: the total of DECIMAL({input.Precision}, {input.Scale}) values does not fit in 128 bits");

    public override ArrowArray Finish(int groupCount)
    {
        BasicAggregates.Grow(ref _sums, groupCount);
        BasicAggregates.Grow(ref _counts, groupCount);
        var valid = new byte[BitUtil.BytesFor(groupCount)];
        int nulls = 0;
        for (int g = 0; g < groupCount; g++)
            if (_counts[g] == 0) nulls++; else BitUtil.SetBit(valid, g, true);
        var validity = nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid);
        if (average)
        {
            var means = new double[groupCount];
            for (int g = 0; g < groupCount; g++)
                if (_counts[g] > 0) means[g] = DecimalMath.ToDouble(_sums[g], input.Scale) / _counts[g];
            return Vectors.Make(DataType.Float64, means, validity, nulls);
        }
        var type = SumType(input);
        for (int g = 0; g < groupCount; g++)
            if (!DecimalMath.Fits(_sums[g], type.Precision)) throw Overflow();
        return Vectors.Make(type, _sums[..groupCount], validity, nulls);
    }
}
