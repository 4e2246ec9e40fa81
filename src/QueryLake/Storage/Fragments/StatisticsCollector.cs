using System.Text.Json.Nodes;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>Accumulates min, max and null count of one column across the batches of a data file.
/// Strings keep at most 64 characters: a truncated minimum is still a lower bound, and a maximum that
/// would need truncation is left out. NaN is ignored.</summary>
internal sealed class StatisticsCollector(DataType type)
{
    private const int MaxStringLength = 64;
    private long _nulls;
    private double _minD = double.PositiveInfinity, _maxD = double.NegativeInfinity;
    private long _minL = long.MaxValue, _maxL = long.MinValue;
    private ulong _minU = ulong.MaxValue, _maxU = ulong.MinValue;
    private string? _minS, _maxS;
    private bool _maxSTooLong, _any;

    public static bool Supports(DataType t) => t.StorageType is PrimitiveType { Id: not TypeId.Boolean } or TimestampType or VariableBinaryType { IsUtf8: true };

    public void Add(ArrowArray a)
    {
        _nulls += a.NullCount;
        switch (a)
        {
            case PrimitiveArray<float> f: Floats(a, f.Values, v => v); break;
            case PrimitiveArray<double> d: Floats(a, d.Values, v => v); break;
            case PrimitiveArray<ulong> u:
                for (int i = 0; i < a.Length; i++) if (a.IsValid(i)) { _any = true; _minU = Math.Min(_minU, u[i]); _maxU = Math.Max(_maxU, u[i]); }
                break;
            case PrimitiveArray<long> l: Ints(a, l.Values, v => v); break;
            case PrimitiveArray<int> x: Ints(a, x.Values, v => v); break;
            case PrimitiveArray<short> x: Ints(a, x.Values, v => v); break;
            case PrimitiveArray<sbyte> x: Ints(a, x.Values, v => v); break;
            case PrimitiveArray<uint> x: Ints(a, x.Values, v => v); break;
            case PrimitiveArray<ushort> x: Ints(a, x.Values, v => v); break;
            case PrimitiveArray<byte> x: Ints(a, x.Values, v => v); break;
            case BinaryArray s:
                for (int i = 0; i < a.Length; i++)
                {
                    var v = s.GetString(i);
                    if (v is null) continue;
                    _any = true;
                    var shortV = v.Length > MaxStringLength ? v[..MaxStringLength] : v;
                    if (_minS is null || string.CompareOrdinal(shortV, _minS) < 0) _minS = shortV;
                    if (_maxS is null || string.CompareOrdinal(v, _maxS) > 0) { _maxS = v.Length > MaxStringLength ? null : v; _maxSTooLong = v.Length > MaxStringLength; }
                }
                break;
        }
    }

    private delegate long ToLong<T>(T v);

    private void Ints<T>(ArrowArray a, ReadOnlySpan<T> values, ToLong<T> conv) where T : unmanaged
    {
        bool noNulls = a.NullCount == 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!noNulls && a.IsNull(i)) continue;
            long v = conv(values[i]);
            if (v < _minL) _minL = v;
            if (v > _maxL) _maxL = v;
            _any = true;
        }
    }

    private void Floats<T>(ArrowArray a, ReadOnlySpan<T> values, Func<T, double> conv) where T : unmanaged
    {
        bool noNulls = a.NullCount == 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!noNulls && a.IsNull(i)) continue;
            double v = conv(values[i]);
            if (double.IsNaN(v)) continue;
            if (v < _minD) _minD = v;
            if (v > _maxD) _maxD = v;
            _any = true;
        }
    }

    public StatsRecord Build()
    {
        var r = new StatsRecord { Nulls = _nulls };
        if (!_any) return r;
        switch (type.StorageType)
        {
            case PrimitiveType { IsFloatingPoint: true }:
                if (_minD <= _maxD) { r.Min = _minD; r.Max = _maxD; }
                break;
            case PrimitiveType { Id: TypeId.UInt64 }:
                r.Min = _minU; r.Max = _maxU;
                break;
            case VariableBinaryType:
                r.Min = _minS;
                if (!_maxSTooLong) r.Max = _maxS;
                break;
            default:
                r.Min = _minL; r.Max = _maxL;
                break;
        }
        return r;
    }
}
