using System.Buffers.Binary;
using System.Runtime.InteropServices;
using QueryLake.Columnar.Memory;
using QueryLake.Formats.Parquet.Encodings;
using QueryLake.Formats.Parquet.Metadata;
using QueryLake.Formats.Parquet.Reading;
using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Writing;

/// <summary>Writes one leaf's row group as a column chunk: a dictionary page when dictionary encoding pays, then data
/// pages that start at row boundaries, each with statistics; returns the chunk metadata and the page index entries.</summary>
internal static class ColumnChunkWriter
{
    public sealed record Result(ColumnChunk Chunk, List<(long Offset, int Size, long FirstRow)> Pages,
        List<bool> NullPages, List<byte[]> Mins, List<byte[]> Maxes, List<long> NullCounts, bool IndexUsable);

    /// <summary>The result of a chunk written at position 0 of its own buffer, as it is once that buffer lands at
    /// <paramref name="at"/> in the file.</summary>
    public static Result Moved(Result r, long at)
    {
        r.Chunk.DataPageOffset += at;
        if (r.Chunk.DictionaryPageOffset is { } d) r.Chunk.DictionaryPageOffset = d + at;
        return r with { Pages = r.Pages.Select(p => (p.Offset + at, p.Size, p.FirstRow)).ToList() };
    }

    public static Result Write(Stream output, LeafAccumulator acc, ParquetWriteOptions options)
    {
        var leaf = acc.Leaf;
        var values = acc.Values;
        var codec = options.Codec;
        var order = new ValueOrder(leaf);
        var def = leaf.MaxDef > 0 ? acc.Def.Span : default;
        var rep = leaf.MaxRep > 0 ? acc.Rep.Span : default;
        int entries = acc.Entries;

        // Dictionary encoding when it pays: few distinct values and dictionary + indices smaller than the values.
        int[]? indices = null;
        ValueBuffer? dictionary = null;
        // A column whose dictionary did not pay once (too many distinct values) is not tried again in later row groups.
        if (leaf.Physical != PhysicalType.Boolean && acc.ValueCount > 0 && !acc.DictionaryDeclined)
        {
            // Dictionary-encoded input brought its indices; otherwise every value is hashed.
            if (acc.IndicesComplete)
            {
                var given = MemoryMarshal.Cast<byte, int>(acc.Indices.Span);
                if (PaysIndices(acc.Dictionary, given)) (dictionary, indices) = (acc.Dictionary, given.ToArray());
            }
            else (dictionary, indices) = TryDictionary(values, options.MaxDictionarySize);
            acc.DictionaryDeclined = dictionary is null;
        }
        // Plain pages need the values that dictionary-encoded input only named.
        if (dictionary is null) acc.LeaveDictionaryMode();
        var pageOrder = indices is not null && acc.IndicesComplete ? new DictionaryOrder(dictionary!, order) : null;

        var chunk = new ColumnChunk { Type = leaf.Physical, Path = leaf.Path.ToList(), Codec = codec, NumValues = entries };
        long start = output.Position;
        long uncompressedTotal = 0;
        if (dictionary is not null)
        {
            chunk.DictionaryPageOffset = start;
            var plain = new BufferBuilder(dictionary.Data.Length + 4 * dictionary.Count);
            EncodePlain(dictionary, 0, dictionary.Count, leaf.Physical, plain);
            uncompressedTotal += WritePage(output, new PageHeader { Type = PageType.DictionaryPage, NumValues = dictionary.Count, Encoding = ParquetEncoding.Plain }, plain.Span, codec, false);
        }
        chunk.DataPageOffset = output.Position;
        var pages = new List<(long, int, long)>();
        var nullPages = new List<bool>();
        var mins = new List<byte[]>();
        var maxes = new List<byte[]>();
        var nullCounts = new List<long>();
        bool indexUsable = order.Comparable;
        byte[]? chunkMin = null, chunkMax = null;
        long chunkNulls = 0;

        int e = 0, v = 0;
        long row = 0;
        var body = new BufferBuilder(1 << 16);
        while (e < entries || (entries == 0 && pages.Count == 0))
        {
            // A page: up to PageRows rows, ending at a row boundary.
            int pageStart = e, vStart = v, rows = 0;
            while (e < entries)
            {
                if (rep.IsEmpty || rep[e] == 0)
                {
                    if (rows == options.PageRows) break;
                    rows++;
                }
                if (def.IsEmpty || def[e] == leaf.MaxDef) v++;
                e++;
            }
            int n = e - pageStart, present = v - vStart;
            body.SetLength(0);
            int repLen = 0, defLen = 0;
            var levelsV1 = !options.DataPageV2;
            if (leaf.MaxRep > 0) repLen = Levels(rep.Slice(pageStart, n), leaf.MaxRep, body, levelsV1);
            if (leaf.MaxDef > 0) defLen = Levels(def.Slice(pageStart, n), leaf.MaxDef, body, levelsV1);
            int levelBytes = body.Length;
            ParquetEncoding encoding;
            if (indices is not null)
            {
                encoding = ParquetEncoding.RleDictionary;
                int width = Math.Max(1, BitPacking.WidthOf((ulong)Math.Max(0, dictionary!.Count - 1)));
                body.Append((byte)width);
                RleHybrid.Encode(indices.AsSpan(vStart, present), width, body);
            }
            else
            {
                encoding = ParquetEncoding.Plain;
                EncodePlain(values, vStart, present, leaf.Physical, body);
            }
            var (min, max) = pageOrder is not null ? pageOrder.MinMax(indices.AsSpan(vStart, present)) : order.MinMax(values, vStart, present);
            long nulls = n - present;
            var stats = new Statistics { NullCount = nulls, MinValue = min, MaxValue = max };
            var header = new PageHeader { Type = options.DataPageV2 ? PageType.DataPageV2 : PageType.DataPage, NumValues = n, Encoding = encoding, Statistics = stats };
            if (options.DataPageV2) { header.NumNulls = (int)nulls; header.NumRows = rows; header.RepetitionLevelsLength = repLen; header.DefinitionLevelsLength = defLen; }
            long pageOffset = output.Position;
            uncompressedTotal += WritePage(output, header, body.Span, codec, options.DataPageV2, levelBytes);
            pages.Add((pageOffset, (int)(output.Position - pageOffset), row));
            row += rows;
            nullPages.Add(present == 0);
            if (present > 0 && (min is null || max is null)) indexUsable = false; // e.g. a page of only NaNs
            mins.Add(min ?? []);
            maxes.Add(max ?? []);
            nullCounts.Add(nulls);
            if (min is not null && (chunkMin is null || order.Compare(min, chunkMin) < 0)) chunkMin = min;
            if (max is not null && (chunkMax is null || order.Compare(max, chunkMax) > 0)) chunkMax = max;
            chunkNulls += nulls;
            if (entries == 0) break;
        }
        chunk.Encodings = indices is not null ? [ParquetEncoding.Plain, ParquetEncoding.Rle, ParquetEncoding.RleDictionary] : [ParquetEncoding.Plain, ParquetEncoding.Rle];
        chunk.TotalCompressedSize = output.Position - start;
        chunk.TotalUncompressedSize = uncompressedTotal;
        chunk.Statistics = new Statistics { NullCount = chunkNulls, MinValue = order.Comparable ? chunkMin : null, MaxValue = order.Comparable ? chunkMax : null };
        return new Result(chunk, pages, nullPages, mins, maxes, nullCounts, indexUsable);
    }

    /// <summary>Levels as the RLE hybrid, with the 4-byte length prefix for v1 pages; returns the bytes written.</summary>
    private static int Levels(ReadOnlySpan<byte> levels, int max, BufferBuilder body, bool lengthPrefix)
    {
        var ints = new int[levels.Length];
        for (int i = 0; i < levels.Length; i++) ints[i] = levels[i];
        int start = body.Length;
        if (lengthPrefix) body.Append(0);
        int dataStart = body.Length;
        RleHybrid.Encode(ints, BitPacking.WidthOf((ulong)max), body);
        if (lengthPrefix) BinaryPrimitives.WriteInt32LittleEndian(body.Span[start..], body.Length - dataStart);
        return body.Length - start;
    }

    private static long WritePage(Stream output, PageHeader header, ReadOnlySpan<byte> body, CompressionCodec codec, bool v2, int levelBytes = 0)
    {
        ReadOnlySpan<byte> stored;
        byte[]? compressed = null;
        if (v2)
        {
            // v2: the levels stay uncompressed in front of the (compressed) values.
            var values = body[levelBytes..];
            compressed = codec == CompressionCodec.Uncompressed ? null : ParquetCodecs.Compress(codec, values);
            header.IsCompressed = compressed is not null;
            var joined = new byte[levelBytes + (compressed?.Length ?? values.Length)];
            body[..levelBytes].CopyTo(joined);
            (compressed ?? values.ToArray()).CopyTo(joined, levelBytes);
            stored = joined;
        }
        else if (codec == CompressionCodec.Zstd)
        {
            // Compressed into a pooled buffer with the thread's context: no per-page allocation.
            var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(Native.Zstd.MaxCompressedLength(body.Length));
            try
            {
                int n = Native.Zstd.Compress(body, scratch);
                return Emit(output, header, body.Length, scratch.AsSpan(0, n));
            }
            finally { System.Buffers.ArrayPool<byte>.Shared.Return(scratch); }
        }
        else stored = codec == CompressionCodec.Uncompressed ? body : (compressed = ParquetCodecs.Compress(codec, body));
        return Emit(output, header, body.Length, stored);
    }

    /// <summary>Writes a page header and its stored bytes; returns the uncompressed size the chunk counts.</summary>
    private static long Emit(Stream output, PageHeader header, int uncompressed, ReadOnlySpan<byte> stored)
    {
        header.UncompressedSize = uncompressed;
        header.CompressedSize = stored.Length;
        var w = new ThriftWriter();
        header.Write(w);
        output.Write(w.Written);
        output.Write(stored);
        return w.Written.Length + uncompressed;
    }

    private static void EncodePlain(ValueBuffer values, int start, int count, PhysicalType type, BufferBuilder dst)
    {
        if (type == PhysicalType.Boolean)
        {
            var bits = dst.Extend((count + 7) / 8);
            for (int i = 0; i < count; i++) if (values.Data.Span[start + i] != 0) bits[i >> 3] |= (byte)(1 << (i & 7));
            return;
        }
        if (values.Width > 0)
        {
            dst.Append(values.Data.Span.Slice(start * values.Width, count * values.Width));
            return;
        }
        for (int i = start; i < start + count; i++)
        {
            var b = values.Binary(i);
            dst.Append(b.Length);
            dst.Append(b);
        }
    }

    private static (ValueBuffer?, int[]?) TryDictionary(ValueBuffer values, int maxSize)
    {
        int n = values.Count;
        var indices = new int[n];
        var dict = new ValueBuffer(values.Width);
        if (values.Width == 8 || values.Width == 4)
        {
            var firsts = new List<int>();
            var data = values.Data.Span;
            bool fits = values.Width == 8
                ? FixedDictionary.TryEncode(MemoryMarshal.Cast<byte, long>(data[..(n * 8)]), maxSize, indices, firsts)
                : FixedDictionary.TryEncode(MemoryMarshal.Cast<byte, int>(data[..(n * 4)]), maxSize, indices, firsts);
            if (!fits) return (null, null);
            foreach (int i in firsts) dict.AppendFixed(data.Slice(i * values.Width, values.Width), 1);
        }
        else if (values.Width == 0)
        {
            var map = new Dictionary<int, int>(new BinaryComparer(values));
            for (int i = 0; i < n; i++)
            {
                if (!map.TryGetValue(i, out int ix))
                {
                    if (map.Count >= maxSize) return (null, null);
                    ix = map.Count;
                    map[i] = ix;
                    dict.AppendBinary(values.Binary(i));
                }
                indices[i] = ix;
            }
        }
        else return (null, null);
        return Pays(values, dict) ? (dict, indices) : (null, null);
    }

    /// <summary>Whether the dictionary and the bit-packed indices are smaller than three quarters of the plain values.</summary>
    private static bool Pays(ValueBuffer values, ValueBuffer dict) =>
        Pays(values.Width > 0 ? (long)values.Count * values.Width : values.Data.Length + 4L * values.Count, values.Count, dict);

    /// <summary>The same for the plain values that dictionary <paramref name="indices"/> stand for (byte arrays: their
    /// bytes and 4-byte lengths).</summary>
    private static bool PaysIndices(ValueBuffer dict, ReadOnlySpan<int> indices)
    {
        long plainBytes = (long)indices.Length * (dict.Width > 0 ? dict.Width : 4);
        if (dict.Width == 0)
        {
            var o = dict.OffsetSpan;
            foreach (int ix in indices) plainBytes += o[ix + 1] - o[ix];
        }
        return Pays(plainBytes, indices.Length, dict);
    }

    private static bool Pays(long plainBytes, long count, ValueBuffer dict)
    {
        long dictBytes = (dict.Width > 0 ? (long)dict.Count * dict.Width : dict.Data.Length + 4L * dict.Count)
            + count * Math.Max(1, BitPacking.WidthOf((ulong)Math.Max(0, dict.Count - 1))) / 8;
        return dictBytes < plainBytes * 3 / 4;
    }

    /// <summary>A page's min and max from its dictionary indices (byte arrays, the only leaves that stay in dictionary
    /// mode): each distinct entry on the page is compared once.</summary>
    private sealed class DictionaryOrder(ValueBuffer dictionary, ValueOrder order)
    {
        private readonly int[] _seen = new int[dictionary.Count];
        private int _page;

        public (byte[]?, byte[]?) MinMax(ReadOnlySpan<int> indices)
        {
            if (indices.IsEmpty) return (null, null);
            if (++_page == int.MaxValue) { Array.Clear(_seen); _page = 1; }
            int lo = indices[0], hi = lo;
            _seen[lo] = _page;
            foreach (int ix in indices)
            {
                if (_seen[ix] == _page) continue;
                _seen[ix] = _page;
                var x = Get(ix);
                if (order.Compare(x, Get(lo)) < 0) lo = ix;
                else if (order.Compare(x, Get(hi)) > 0) hi = ix;
            }
            return (Get(lo).ToArray(), Get(hi).ToArray());
        }

        private ReadOnlySpan<byte> Get(int i) => dictionary.Binary(i);
    }

    /// <summary>Compares byte-array values by index (for the dictionary's hash map).</summary>
    private sealed class BinaryComparer(ValueBuffer values) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b) => values.Binary(a).SequenceEqual(values.Binary(b));

        public int GetHashCode(int i)
        {
            var h = new HashCode();
            h.AddBytes(values.Binary(i));
            return h.ToHashCode();
        }
    }

    /// <summary>The sort order statistics use: signed or unsigned integers, IEEE floats without NaN, unsigned bytes.</summary>
    private sealed class ValueOrder(WriteNode leaf)
    {
        private readonly bool _unsigned = leaf.Field.DataType.StorageType.Id is Columnar.Types.TypeId.UInt8 or Columnar.Types.TypeId.UInt16
            or Columnar.Types.TypeId.UInt32 or Columnar.Types.TypeId.UInt64;

        /// <summary>False for DECIMALs stored as bytes, whose signed order byte comparison does not give (they are
        /// written without statistics).</summary>
        public bool Comparable => !(leaf.Field.DataType is Columnar.Types.DecimalType && leaf.Physical == PhysicalType.ByteArray);

        public int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => leaf.Physical switch
        {
            PhysicalType.Int32 => _unsigned ? BinaryPrimitives.ReadUInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt32LittleEndian(b)) : BinaryPrimitives.ReadInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt32LittleEndian(b)),
            PhysicalType.Int64 => _unsigned ? BinaryPrimitives.ReadUInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(b)) : BinaryPrimitives.ReadInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt64LittleEndian(b)),
            PhysicalType.Float => BinaryPrimitives.ReadSingleLittleEndian(a).CompareTo(BinaryPrimitives.ReadSingleLittleEndian(b)),
            PhysicalType.Double => BinaryPrimitives.ReadDoubleLittleEndian(a).CompareTo(BinaryPrimitives.ReadDoubleLittleEndian(b)),
            PhysicalType.Boolean => a[0].CompareTo(b[0]),
            _ => a.SequenceCompareTo(b),
        };

        /// <summary>Min and max of values [start, start+count), PLAIN-encoded; nulls when there are none (or only NaNs).</summary>
        public (byte[]?, byte[]?) MinMax(ValueBuffer values, int start, int count)
        {
            if (count > 0 && values.Width > 0 && leaf.Physical is PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.Float or PhysicalType.Double
                && Typed(values.Data.Span.Slice(start * values.Width, count * values.Width)) is { } fast)
                return fast;
            if (count > 0 && values.Width == 0 && leaf.Physical == PhysicalType.ByteArray)
            {
                // Byte arrays: unsigned lexicographic order, the current bounds kept as spans.
                ReadOnlySpan<byte> lo = values.Binary(start), hi = lo;
                for (int i = start + 1; i < start + count; i++)
                {
                    var x = values.Binary(i);
                    if (x.SequenceCompareTo(lo) < 0) lo = x;
                    else if (x.SequenceCompareTo(hi) > 0) hi = x;
                }
                return (lo.ToArray(), hi.ToArray());
            }
            int best = -1, worst = -1;
            for (int i = start; i < start + count; i++)
            {
                var x = Get(values, i);
                if (leaf.Physical == PhysicalType.Float && float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(x))) continue;
                if (leaf.Physical == PhysicalType.Double && double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(x))) continue;
                if (best < 0 || Compare(x, Get(values, best)) < 0) best = i;
                if (worst < 0 || Compare(x, Get(values, worst)) > 0) worst = i;
            }
            if (best < 0) return (null, null);
            var min = Get(values, best).ToArray();
            var max = Get(values, worst).ToArray();
            // Zeros: -0.0 as the min, +0.0 as the max (the spec's rule, since they compare equal).
            if (leaf.Physical == PhysicalType.Double && BinaryPrimitives.ReadDoubleLittleEndian(min) == 0) BinaryPrimitives.WriteDoubleLittleEndian(min, -0.0);
            if (leaf.Physical == PhysicalType.Double && BinaryPrimitives.ReadDoubleLittleEndian(max) == 0) BinaryPrimitives.WriteDoubleLittleEndian(max, 0.0);
            if (leaf.Physical == PhysicalType.Float && BinaryPrimitives.ReadSingleLittleEndian(min) == 0) BinaryPrimitives.WriteSingleLittleEndian(min, -0.0f);
            if (leaf.Physical == PhysicalType.Float && BinaryPrimitives.ReadSingleLittleEndian(max) == 0) BinaryPrimitives.WriteSingleLittleEndian(max, 0.0f);
            return (min, max);
        }

        private static ReadOnlySpan<byte> Get(ValueBuffer values, int i) => values.Width > 0 ? values.Fixed(i) : values.Binary(i);

        /// <summary>Min and max of fixed-width numbers with vectorized reductions; null when a float column holds NaN
        /// (the caller's loop skips NaNs).</summary>
        private (byte[]?, byte[]?)? Typed(ReadOnlySpan<byte> plain)
        {
            switch (leaf.Physical)
            {
                case PhysicalType.Int32 when _unsigned: return Pair(MemoryMarshal.Cast<byte, uint>(plain));
                case PhysicalType.Int32: return Pair(MemoryMarshal.Cast<byte, int>(plain));
                case PhysicalType.Int64 when _unsigned: return Pair(MemoryMarshal.Cast<byte, ulong>(plain));
                case PhysicalType.Int64: return Pair(MemoryMarshal.Cast<byte, long>(plain));
                case PhysicalType.Float:
                {
                    var f = MemoryMarshal.Cast<byte, float>(plain);
                    float lo = System.Numerics.Tensors.TensorPrimitives.Min(f), hi = System.Numerics.Tensors.TensorPrimitives.Max(f);
                    if (float.IsNaN(lo) || float.IsNaN(hi)) return null;
                    // Zeros: -0.0 as the min, +0.0 as the max (the spec's rule, since they compare equal).
                    return (Bytes(lo == 0 ? -0.0f : lo), Bytes(hi == 0 ? 0.0f : hi));
                }
                default:
                {
                    var d = MemoryMarshal.Cast<byte, double>(plain);
                    double lo = System.Numerics.Tensors.TensorPrimitives.Min(d), hi = System.Numerics.Tensors.TensorPrimitives.Max(d);
                    if (double.IsNaN(lo) || double.IsNaN(hi)) return null;
                    return (Bytes(lo == 0 ? -0.0 : lo), Bytes(hi == 0 ? 0.0 : hi));
                }
            }

            static (byte[]?, byte[]?) Pair<T>(ReadOnlySpan<T> v) where T : unmanaged, System.Numerics.INumber<T> =>
                (Bytes(System.Numerics.Tensors.TensorPrimitives.Min(v)), Bytes(System.Numerics.Tensors.TensorPrimitives.Max(v)));

            static byte[] Bytes<T>(T value) where T : unmanaged
            {
                var b = new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
                MemoryMarshal.Write(b, in value);
                return b;
            }
        }
    }
}
