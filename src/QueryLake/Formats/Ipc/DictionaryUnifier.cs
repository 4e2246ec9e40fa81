using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Merges the per-batch dictionaries of one column into a single file-level dictionary and re-encodes
/// indices against it, because the Arrow file format allows one dictionary per id (no replacement).
/// </summary>
internal sealed class DictionaryUnifier(DictionaryType type)
{
    private readonly Dictionary<object, int> _lookup = [];
    private readonly ArrayBuilder _values = ArrayBuilder.Create(type.ValueType);
    private ArrayData? _lastSource;
    private int[] _lastRemap = [];

    public ArrayData Reencode(ArrayData data)
    {
        var dict = data.Dictionary!;
        if (!ReferenceEquals(dict, _lastSource))
        {
            var values = ArrowArray.FromData(dict);
            _lastRemap = new int[dict.Length];
            for (int j = 0; j < dict.Length; j++)
            {
                object key = values.GetValue(j) switch { null => DBNull.Value, byte[] b => Convert.ToBase64String(b), var v => v };
                if (!_lookup.TryGetValue(key, out int idx))
                {
                    idx = _values.Length;
                    _values.AppendFrom(values, j);
                    _lookup[key] = idx;
                }
                _lastRemap[j] = idx;
            }
            _lastSource = dict;
        }
        var indices = (ArrowArray.FromData(new ArrayData(type.IndexType, data.Length, data.Offset, -1, data.Buffers)));
        var builder = new BufferBuilder(data.Length * type.IndexType.ByteWidth);
        for (int i = 0; i < data.Length; i++)
        {
            long old = data.IsNull(i) ? 0 : Convert.ToInt64(indices.GetValue(i));
            long mapped = data.IsNull(i) ? 0 : _lastRemap[old];
            switch (type.IndexType.ByteWidth)
            {
                case 1: builder.Append((byte)mapped); break;
                case 2: builder.Append((short)mapped); break;
                case 4: builder.Append((int)mapped); break;
                default: builder.Append(mapped); break;
            }
        }
        long max = type.IndexType.ByteWidth switch { 1 => type.IndexType.IsSigned ? sbyte.MaxValue : byte.MaxValue, 2 => type.IndexType.IsSigned ? short.MaxValue : ushort.MaxValue, 4 => int.MaxValue, _ => long.MaxValue };
        if (_values.Length - 1 > max)
            throw new InvalidOperationException($"the merged dictionary has {_values.Length} values, more than {type.IndexType} indices can address");
        var validity = data.NullCount == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(CopyValidity(data));
        return new ArrayData(data.Type, data.Length, 0, data.NullCount, [validity, builder.Build()], null, dict);
    }

    private static byte[] CopyValidity(ArrayData data)
    {
        var bits = new byte[BitUtil.BytesFor(data.Length)];
        BitUtil.CopyBits(data.Validity.Span, data.Offset, bits, 0, data.Length);
        return bits;
    }

    public ArrayData Values()
    {
        var built = _values.BuildData();
        // Keep accumulating: rebuild the builder's content for later batches.
        var arr = ArrowArray.FromData(built);
        _values.AppendRange(arr, 0, arr.Length);
        return built;
    }
}
