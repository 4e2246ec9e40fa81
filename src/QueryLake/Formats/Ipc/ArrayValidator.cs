using QueryLake.Columnar;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Checks that array data is self-consistent (buffer sizes, offsets, child lengths, dictionary indices),
/// so that reading any slot afterwards stays in bounds. Children are validated when they are decoded.
/// </summary>
internal static class ArrayValidator
{
    public static void Validate(ArrayData d)
    {
        int n = d.Length;
        var validity = d.Buffers[0];
        if (!validity.IsEmpty)
        {
            Need(validity, BitUtil.BytesFor(n), "validity bitmap");
            int actual = n - BitUtil.CountSet(validity.Span, 0, n);
            if (actual != d.NullCount) throw new InvalidDataException($"null count says {d.NullCount} but the validity bitmap has {actual} nulls");
        }
        else if (d.NullCount != 0 && n > 0)
            throw new InvalidDataException($"null count is {d.NullCount} but there is no validity bitmap");

        switch (d.Type.StorageType)
        {
            case PrimitiveType { Id: TypeId.Boolean }:
                Need(d.Buffers[1], BitUtil.BytesFor(n), "values");
                break;
            case { FixedByteWidth: > 0 and var width }:
                Need(d.Buffers[1], (long)n * width, "values");
                break;
            case VariableBinaryType v:
                CheckOffsets(d.Buffers[1], n, v.IsLarge, d.Buffers[2].Length, "data buffer");
                break;
            case ListType:
                CheckOffsets(d.Buffers[1], n, false, d.Children[0].Length, "child array");
                break;
            case FixedSizeListType f:
                if ((long)n * f.ListSize > d.Children[0].Length)
                    throw new InvalidDataException($"{n} lists of {f.ListSize} need {(long)n * f.ListSize} child values, found {d.Children[0].Length}");
                break;
            case StructType:
                foreach (var c in d.Children)
                    if (c.Length < n) throw new InvalidDataException($"struct of length {n} has a child of length {c.Length}");
                break;
            case DictionaryType dt:
                Need(d.Buffers[1], (long)n * dt.IndexType.ByteWidth, "dictionary indices");
                CheckIndices(d, dt);
                break;
        }
    }

    private static void Need(ArrowBuffer b, long bytes, string what)
    {
        if (b.Length < bytes) throw new InvalidDataException($"{what} buffer has {b.Length} bytes, needs {bytes}");
    }

    private static void CheckOffsets(ArrowBuffer offsets, int n, bool large, long limit, string target)
    {
        if (n == 0 && offsets.IsEmpty) return;
        Need(offsets, (long)(n + 1) * (large ? 8 : 4), "offsets");
        long prev = large ? offsets.As<long>()[0] : offsets.As<int>()[0];
        if (prev < 0) throw new InvalidDataException($"first offset {prev} is negative");
        if (large)
        {
            var o = offsets.As<long>();
            for (int i = 1; i <= n; i++) { if (o[i] < prev) throw Bad(i, o[i], prev); prev = o[i]; }
        }
        else
        {
            var o = offsets.As<int>();
            for (int i = 1; i <= n; i++) { if (o[i] < prev) throw Bad(i, o[i], prev); prev = o[i]; }
        }
        if (prev > limit) throw new InvalidDataException($"last offset {prev} is past the end of the {target} ({limit})");
    }

    private static InvalidDataException Bad(int i, long v, long prev) =>
        new($"offset {i} ({v}) is smaller than offset {i - 1} ({prev})");

    private static void CheckIndices(ArrayData d, DictionaryType t)
    {
        long size = d.Dictionary?.Length ?? 0;
        var b = d.Buffers[1];
        for (int i = 0; i < d.Length; i++)
        {
            if (d.IsNull(i)) continue;
            long idx = t.IndexType.Id switch
            {
                TypeId.Int8 => b.As<sbyte>()[i], TypeId.UInt8 => b.As<byte>()[i],
                TypeId.Int16 => b.As<short>()[i], TypeId.UInt16 => b.As<ushort>()[i],
                TypeId.Int32 => b.As<int>()[i], TypeId.UInt32 => b.As<uint>()[i],
                TypeId.Int64 => b.As<long>()[i], _ => (long)b.As<ulong>()[i],
            };
            if (idx < 0 || idx >= size) throw new InvalidDataException($"dictionary index {idx} at row {i} is outside the dictionary of {size} values");
        }
    }
}
