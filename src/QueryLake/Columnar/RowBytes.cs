using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar;

/// <summary>
/// How many bytes a range of rows occupies in Arrow's layout (validity, values, offsets and the children those rows
/// reach; a dictionary's values are not counted, since a stream sends them once), and cutting batches by that size.
/// This is what an IPC message holding those rows costs, before compression.
/// </summary>
internal static class RowBytes
{
    /// <summary>Bytes of rows [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>) of
    /// <paramref name="array"/>.</summary>
    public static long Of(ArrowArray array, int offset, int count) => Of(array.Data, offset, count);

    private static long Of(ArrayData d, int offset, int count)
    {
        if (count <= 0) return 0;
        long validity = d.NullCount > 0 ? (count + 7) / 8 : 0;
        var storage = d.Type.StorageType;
        switch (storage)
        {
            case PrimitiveType { Id: TypeId.Boolean }:
                return validity + (count + 7) / 8;
            case NullType:
                return 0;
            case VariableBinaryType { IsLarge: true }:
            {
                var offsets = d.Buffers[1].As<long>();
                return validity + (count + 1L) * 8 + offsets[d.Offset + offset + count] - offsets[d.Offset + offset];
            }
            case VariableBinaryType:
            {
                var offsets = d.Buffers[1].As<int>();
                return validity + (count + 1L) * 4 + offsets[d.Offset + offset + count] - offsets[d.Offset + offset];
            }
            case ListType:
            {
                var offsets = d.Buffers[1].As<int>();
                int first = offsets[d.Offset + offset], last = offsets[d.Offset + offset + count];
                return validity + (count + 1L) * 4 + Of(d.Children[0], first, last - first);
            }
            case FixedSizeListType f:
                return validity + Of(d.Children[0], offset * f.ListSize, count * f.ListSize);
            case StructType:
                return validity + d.Children.Sum(c => Of(c, offset, count));
            default:
                // Fixed width (numbers, dates, timestamps, decimals, dictionary indices): the value buffer's width per row.
                long rows = Math.Max(1, d.Offset + d.Length);
                return validity + (d.Buffers.Length > 1 ? d.Buffers[1].Length / rows : 8) * count;
        }
    }

    /// <summary><paramref name="batch"/> cut into consecutive slices (sharing its buffers) of at most
    /// <paramref name="maxBytes"/> each by <see cref="Of(ArrowArray, int, int)"/>; a single row larger than that is a slice of its own.</summary>
    public static IEnumerable<RecordBatch> Slices(RecordBatch batch, long maxBytes)
    {
        long Bytes(int at, int n) => batch.Columns.Sum(c => Of(c, at, n));
        if (maxBytes <= 0 || batch.Length <= 1 || Bytes(0, batch.Length) <= maxBytes)
        {
            yield return batch;
            yield break;
        }
        int start = 0;
        while (start < batch.Length)
        {
            int left = batch.Length - start;
            // Guess from the average row, then halve until the slice fits (or is one row).
            long total = Bytes(start, left);
            int n = (int)Math.Clamp(maxBytes * (long)left / Math.Max(1, total), 1, left);
            while (n > 1 && Bytes(start, n) > maxBytes) n /= 2;
            yield return batch.Slice(start, n);
            start += n;
        }
    }
}
