using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Onnx.Models;

/// <summary>
/// Reads the numbers of each row of a tensor-like column as float32, with the row's shape: TENSOR (fixed or variable
/// shape), EMBEDDING, LIST and fixed-size LIST of numbers. What a model's input is fed from.
/// </summary>
internal sealed class TensorRows
{
    private readonly ArrowArray _column;
    private readonly int[]? _fixedShape;
    private readonly ArrowArray _values;
    private readonly ListArray? _lists;
    private readonly FixedSizeListArray? _fixedLists;
    private readonly FixedSizeListArray? _shapes;

    /// <summary>Whether a column of <paramref name="type"/> can be read (its numbers per row, and their shape).</summary>
    public static bool Accepts(DataType type) => type switch
    {
        TensorType => true,
        _ => type.StorageType is ListType { ValueType.IsNumeric: true } or FixedSizeListType { ValueType.IsNumeric: true },
    };

    /// <summary>The shape every row of <paramref name="type"/> has, or null when rows differ (variable-shape tensors, lists).</summary>
    public static int[]? FixedShape(DataType type) => type switch
    {
        TensorType { Shape: { } shape } => shape.ToArray(),
        TensorType => null,
        _ => type.StorageType is FixedSizeListType f ? [f.ListSize] : null,
    };

    public TensorRows(ArrowArray column)
    {
        _column = column;
        _fixedShape = FixedShape(column.Type);
        switch (column)
        {
            case StructArray tensor:
                _lists = (ListArray)tensor.Field(0);
                _shapes = (FixedSizeListArray)tensor.Field(1);
                _values = _lists.Values;
                break;
            case FixedSizeListArray fixedList:
                _fixedLists = fixedList;
                _values = fixedList.Values;
                break;
            case ListArray list:
                _lists = list;
                _values = list.Values;
                break;
            default:
                throw new ArgumentException($"not a tensor column: {column.Type}");
        }
    }

    public int Length => _column.Length;

    public bool IsNull(int row) => _column.IsNull(row);

    /// <summary>The row's shape (its dimensions, for TENSOR; its length, for lists and embeddings).</summary>
    public int[] Shape(int row)
    {
        if (_fixedShape is not null) return _fixedShape;
        if (_shapes is not null)
        {
            var dims = _shapes.GetSlice(row);
            return Enumerable.Range(0, dims.Length).Select(i => ((PrimitiveArray<int>)dims)[i]).ToArray();
        }
        return [_lists!.GetValueLength(row)];
    }

    /// <summary>Copies the row's numbers into <paramref name="destination"/> (as long as the row has elements).</summary>
    public void CopyTo(int row, Span<float> destination)
    {
        int start, count;
        if (_fixedLists is not null) { start = (_fixedLists.Data.Offset + row) * _fixedLists.ListSize; count = _fixedLists.ListSize; }
        else { start = _lists!.GetValueOffset(row); count = _lists.GetValueLength(row); }
        var target = destination[..count];
        switch (_values)
        {
            case PrimitiveArray<float> f: f.Values.Slice(start, count).CopyTo(target); break;
            case PrimitiveArray<double> d: for (int i = 0; i < count; i++) target[i] = (float)d.Values[start + i]; break;
            case PrimitiveArray<long> l: for (int i = 0; i < count; i++) target[i] = l.Values[start + i]; break;
            case PrimitiveArray<int> n: for (int i = 0; i < count; i++) target[i] = n.Values[start + i]; break;
            case PrimitiveArray<byte> b: for (int i = 0; i < count; i++) target[i] = b.Values[start + i]; break;
            default:
                for (int i = 0; i < count; i++)
                    target[i] = _values.GetValue(start + i) is { } v ? Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture) : float.NaN;
                break;
        }
    }
}
