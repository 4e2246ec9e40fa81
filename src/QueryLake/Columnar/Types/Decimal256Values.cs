using System.Buffers.Binary;
using QueryLake.Columnar.Memory;
using QueryLake.Errors;

namespace QueryLake.Columnar.Types;

/// <summary>decimal256 values as the engine reads them (<see cref="Decimal256Type.EngineType"/>): DECIMAL(p, s) up to
/// 38 digits, each value narrowed to 128 bits (a value that does not fit is QL-OVERFLOW), DOUBLE beyond. Shared by
/// the Arrow IPC readers and the Apache.Arrow boundary. Always a copy.</summary>
internal static class Decimal256Values
{
    /// <summary>The <paramref name="length"/> values from element <paramref name="offset"/> of
    /// <paramref name="values"/> (32 bytes each) as <paramref name="target"/>; <paramref name="validity"/> is the
    /// bitmap the same offset applies to (empty, or a null count of 0: no NULLs; a null count of -1: unknown).</summary>
    public static ArrayData ToEngine(int precision, int scale, ReadOnlySpan<byte> values, ReadOnlySpan<byte> validity, int offset, int length,
        int nullCount, DataType target)
    {
        if ((long)(offset + length) * Decimal256Type.ByteWidth > values.Length)
            throw new InvalidDataException($"a decimal256 array of {length} values at {offset} needs {(long)(offset + length) * Decimal256Type.ByteWidth} bytes, its buffer has {values.Length}");
        bool nulls = nullCount != 0 && !validity.IsEmpty;
        var bits = new byte[BitUtil.BytesFor(length)];
        if (nulls) BitUtil.CopyBits(validity, offset, bits, 0, length);
        int count = nulls ? length - BitUtil.CountSet(bits, 0, length) : 0;
        var validityBuffer = count > 0 ? ArrowBuffer.Copy(bits) : ArrowBuffer.Empty;
        bool IsNull(int i) => count > 0 && !BitUtil.GetBit(bits, i);
        if (target.StorageType is DecimalType)
        {
            var narrow = new Int128[length];
            for (int i = 0; i < narrow.Length; i++)
            {
                if (IsNull(i)) continue;
                var v = values.Slice((offset + i) * Decimal256Type.ByteWidth, Decimal256Type.ByteWidth);
                var low = BinaryPrimitives.ReadInt128LittleEndian(v);
                // Fits in 128 bits when the high half is the low half's sign extension.
                var high = BinaryPrimitives.ReadInt128LittleEndian(v[16..]);
                if (high != (low < 0 ? Int128.NegativeOne : Int128.Zero))
                    throw new QueryLakeException("QL-OVERFLOW", $"a decimal256({precision}, {scale}) value does not fit in {precision} digits");
                narrow[i] = low;
            }
            return new ArrayData(target, length, 0, count, [validityBuffer, ArrowBuffer.Copy<Int128>(narrow)]);
        }
        var doubles = new double[length];
        for (int i = 0; i < doubles.Length; i++)
            if (!IsNull(i))
                doubles[i] = (double)new System.Numerics.BigInteger(values.Slice((offset + i) * Decimal256Type.ByteWidth, Decimal256Type.ByteWidth), isUnsigned: false, isBigEndian: false) / Math.Pow(10, scale);
        return new ArrayData(target, length, 0, count, [validityBuffer, ArrowBuffer.Copy<double>(doubles)]);
    }
}
