using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Kernels;

/// <summary>Helpers shared by the compute kernels: validity bitmaps, broadcasting and typed array construction.</summary>
internal static class Vectors
{
    /// <summary>The AND of the validity of <paramref name="arrays"/> (nulls propagate), as a fresh bitmap.</summary>
    public static (ArrowBuffer Bits, int Nulls) AndValidity(int length, params ArrowArray[] arrays)
    {
        if (arrays.All(a => a.NullCount == 0)) return (ArrowBuffer.Empty, 0);
        var bits = new byte[BitUtil.BytesFor(length)];
        int nulls = 0;
        for (int i = 0; i < length; i++)
        {
            bool valid = true;
            foreach (var a in arrays) if (a.IsNull(i)) { valid = false; break; }
            if (valid) BitUtil.SetBit(bits, i, true); else nulls++;
        }
        return (nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(bits), nulls);
    }

    public static PrimitiveArray<T> Make<T>(DataType type, T[] values, ArrowBuffer validity, int nulls) where T : unmanaged =>
        (PrimitiveArray<T>)ArrowArray.FromData(new ArrayData(type, values.Length, 0, nulls, [validity, ArrowBuffer.Copy<T>(values)]));

    public static BooleanArray MakeBool(bool[] values, ArrowBuffer validity, int nulls)
    {
        var bits = new byte[BitUtil.BytesFor(values.Length)];
        for (int i = 0; i < values.Length; i++) if (values[i]) BitUtil.SetBit(bits, i, true);
        return (BooleanArray)ArrowArray.FromData(new ArrayData(DataType.Boolean, values.Length, 0, nulls, [validity, ArrowBuffer.Copy(bits)]));
    }

    /// <summary>A one-row (constant) array repeated to <paramref name="length"/> rows; any other array as it is.</summary>
    public static ArrowArray Expand(ArrowArray a, int length) => a.Length == 1 && length != 1 ? Gather.Rows(a, new int[length]) : a;

    /// <summary>An array of <paramref name="length"/> copies of a .NET value.</summary>
    public static ArrowArray Broadcast(DataType type, object? value, int length)
    {
        if (value is null) return ArrayBuilder.Nulls(type, length);
        switch (type)
        {
            case PrimitiveType { Id: TypeId.Int64 }: return Make(type, Fill(length, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)), ArrowBuffer.Empty, 0);
            case PrimitiveType { Id: TypeId.Float64 }: return Make(type, Fill(length, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)), ArrowBuffer.Empty, 0);
            case PrimitiveType { Id: TypeId.Boolean }: return MakeBool(Fill(length, (bool)value), ArrowBuffer.Empty, 0);
            case VariableBinaryType { IsLarge: false } when value is string or byte[]:
            {
                // One copy of the bytes, repeated: offsets step by its length.
                var bytes = value is string s ? System.Text.Encoding.UTF8.GetBytes(s) : (byte[])value;
                var offsets = new int[length + 1];
                for (int i = 1; i <= length; i++) offsets[i] = checked(offsets[i - 1] + bytes.Length);
                var data = new byte[(long)bytes.Length * length];
                for (int i = 0; i < length; i++) bytes.CopyTo(data, i * bytes.Length);
                return ArrowArray.FromData(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, ArrowBuffer.Copy<int>(offsets), ArrowBuffer.Copy(data)]));
            }
        }
        var b = ArrayBuilder.Create(type);
        if (length > 0)
        {
            b.Append(value);
            var one = b.Build();
            for (int i = 0; i < length; i++) b.AppendFrom(one, 0);
        }
        return b.Build();
    }

    private static T[] Fill<T>(int n, T v)
    {
        var a = new T[n];
        Array.Fill(a, v);
        return a;
    }

    /// <summary>True when slot i is valid and true.</summary>
    public static bool IsTrue(ArrowArray mask, int i) => !mask.IsNull(i) && ((BooleanArray)mask).GetBoolean(i);
}
