using QueryLake.Columnar.Statistics;
using System.Numerics;
using System.Numerics.Tensors;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>Accumulates min, max, null count and a distinct-count sketch of one column across the batches of a data file.
/// Strings keep at most 64 bytes of UTF-8 (cut at a character boundary): a truncated minimum is still a
/// lower bound, and a maximum that would need truncation is left out. NaN is ignored.</summary>
internal sealed class StatisticsCollector(DataType type)
{
    private const int MaxStringBytes = 64;
    private long _nulls;
    private double _minD = double.PositiveInfinity, _maxD = double.NegativeInfinity;
    private long _minL = long.MaxValue, _maxL = long.MinValue;
    private ulong _minU = ulong.MaxValue, _maxU = ulong.MinValue;
    private byte[]? _minS, _maxS;
    private bool _maxSTooLong, _any;
    private readonly HyperLogLog _distinct = new();

    public static bool Supports(DataType t) => t.StorageType is PrimitiveType { Id: not TypeId.Boolean } or TimestampType or VariableBinaryType { IsUtf8: true };

    public void Add(ArrowArray a)
    {
        _nulls += a.NullCount;
        _distinct.AddAll(a);
        switch (a)
        {
            case PrimitiveArray<float> f: Floats(a, f.Values); break;
            case PrimitiveArray<double> d: Floats(a, d.Values); break;
            case PrimitiveArray<ulong> u:
                for (int i = 0; i < a.Length; i++) if (a.IsValid(i)) { _any = true; _minU = Math.Min(_minU, u[i]); _maxU = Math.Max(_maxU, u[i]); }
                break;
            case PrimitiveArray<long> l: Ints(a, l.Values); break;
            case PrimitiveArray<int> x: Ints(a, x.Values); break;
            case PrimitiveArray<short> x: Ints(a, x.Values); break;
            case PrimitiveArray<sbyte> x: Ints(a, x.Values); break;
            case PrimitiveArray<uint> x: Ints(a, x.Values); break;
            case PrimitiveArray<ushort> x: Ints(a, x.Values); break;
            case PrimitiveArray<byte> x: Ints(a, x.Values); break;
            case BinaryArray s: Strings(s); break;
        }
    }

    private void Ints<T>(ArrowArray a, ReadOnlySpan<T> values) where T : unmanaged, IBinaryInteger<T>
    {
        if (values.IsEmpty) return;
        if (a.NullCount == 0)
        {
            // Vectorized over the whole span.
            var min = TensorPrimitives.Min(values);
            var max = TensorPrimitives.Max(values);
            _minL = Math.Min(_minL, long.CreateTruncating(min));
            _maxL = Math.Max(_maxL, long.CreateTruncating(max));
            _any = true;
            return;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (a.IsNull(i)) continue;
            long v = long.CreateTruncating(values[i]);
            if (v < _minL) _minL = v;
            if (v > _maxL) _maxL = v;
            _any = true;
        }
    }

    private void Floats<T>(ArrowArray a, ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool noNulls = a.NullCount == 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!noNulls && a.IsNull(i)) continue;
            double v = double.CreateTruncating(values[i]);
            if (double.IsNaN(v)) continue;
            if (v < _minD) _minD = v;
            if (v > _maxD) _maxD = v;
            _any = true;
        }
    }

    /// <summary>Strings compare by their UTF-8 bytes (code point order), as Parquet and DuckDB do.</summary>
    private void Strings(BinaryArray s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s.IsNull(i)) continue;
            var v = s.GetBytes(i);
            _any = true;
            var prefix = v.Length > MaxStringBytes ? TrimToCharBoundary(v[..MaxStringBytes]) : v;
            if (_minS is null || prefix.SequenceCompareTo(_minS) < 0) _minS = prefix.ToArray();
            if (_maxS is null || v.SequenceCompareTo(_maxS) > 0)
            {
                _maxSTooLong = v.Length > MaxStringBytes;
                _maxS = _maxSTooLong ? v[..MaxStringBytes].ToArray() : v.ToArray();
            }
        }
    }

    private static ReadOnlySpan<byte> TrimToCharBoundary(ReadOnlySpan<byte> v)
    {
        int end = v.Length;
        while (end > 0 && (v[end - 1] & 0xC0) == 0x80) end--;
        if (end > 0 && v[end - 1] >= 0xC0) end--;
        return v[..end];
    }

    public StatsRecord Build()
    {
        var r = new StatsRecord { Nulls = _nulls };
        if (!_any) return r;
        r.Distinct = _distinct.Serialize();
        switch (type.StorageType)
        {
            case PrimitiveType { IsFloatingPoint: true }:
                if (_minD <= _maxD) { r.Min = _minD; r.Max = _maxD; }
                break;
            case PrimitiveType { Id: TypeId.UInt64 }:
                r.Min = _minU; r.Max = _maxU;
                break;
            case VariableBinaryType:
                r.Min = System.Text.Encoding.UTF8.GetString(_minS!);
                if (!_maxSTooLong) r.Max = System.Text.Encoding.UTF8.GetString(_maxS!);
                break;
            default:
                r.Min = _minL; r.Max = _maxL;
                break;
        }
        return r;
    }
}
