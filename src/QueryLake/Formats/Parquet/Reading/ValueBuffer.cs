using System.Runtime.InteropServices;
using QueryLake.Columnar.Memory;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Decoded physical values of one column chunk, dense (no nulls): fixed-width values back to back (booleans one
/// byte each), or byte arrays as offsets and data.</summary>
internal sealed class ValueBuffer(int width)
{
    /// <summary>Bytes per value; 0 for byte arrays.</summary>
    public int Width { get; } = width;
    public int Count { get; private set; }
    public BufferBuilder Data { get; } = new(1024);
    private BufferBuilder? _offsets;

    public BufferBuilder Offsets
    {
        get
        {
            if (_offsets is null) { _offsets = new BufferBuilder(1024); _offsets.Append(0); }
            return _offsets;
        }
    }

    public ReadOnlySpan<int> OffsetSpan => MemoryMarshal.Cast<byte, int>(Offsets.Span);

    /// <summary>Appends <paramref name="n"/> fixed-width values from their little-endian bytes.</summary>
    public void AppendFixed(ReadOnlySpan<byte> bytes, int n)
    {
        Data.Append(bytes[..(n * Width)]);
        Count += n;
    }

    /// <summary>Reserves room for <paramref name="n"/> fixed-width values and returns it to fill.</summary>
    public Span<byte> ExtendFixed(int n)
    {
        Count += n;
        return Data.Extend(n * Width);
    }

    public void AppendBinary(ReadOnlySpan<byte> value)
    {
        Data.Append(value);
        Offsets.Append(Data.Length);
        Count++;
    }

    public ReadOnlySpan<byte> Binary(int i)
    {
        var o = OffsetSpan;
        return Data.Span[o[i]..o[i + 1]];
    }

    public ReadOnlySpan<byte> Fixed(int i) => Data.Span.Slice(i * Width, Width);

    /// <summary>Appends values of <paramref name="dictionary"/> chosen by <paramref name="indices"/>.</summary>
    public void AppendFrom(ValueBuffer dictionary, ReadOnlySpan<int> indices)
    {
        int dn = dictionary.Count;
        foreach (int ix in indices)
            if ((uint)ix >= (uint)dn) throw new ParquetFormatException($"dictionary index {ix} is outside the dictionary of {dn} values");
        if (Width == 0)
        {
            var dOff = dictionary.OffsetSpan;
            var dData = dictionary.Data.Span;
            long total = 0;
            foreach (int ix in indices) total += dOff[ix + 1] - dOff[ix];
            if (Data.Length + total > int.MaxValue) throw new ParquetFormatException("a column chunk's strings exceed 2 GB");
            var dst = Data.Extend((int)total);
            var offs = MemoryMarshal.Cast<byte, int>(Offsets.Extend(indices.Length * 4));
            int start = Data.Length - (int)total, p = 0;
            for (int k = 0; k < indices.Length; k++)
            {
                int ix = indices[k], len = dOff[ix + 1] - dOff[ix];
                dData.Slice(dOff[ix], len).CopyTo(dst[p..]);
                p += len;
                offs[k] = start + p;
            }
            Count += indices.Length;
            return;
        }
        var src = dictionary.Data.Span;
        var output = ExtendFixed(indices.Length);
        switch (Width)
        {
            case 8:
                {
                    var s = MemoryMarshal.Cast<byte, long>(src);
                    var d = MemoryMarshal.Cast<byte, long>(output);
                    for (int k = 0; k < indices.Length; k++) d[k] = s[indices[k]];
                    break;
                }
            case 4:
                {
                    var s = MemoryMarshal.Cast<byte, int>(src);
                    var d = MemoryMarshal.Cast<byte, int>(output);
                    for (int k = 0; k < indices.Length; k++) d[k] = s[indices[k]];
                    break;
                }
            default:
                for (int k = 0; k < indices.Length; k++) src.Slice(indices[k] * Width, Width).CopyTo(output[(k * Width)..]);
                break;
        }
    }
}
