using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar;

/// <summary>
/// The physical content of one Arrow array: type, length, offset into the buffers, buffers, children and
/// (for dictionary arrays) the dictionary. Buffer order follows the Arrow columnar spec:
/// fixed-width <c>[validity, values]</c>; variable binary <c>[validity, offsets, data]</c>;
/// list <c>[validity, offsets]</c> + 1 child; fixed-size list and struct <c>[validity]</c> + children;
/// dictionary <c>[validity, indices]</c> + <see cref="Dictionary"/>. An empty validity buffer means no nulls.
/// </summary>
public sealed class ArrayData
{
    private int _nullCount;

    /// <summary>Creates array data. <paramref name="nullCount"/> of -1 means "count when asked".</summary>
    public ArrayData(DataType type, int length, int offset, int nullCount, ArrowBuffer[] buffers,
        ArrayData[]? children = null, ArrayData? dictionary = null)
    {
        Type = type;
        Length = length;
        Offset = offset;
        _nullCount = buffers.Length == 0 || buffers[0].IsEmpty ? 0 : nullCount;
        Buffers = buffers;
        Children = children ?? [];
        Dictionary = dictionary;
    }

    /// <summary>The logical type (possibly an extension type).</summary>
    public DataType Type { get; }

    /// <summary>Number of slots.</summary>
    public int Length { get; }

    /// <summary>Slot offset into the buffers (non-zero after a slice).</summary>
    public int Offset { get; }

    /// <summary>The buffers; see the class remarks for their order.</summary>
    public ArrowBuffer[] Buffers { get; }

    /// <summary>Child arrays for list, fixed-size list and struct.</summary>
    public ArrayData[] Children { get; }

    /// <summary>The dictionary values of a dictionary array.</summary>
    public ArrayData? Dictionary { get; }

    /// <summary>Number of null slots.</summary>
    public int NullCount
    {
        get
        {
            if (_nullCount < 0)
                _nullCount = Length - BitUtil.CountSet(Buffers[0].Span, Offset, Length);
            return _nullCount;
        }
    }

    /// <summary>The validity bitmap (empty when there are no nulls).</summary>
    public ArrowBuffer Validity => Buffers.Length == 0 ? ArrowBuffer.Empty : Buffers[0];

    /// <summary>True when slot <paramref name="index"/> is null.</summary>
    public bool IsNull(int index) =>
        Buffers.Length > 0 && !Buffers[0].IsEmpty && !BitUtil.GetBit(Buffers[0].Span, Offset + index);

    /// <summary>A zero-copy view of <paramref name="length"/> slots starting at <paramref name="offset"/>.</summary>
    public ArrayData Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            throw new ArgumentOutOfRangeException(nameof(offset), $"slice [{offset}, {offset + length}) is outside an array of length {Length}");
        return new ArrayData(Type, length, Offset + offset, -1, Buffers, Children, Dictionary);
    }

    /// <summary>A copy that reports another type with the same layout (e.g. an extension over its storage).</summary>
    public ArrayData WithType(DataType type) =>
        new(type, Length, Offset, _nullCount, Buffers, Children, Dictionary);
}
