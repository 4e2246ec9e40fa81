using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using QueryLake.Columnar.Memory;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Decoded physical values of one column chunk, dense (no nulls): fixed-width values back to back (booleans one
/// byte each), or byte arrays as offsets and data. With a <c>lease</c>, its large buffers are rented through it
/// (<see cref="BufferLease"/>): the arrays built from them live as long as the lease.</summary>
internal sealed class ValueBuffer(int width, int capacity = 0, BufferLease? lease = null)
{
    /// <summary>Bytes per value; 0 for byte arrays.</summary>
    public int Width { get; } = width;
    public int Count { get; private set; }
    public BufferBuilder Data { get; } = new(Math.Max(1024, width * capacity), lease);
    private BufferBuilder? _offsets;

    public BufferBuilder Offsets
    {
        get
        {
            if (_offsets is null) { _offsets = new BufferBuilder(Math.Max(1024, 4 * (capacity + 1)), lease); _offsets.Append(0); }
            return _offsets;
        }
    }

    public ReadOnlySpan<int> OffsetSpan => MemoryMarshal.Cast<byte, int>(Offsets.Span);

    /// <summary>Empties the buffer and keeps its memory (a writer refills it for every row group).</summary>
    public void Clear()
    {
        Count = 0;
        Data.SetLength(0);
        if (_offsets is not null)
        {
            _offsets.SetLength(0);
            _offsets.Append(0);
        }
        Dictionary = null;
        Indices = null;
    }

    /// <summary>In dictionary mode (text whose pages have all been dictionary-encoded so far, when the reader keeps
    /// dictionaries): the chunk's dictionary, and one int32 index per value in <see cref="Indices"/> instead of the
    /// values themselves.</summary>
    public ValueBuffer? Dictionary { get; private set; }

    /// <summary>The int32 dictionary index of each value, in dictionary mode.</summary>
    public BufferBuilder? Indices { get; private set; }

    /// <summary>Appends values as indices into <paramref name="dictionary"/> (checked against it): kept as indices while
    /// every value so far came from the dictionary, appended as values otherwise.</summary>
    public void AppendIndices(ValueBuffer dictionary, ReadOnlySpan<int> indices)
    {
        if (!KeepsIndicesOf(dictionary))
        {
            Materialize();
            AppendFrom(dictionary, indices);
            return;
        }
        CheckIndices(dictionary, indices);
        Dictionary = dictionary;
        Indices ??= new BufferBuilder(Math.Max(1024, 4 * capacity), lease);
        Indices.Append(MemoryMarshal.AsBytes(indices));
        Count += indices.Length;
    }

    /// <summary>Whether indices into <paramref name="dictionary"/> can be appended as indices: the buffer is empty or
    /// holds indices into that same dictionary.</summary>
    public bool KeepsIndicesOf(ValueBuffer dictionary) => Dictionary is null ? Count == 0 : ReferenceEquals(Dictionary, dictionary);

    /// <summary>Room for <paramref name="count"/> indices into <paramref name="dictionary"/> (see
    /// <see cref="KeepsIndicesOf"/>), for a decoder to write in place; they must then pass <see cref="CheckIndices"/>.</summary>
    public Span<int> ExtendIndices(ValueBuffer dictionary, int count)
    {
        if (!KeepsIndicesOf(dictionary)) throw new InvalidOperationException("the buffer holds values or indices into another dictionary");
        Dictionary = dictionary;
        Indices ??= new BufferBuilder(Math.Max(1024, 4 * capacity), lease);
        Count += count;
        return MemoryMarshal.Cast<byte, int>(Indices.ExtendUninitialized(count * 4));
    }

    /// <summary>Fails unless every index lies inside the dictionary (one unsigned max checks them all: a negative index
    /// wraps to a huge one).</summary>
    public static void CheckIndices(ValueBuffer dictionary, ReadOnlySpan<int> indices)
    {
        int dn = dictionary.Count;
        if (indices.Length > 0 && (uint)System.Numerics.Tensors.TensorPrimitives.Max(MemoryMarshal.Cast<int, uint>(indices)) >= (uint)dn)
            throw new ParquetFormatException($"a dictionary index is outside the dictionary of {dn} values");
    }

    /// <summary>Leaves dictionary mode: the indices so far become values (before a page that is not dictionary-encoded).</summary>
    public void Materialize()
    {
        if (Dictionary is not { } dictionary) return;
        var indices = MemoryMarshal.Cast<byte, int>(Indices!.Span).ToArray();
        (Dictionary, Indices, Count) = (null, null, 0);
        AppendFrom(dictionary, indices);
    }

    /// <summary>Appends <paramref name="n"/> fixed-width values from their little-endian bytes.</summary>
    public void AppendFixed(ReadOnlySpan<byte> bytes, int n)
    {
        Data.Append(bytes[..(n * Width)]);
        Count += n;
    }

    /// <summary>Reserves room for <paramref name="n"/> fixed-width values and returns it; the caller writes every byte.</summary>
    public Span<byte> ExtendFixed(int n)
    {
        Count += n;
        return Data.ExtendUninitialized(n * Width);
    }

    public void AppendBinary(ReadOnlySpan<byte> value)
    {
        Data.Append(value);
        Offsets.Append(Data.Length);
        Count++;
    }

    /// <summary>Appends the <paramref name="n"/> byte arrays that Arrow offsets <paramref name="offsets"/> (n + 1 of
    /// them) delimit in <paramref name="data"/>: one copy of their bytes, the offsets moved by a vector add.</summary>
    public void AppendBinaries(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> data, int n)
    {
        int first = offsets[0], bytes = offsets[n] - first;
        if ((long)Data.Length + bytes > int.MaxValue) throw new ParquetFormatException("a column chunk's strings exceed 2 GB");
        int start = Data.Length;
        Data.Append(data.Slice(first, bytes));
        var outOffsets = MemoryMarshal.Cast<byte, int>(Offsets.ExtendUninitialized(n * 4));
        System.Numerics.Tensors.TensorPrimitives.Add(offsets.Slice(1, n), start - first, outOffsets);
        Count += n;
    }

    /// <summary>Drops the last byte-array value appended.</summary>
    public void RemoveLast()
    {
        var o = OffsetSpan;
        Data.SetLength(o[Count - 1]);
        Offsets.SetLength(Offsets.Length - 4);
        Count--;
    }

    public ReadOnlySpan<byte> Binary(int i)
    {
        var o = OffsetSpan;
        return Data.Span[o[i]..o[i + 1]];
    }

    /// <summary>dst[k] = src[indices[k]], with the indices already checked against <paramref name="src"/>.</summary>
    private static void Take<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> indices, Span<T> dst) where T : unmanaged
    {
        ref T s = ref MemoryMarshal.GetReference(src);
        ref T d = ref MemoryMarshal.GetReference(dst);
        ref int ix = ref MemoryMarshal.GetReference(indices);
        for (int k = 0; k < indices.Length; k++)
            Unsafe.Add(ref d, k) = Unsafe.Add(ref s, Unsafe.Add(ref ix, k));
    }

    public ReadOnlySpan<byte> Fixed(int i) => Data.Span.Slice(i * Width, Width);

    /// <summary>Appends values of <paramref name="dictionary"/> chosen by <paramref name="indices"/>.</summary>
    public void AppendFrom(ValueBuffer dictionary, ReadOnlySpan<int> indices)
    {
        CheckIndices(dictionary, indices);
        if (Width == 0)
        {
            var dOff = dictionary.OffsetSpan;
            long total = 0;
            ref int off = ref MemoryMarshal.GetReference(dOff);
            foreach (int ix in indices) total += Unsafe.Add(ref off, ix + 1) - Unsafe.Add(ref off, ix);
            if (Data.Length + total > int.MaxValue) throw new ParquetFormatException("a column chunk's strings exceed 2 GB");
            int start = Data.Length;
            // The first page sizes the buffer for the whole chunk by its average length (growth copies are costly).
            if (start == 0 && capacity > indices.Length && indices.Length > 0) Data.EnsureCapacity(Math.Min(int.MaxValue, total * capacity / indices.Length + 64));
            var dst = Data.ExtendUninitialized((int)total);
            var offs = MemoryMarshal.Cast<byte, int>(Offsets.ExtendUninitialized(indices.Length * 4));
            ref byte from = ref MemoryMarshal.GetReference(dictionary.Data.Span);
            ref byte to = ref MemoryMarshal.GetReference(dst);
            ref int outOff = ref MemoryMarshal.GetReference(offs);
            int p = 0;
            for (int k = 0; k < indices.Length; k++)
            {
                int ix = indices[k], o = Unsafe.Add(ref off, ix), len = Unsafe.Add(ref off, ix + 1) - o;
                Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref to, p), ref Unsafe.Add(ref from, o), (uint)len);
                p += len;
                Unsafe.Add(ref outOff, k) = start + p;
            }
            Count += indices.Length;
            return;
        }
        var src = dictionary.Data.Span;
        var output = ExtendFixed(indices.Length);
        switch (Width)
        {
            case 8: Take(MemoryMarshal.Cast<byte, long>(src), indices, MemoryMarshal.Cast<byte, long>(output)); break;
            case 4: Take(MemoryMarshal.Cast<byte, int>(src), indices, MemoryMarshal.Cast<byte, int>(output)); break;
            case 1: Take(src, indices, output); break;
            default:
                for (int k = 0; k < indices.Length; k++) src.Slice(indices[k] * Width, Width).CopyTo(output[(k * Width)..]);
                break;
        }
    }
}
