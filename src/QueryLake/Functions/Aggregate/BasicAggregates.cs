using System.Numerics;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;

namespace QueryLake.Functions.Aggregate;

/// <summary>count, sum, avg, min and max. Sums of integers are exact (128-bit accumulation) and an
/// int64 result that does not fit is an error; NULL inputs are skipped; an empty group gives NULL
/// (count gives 0).</summary>
internal static class BasicAggregates
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new AggregateFunction("count", "count(*) | count(x)", "Number of rows, or of non-NULL values of x.", "SELECT count(*) FROM scenes",
            t => t.Count <= 1 ? new AggregateResolution(DataType.Int64, () => new CountState()) : null));
        r.Add(new AggregateFunction("sum", "sum(x)", "Sum of the non-NULL values (exact for integers and DECIMAL, which sums to DECIMAL(38, s)).", "SELECT sum(size) FROM scenes",
            t => t.Count == 1 && TypeRules.Logical(t[0]) is DecimalType d ? new AggregateResolution(DecimalSum.SumType(d), () => new DecimalSum(d, average: false), [d])
                : t.Count == 1 && TypeRules.Numeric(t[0], t[0]) is { } c
                ? new AggregateResolution(c, () => Sum(c, average: false), [c]) : null));
        r.Add(new AggregateFunction("avg", "avg(x)", "Mean of the non-NULL values.", "SELECT avg(brightness) FROM scenes",
            t => t.Count == 1 && TypeRules.Logical(t[0]) is DecimalType d ? new AggregateResolution(DataType.Float64, () => new DecimalSum(d, average: true), [d])
                : t.Count == 1 && TypeRules.Numeric(t[0], t[0]) is { } c
                ? new AggregateResolution(DataType.Float64, () => Sum(c, average: true), [c]) : null));
        r.Add(new AggregateFunction("min", "min(x)", "Smallest non-NULL value.", "SELECT min(captured_at) FROM scenes",
            t => t.Count != 1 ? null : new AggregateResolution(TypeRules.Kept(t[0]), () => new MinMaxState(TypeRules.Kept(t[0]), max: false), [TypeRules.Kept(t[0])])) { IgnoresDuplicates = true });
        r.Add(new AggregateFunction("max", "max(x)", "Largest non-NULL value.", "SELECT max(captured_at) FROM scenes",
            t => t.Count != 1 ? null : new AggregateResolution(TypeRules.Kept(t[0]), () => new MinMaxState(TypeRules.Kept(t[0]), max: true), [TypeRules.Kept(t[0])])) { IgnoresDuplicates = true });
    }

    private static AggregateState Sum(DataType type, bool average) =>
        type.Id == TypeId.Int64 ? new SumState<long, Int128>(average) : new SumState<double, double>(average);

    internal static void Grow<T>(ref T[] a, int needed)
    {
        if (needed <= a.Length) return;
        Array.Resize(ref a, Math.Max(needed, a.Length * 2));
    }

    private sealed class CountState : AggregateState
    {
        private long[] _counts = new long[16];

        /// <summary>Counting reads only validity, which an encoded array has too.</summary>
        public override bool AcceptsDictionaries => true;

        public override bool KeepsInputs => false;

        /// <summary>Without GROUP BY: the row count, or the count of non-NULL inputs from the validity's null count.</summary>
        public override void UpdateSingle(IReadOnlyList<ArrowArray> inputs, int length)
        {
            var input = inputs.Count == 0 ? null : inputs[0];
            _counts[0] += input is null ? length : length - (input.Length == length ? input.NullCount : Enumerable.Range(0, length).Count(input.IsNull));
        }

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var input = inputs.Count == 0 ? null : inputs[0];
            for (int i = 0; i < groups.Length; i++)
            {
                Grow(ref _counts, groups[i] + 1);
                if (input is null || input.IsValid(i)) _counts[groups[i]]++;
            }
        }

        public override ArrowArray Finish(int groupCount)
        {
            Grow(ref _counts, groupCount);
            return Vectors.Make(DataType.Int64, _counts[..groupCount], Columnar.Memory.ArrowBuffer.Empty, 0);
        }
    }

    /// <summary>sum and avg: int64 inputs accumulate exactly in Int128, float64 inputs in double.</summary>
    private sealed class SumState<TIn, TAcc>(bool average) : AggregateState
        where TIn : unmanaged, INumber<TIn>
        where TAcc : unmanaged, INumber<TAcc>
    {
        private TAcc[] _sums = new TAcc[16];
        private long[] _counts = new long[16];

        public override bool KeepsInputs => false;

        /// <summary>int64 inputs: each group's running int64 sum, moved into its 128-bit total (<see cref="_sums"/>)
        /// whenever the next addition would overflow, as the single-group path does.</summary>
        private long[] _partials = new long[16];

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var x = (PrimitiveArray<TIn>)inputs[0];
            var values = x.Values;
            bool noNulls = x.NullCount == 0;
            if (x is PrimitiveArray<long> l && typeof(TAcc) == typeof(Int128))
            {
                // One growth check per batch, then per row an int64 add with the sign test for overflow instead of a
                // 128-bit add (the grouped sums of the SQL benchmark spent most of their time there).
                if (groups.Length == 0) return;
                int needed = System.Numerics.Tensors.TensorPrimitives.Max(groups) + 1;
                if (needed > _sums.Length) { Grow(ref _sums, needed); Grow(ref _counts, needed); }
                Grow(ref _partials, _sums.Length);
                var v = l.Values;
                var sums = System.Runtime.InteropServices.MemoryMarshal.Cast<TAcc, Int128>(_sums.AsSpan());
                var partials = _partials;
                var counts = _counts;
                for (int i = 0; i < groups.Length; i++)
                {
                    if (!noNulls && !l.IsValid(i)) continue;
                    int g = groups[i];
                    long p = partials[g], add = v[i], next = unchecked(p + add);
                    if (((p ^ next) & (add ^ next)) < 0) { sums[g] += p; partials[g] = add; }
                    else partials[g] = next;
                    counts[g]++;
                }
                return;
            }
            for (int i = 0; i < groups.Length; i++)
            {
                int g = groups[i];
                if (g >= _sums.Length) { Grow(ref _sums, g + 1); Grow(ref _counts, g + 1); }
                if (noNulls || x.IsValid(i)) { _sums[g] += TAcc.CreateTruncating(values[i]); _counts[g]++; }
            }
        }

        public override void UpdateSingle(IReadOnlyList<ArrowArray> inputs, int length)
        {
            var x = (PrimitiveArray<TIn>)inputs[0];
            bool noNulls = x.NullCount == 0;
            long count = 0;
            if (x is PrimitiveArray<long> l)
            {
                // Exact: an int64 running sum, moved into the 128-bit total whenever the next addition would overflow.
                var v = l.Values;
                Int128 total = 0;
                long partial = 0;
                int i = 0;
                if (noNulls && System.Numerics.Vector.IsHardwareAccelerated)
                {
                    // Blocks of 8,192 values add as vectors in one pass, each lane an int64 running sum that flags an
                    // overflow the way the row loop below detects one (the operands agree in sign and the result does
                    // not); a block whose lanes never overflowed is exact and its lanes go into the 128-bit total. The
                    // first block that overflows, and everything after it, goes through the exact row loop.
                    const int Block = 8192;
                    int width = System.Numerics.Vector<long>.Count;
                    for (; i + Block <= length; i += Block)
                    {
                        var block = v.Slice(i, Block);
                        System.Numerics.Vector<long> sum = default, overflow = default;
                        for (int j = 0; j < Block; j += width)
                        {
                            var add = new System.Numerics.Vector<long>(block[j..]);
                            var next = sum + add;
                            overflow |= (sum ^ next) & (add ^ next);
                            sum = next;
                        }
                        if (System.Numerics.Vector.LessThanAny(overflow, default)) break;
                        for (int lane = 0; lane < width; lane++) total += sum[lane];
                        count += Block;
                    }
                }
                for (; i < length; i++)
                {
                    if (!noNulls && !l.IsValid(i)) continue;
                    long next = unchecked(partial + v[i]);
                    if (((partial ^ next) & (v[i] ^ next)) < 0) { total += partial; partial = v[i]; }
                    else partial = next;
                    count++;
                }
                _sums[0] += TAcc.CreateTruncating(total + partial);
            }
            else
            {
                // Floating point: added in row order into the running total, exactly as the grouped path does.
                var v = x.Values;
                TAcc sum = _sums[0];
                for (int i = 0; i < length; i++)
                    if (noNulls || x.IsValid(i)) { sum += TAcc.CreateTruncating(v[i]); count++; }
                _sums[0] = sum;
            }
            _counts[0] += count;
        }

        public override ArrowArray Finish(int groupCount)
        {
            Grow(ref _sums, groupCount); Grow(ref _counts, groupCount); Grow(ref _partials, groupCount);
            bool integer = typeof(TAcc) == typeof(Int128);
            if (integer)
                for (int g = 0; g < groupCount; g++)
                    (_sums[g], _partials[g]) = (_sums[g] + TAcc.CreateTruncating(_partials[g]), 0);
            var b = ArrayBuilder.Create(average || !integer ? DataType.Float64 : DataType.Int64);
            for (int g = 0; g < groupCount; g++)
            {
                if (_counts[g] == 0) { b.AppendNull(); continue; }
                if (average) b.Append(double.CreateTruncating(_sums[g]) / _counts[g]);
                else if (!integer) b.Append(double.CreateTruncating(_sums[g]));
                else if (_sums[g] > TAcc.CreateTruncating(long.MaxValue) || _sums[g] < TAcc.CreateTruncating(long.MinValue))
                    throw new QueryLakeException("QL-OVERFLOW", $"sum overflow: {_sums[g]} does not fit in int64");
                else b.Append(long.CreateTruncating(_sums[g]));
            }
            return b.Build();
        }
    }

    private sealed class MinMaxState(DataType type, bool max) : AggregateState
    {
        // Typed accumulators for int64 and float64 (no boxing); other types keep .NET values.
        private long[] _longs = new long[16];
        private double[] _doubles = new double[16];
        private bool[] _has = new bool[16];
        private object?[] _best = new object?[16];
        private byte[]?[] _bytes = new byte[16][];

        /// <summary>Encoded text is ranked once per dictionary; rows then compare ranks, and only each group's best value
        /// is offered to the accumulator.</summary>
        public override bool AcceptsDictionaries => true;

        /// <summary>Numbers, times and text are copied (text only on a new best); other values may be views of the input.</summary>
        public override bool KeepsInputs => !type.IsFlat;

        private ArrayData? _rankedDictionary;
        private int[] _rank = [];
        private int[] _order = [];

        /// <summary>Each group's best dictionary index in a batch (by the values' order), offered to the plain path as
        /// one row per group.</summary>
        private void Encoded(ReadOnlySpan<int> groups, DictionaryArray d, int length)
        {
            var dictionary = d.Dictionary;
            if (!ReferenceEquals(dictionary.Data, _rankedDictionary))
            {
                var compare = Comparer.For(dictionary, dictionary);
                var order = Enumerable.Range(0, dictionary.Length).Where(dictionary.IsValid).ToArray();
                Array.Sort(order, (a, b) => compare(a, b));
                _rank = new int[dictionary.Length];
                Array.Fill(_rank, -1);
                for (int j = 0; j < order.Length; j++) _rank[order[j]] = j;
                _order = order;
                _rankedDictionary = dictionary.Data;
            }
            var rank = _rank;
            var indices = Vectors.IndexSpan(d);
            bool single = groups.IsEmpty, nulls = d.NullCount > 0;
            int needed = 1;
            if (!single) foreach (var g in groups) needed = Math.Max(needed, g + 1);
            var best = new int[needed];
            Array.Fill(best, -1);
            if (single && !nulls)
            {
                // One group, no NULL slots: the best rank as a branch-free running max (a NULL dictionary value has rank
                // −1, which loses a max; as unsigned it is the largest, which loses a min).
                int top = -1;
                uint low = uint.MaxValue;
                if (max) foreach (int k in indices[..length]) top = Math.Max(top, rank[k]);
                else foreach (int k in indices[..length]) low = Math.Min(low, (uint)rank[k]);
                int chosen = max ? top : low == uint.MaxValue ? -1 : (int)low;
                if (chosen >= 0) best[0] = _order[chosen];
            }
            else
                for (int i = 0; i < length; i++)
                {
                    if (nulls && d.IsNull(i)) continue;
                    int k = indices[i], r = rank[k];
                    if (r < 0) continue;
                    int g = single ? 0 : groups[i];
                    int current = best[g];
                    if (current < 0 || (max ? r > rank[current] : r < rank[current])) best[g] = k;
                }
            var owners = new List<int>();
            var picks = new List<int>();
            for (int g = 0; g < best.Length; g++)
                if (best[g] >= 0) { owners.Add(g); picks.Add(best[g]); }
            if (owners.Count == 0) return;
            Update(owners.ToArray(), [Gather.Rows(dictionary, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(picks))]);
        }

        public override void UpdateSingle(IReadOnlyList<ArrowArray> inputs, int length)
        {
            if (inputs[0] is DictionaryArray encoded) { Encoded([], encoded, length); return; }
            var x = CastKernel.Cast(inputs[0], type, false);
            switch (x)
            {
                case PrimitiveArray<long> l:
                {
                    var v = l.Values;
                    bool noNulls = l.NullCount == 0, has = _has[0];
                    long best = _longs[0];
                    if (noNulls && length > 0)
                    {
                        long m = max ? System.Numerics.Tensors.TensorPrimitives.Max(v[..length]) : System.Numerics.Tensors.TensorPrimitives.Min(v[..length]);
                        (_longs[0], _has[0]) = (!has || (max ? m > best : m < best) ? m : best, true);
                        return;
                    }
                    for (int i = 0; i < length; i++)
                    {
                        if (!noNulls && l.IsNull(i)) continue;
                        if (!has || (max ? v[i] > best : v[i] < best)) { best = v[i]; has = true; }
                    }
                    (_longs[0], _has[0]) = (best, has);
                    return;
                }
                case PrimitiveArray<double> d:
                {
                    var v = d.Values;
                    bool noNulls = d.NullCount == 0, has = _has[0];
                    double best = _doubles[0];
                    for (int i = 0; i < length; i++)
                    {
                        if (!noNulls && d.IsNull(i)) continue;
                        if (!has) { best = v[i]; has = true; continue; }
                        int c = Comparer.Doubles(v[i], best);
                        if (max ? c > 0 : c < 0) best = v[i];
                    }
                    (_doubles[0], _has[0]) = (best, has);
                    return;
                }
                default:
                    base.UpdateSingle(inputs, length);
                    return;
            }
        }

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            if (inputs[0] is DictionaryArray encoded) { Encoded(groups, encoded, groups.Length); return; }
            var x = CastKernel.Cast(inputs[0], type, false);
            int needed = 0;
            foreach (var g in groups) needed = Math.Max(needed, g + 1);
            Grow(ref _has, needed);
            switch (x)
            {
                case PrimitiveArray<long> l:
                {
                    Grow(ref _longs, needed);
                    var v = l.Values;
                    for (int i = 0; i < groups.Length; i++)
                    {
                        if (l.IsNull(i)) continue;
                        int g = groups[i];
                        if (!_has[g] || (max ? v[i] > _longs[g] : v[i] < _longs[g])) { _longs[g] = v[i]; _has[g] = true; }
                    }
                    return;
                }
                case PrimitiveArray<double> d:
                {
                    Grow(ref _doubles, needed);
                    var v = d.Values;
                    for (int i = 0; i < groups.Length; i++)
                    {
                        if (d.IsNull(i)) continue;
                        int g = groups[i];
                        if (!_has[g]) { _doubles[g] = v[i]; _has[g] = true; continue; }
                        int c = Comparer.Doubles(v[i], _doubles[g]);
                        if (max ? c > 0 : c < 0) _doubles[g] = v[i];
                    }
                    return;
                }
                case BinaryArray b:
                {
                    // Strings and blobs compare as bytes (UTF-8 byte order is code point order); copied only on a new best.
                    Grow(ref _bytes, needed);
                    for (int i = 0; i < groups.Length; i++)
                    {
                        if (b.IsNull(i)) continue;
                        int g = groups[i];
                        var v = b.GetBytes(i);
                        if (!_has[g]) { _bytes[g] = v.ToArray(); _has[g] = true; continue; }
                        int c = v.SequenceCompareTo(_bytes[g]);
                        if (max ? c > 0 : c < 0) _bytes[g] = v.ToArray();
                    }
                    return;
                }
            }
            Grow(ref _best, needed);
            for (int i = 0; i < groups.Length; i++)
            {
                int g = groups[i];
                if (x.IsNull(i)) continue;
                var v = x.GetValue(i)!;
                if (!_has[g] || Better(v, _best[g]!)) { _best[g] = v; _has[g] = true; }
            }
        }

        private bool Better(object v, object current) => max ? Comparer.Values(v, current) > 0 : Comparer.Values(v, current) < 0;

        public override ArrowArray Finish(int groupCount)
        {
            Grow(ref _has, groupCount);
            var b = ArrayBuilder.Create(type);
            if (b is BinaryBuilder bin)
            {
                Grow(ref _bytes, groupCount);
                for (int g = 0; g < groupCount; g++)
                    if (_has[g]) bin.Append(_bytes[g]); else bin.AppendNull();
                return b.Build();
            }
            for (int g = 0; g < groupCount; g++)
            {
                if (!_has[g]) { b.AppendNull(); continue; }
                b.Append(type.StorageType switch
                {
                    PrimitiveType { Id: TypeId.Int64 } or TimestampType => _longs[g],
                    PrimitiveType { Id: TypeId.Float64 } => _doubles[g],
                    _ => _best[g],
                });
            }
            return b.Build();
        }
    }
}
