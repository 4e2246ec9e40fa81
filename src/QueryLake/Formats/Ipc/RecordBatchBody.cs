using QueryLake.Columnar;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Flattens arrays into the field nodes and buffers of an IPC record batch body (depth-first, as the
/// spec orders them). Sliced arrays are written with offset 0: bitmaps are re-aligned and offsets rebased.
/// </summary>
internal sealed class RecordBatchBody
{
    public List<(long Length, long NullCount)> Nodes { get; } = [];
    public List<ReadOnlyMemory<byte>> Buffers { get; } = [];

    public void Add(ArrayData data)
    {
        var storage = data.Type.StorageType;
        Nodes.Add((data.Length, data.NullCount));
        Buffers.Add(Bitmap(data.Validity, data.Offset, data.Length, data.NullCount == 0));
        switch (storage)
        {
            case PrimitiveType { Id: TypeId.Boolean }:
                Buffers.Add(Bitmap(data.Buffers[1], data.Offset, data.Length, false));
                break;
            case { FixedByteWidth: > 0 and var width }:
                Buffers.Add(data.Buffers[1].Memory.Slice(data.Offset * width, data.Length * width));
                break;
            case DictionaryType d:
                Buffers.Add(data.Buffers[1].Memory.Slice(data.Offset * d.IndexType.ByteWidth, data.Length * d.IndexType.ByteWidth));
                break;
            case VariableBinaryType v:
            {
                var (offsets, first, last) = Offsets(data, v.IsLarge);
                Buffers.Add(offsets);
                Buffers.Add(data.Buffers[2].Memory.Slice(checked((int)first), checked((int)(last - first))));
                break;
            }
            case ListType:
            {
                var (offsets, first, last) = Offsets(data, false);
                Buffers.Add(offsets);
                Add(data.Children[0].Slice((int)first, (int)(last - first)));
                break;
            }
            case FixedSizeListType f:
                Add(data.Children[0].Slice(data.Offset * f.ListSize, data.Length * f.ListSize));
                break;
            case StructType:
                foreach (var child in data.Children) Add(child.Slice(data.Offset, data.Length));
                break;
            default:
                throw new NotSupportedException($"type {storage} cannot be written to Arrow IPC");
        }
    }

    private static ReadOnlyMemory<byte> Bitmap(ArrowBuffer bits, int offset, int length, bool omit)
    {
        if (omit || bits.IsEmpty) return ReadOnlyMemory<byte>.Empty;
        int bytes = BitUtil.BytesFor(length);
        if ((offset & 7) == 0) return bits.Memory.Slice(offset >> 3, bytes);
        var copy = new byte[bytes];
        BitUtil.CopyBits(bits.Span, offset, copy, 0, length);
        return copy;
    }

    private static (ReadOnlyMemory<byte> Offsets, long First, long Last) Offsets(ArrayData data, bool large)
    {
        int w = large ? 8 : 4;
        var raw = data.Buffers[1].Memory.Slice(data.Offset * w, (data.Length + 1) * w);
        long first = large ? data.Buffers[1].As<long>()[data.Offset] : data.Buffers[1].As<int>()[data.Offset];
        long last = large ? data.Buffers[1].As<long>()[data.Offset + data.Length] : data.Buffers[1].As<int>()[data.Offset + data.Length];
        if (first == 0) return (raw, first, last);
        // Rebased to start at 0: one vectorized subtraction into the buffer that is written.
        var rebased = new byte[raw.Length];
        if (large)
            System.Numerics.Tensors.TensorPrimitives.Subtract(data.Buffers[1].As<long>().Slice(data.Offset, data.Length + 1), first,
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(rebased.AsSpan()));
        else
            System.Numerics.Tensors.TensorPrimitives.Subtract(data.Buffers[1].As<int>().Slice(data.Offset, data.Length + 1), (int)first,
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(rebased.AsSpan()));
        return (rebased, first, last);
    }
}
