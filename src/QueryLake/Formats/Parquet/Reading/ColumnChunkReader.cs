using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using QueryLake.Columnar.Memory;
using QueryLake.Formats.Parquet.Encodings;
using QueryLake.Formats.Parquet.Metadata;
using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Reading;

/// <summary>Reads one column chunk's pages (dictionary, data v1 and v2), decompresses them and decodes levels and values
/// in every encoding the format defines. A page list, when given, lists the byte ranges of the data pages to
/// read (from the offset index); other pages are skipped without being decompressed.</summary>
internal static class ColumnChunkReader
{
    [ThreadStatic] private static int[]? t_indices;

    /// <summary>A dictionary-encoded page's <paramref name="count"/> indices (after its bit-width byte), decoded into
    /// this thread's scratch buffer: valid until the next page is decoded on the thread.</summary>
    private static Span<int> PageIndices(ReadOnlySpan<byte> src, int count)
    {
        var idx = t_indices is { } t && t.Length >= count ? t : (t_indices = new int[Math.Max(count, 1 << 14)]);
        RleHybrid.Decode(src[1..], src[0], idx.AsSpan(0, count));
        return idx.AsSpan(0, count);
    }

    /// <summary>Reads a chunk; with <c>keepDictionary</c>, dictionary-encoded byte arrays stay indices into the dictionary
    /// (<see cref="ValueBuffer.Dictionary"/>) as long as every page is dictionary-encoded. With <paramref name="rows"/>
    /// (ascending row numbers within the chunk, for a column without repetition), only those rows come back: pages
    /// without any of them are skipped undecompressed, and a page with some has its levels and values decoded and only
    /// the picked ones kept (late materialization: a filter's other columns decoded for the rows it keeps). With a
    /// <paramref name="lease"/>, the values are decoded into buffers rented through it (the dictionary page is not: an
    /// encoded column's dictionary is shared by whatever is gathered from it).</summary>
    public static LeafData Read(MappedFile file, ColumnChunk chunk, LeafColumn leaf, IReadOnlyList<(long Offset, int Size)>? pages = null, bool keepDictionary = false,
        int[]? rows = null, BufferLease? lease = null)
    {
        if (rows is not null && (pages is not null || leaf.MaxRep > 0)) throw new ArgumentException("picked rows need a flat column read page by page", nameof(rows));
        if (chunk.Type != leaf.Physical) throw new ParquetFormatException($"the chunk's type {chunk.Type} differs from the schema's {leaf.Physical}");
        long start = chunk.StartOffset, length = chunk.TotalCompressedSize;
        if (start < 4 || length < 0 || start + length > file.Length) throw new ParquetFormatException($"the chunk's bytes [{start}, {start + length}) lie outside the file ({file.Length} bytes)");
        if (chunk.NumValues < 0 || chunk.NumValues > int.MaxValue) throw new ParquetFormatException($"the chunk declares {chunk.NumValues} values");
        int expected = (int)chunk.NumValues;
        var values = new ValueBuffer(WidthOf(leaf), rows?.Length ?? expected, lease);
        var def = leaf.MaxDef > 0 ? new List<(byte[]?, int)>() : null;
        var rep = leaf.MaxRep > 0 ? new List<(byte[]?, int)>() : null;
        int entries = 0, kept = 0, cursor = 0;
        ValueBuffer? dictionary = null;
        long lastEnd = start;

        void ReadPage(long pos, long end, bool dataWanted)
        {
            var headerSpan = file.Span(pos, (int)Math.Min(end - pos, 1 << 20));
            var tr = new ThriftReader(headerSpan);
            var h = PageHeader.Read(ref tr);
            long body = pos + tr.Position;
            if (h.CompressedSize > end - body) throw new ParquetFormatException($"a page of {h.CompressedSize} bytes at offset {pos} runs past the chunk");
            var raw = file.Slice(body, h.CompressedSize);
            switch (h.Type)
            {
                case PageType.DictionaryPage:
                    if (dictionary is not null) throw new ParquetFormatException("the chunk has two dictionary pages");
                    if (h.Encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary)) throw new ParquetFormatException($"dictionary page encoding {h.Encoding} is not PLAIN");
                    dictionary = new ValueBuffer(values.Width);
                    DecodePlain(ParquetCodecs.Decompress(chunk.Codec, raw, h.UncompressedSize).Span, leaf, h.NumValues, dictionary);
                    break;
                case PageType.DataPage or PageType.DataPageV2 when dataWanted:
                    if (h.NumValues > expected - entries) throw new ParquetFormatException($"the pages hold more than the chunk's {expected} values");
                    if (rows is null) DataPage(h, raw, chunk.Codec, leaf, dictionary, values, def, rep, keepDictionary, null);
                    else
                    {
                        // A flat column has one level entry per row: the page holds rows [entries, entries + NumValues).
                        int from = cursor;
                        while (cursor < rows.Length && rows[cursor] < entries + h.NumValues) cursor++;
                        if (cursor > from)
                        {
                            int[]? picked = null;
                            if (cursor - from < h.NumValues)
                            {
                                picked = new int[cursor - from];
                                for (int k = 0; k < picked.Length; k++) picked[k] = rows[from + k] - entries;
                            }
                            DataPage(h, raw, chunk.Codec, leaf, dictionary, values, def, rep, keepDictionary, picked);
                            kept += cursor - from;
                        }
                    }
                    entries += h.NumValues;
                    break;
            }
            lastEnd = body + h.CompressedSize;
        }

        if (pages is null)
        {
            long pos = start, end = start + length;
            while (pos < end && entries < expected)
            {
                ReadPage(pos, end, true);
                pos = lastEnd;
            }
            if (entries != expected) throw new ParquetFormatException($"the chunk's pages hold {entries} values but it declares {expected}");
            if (rows is not null && cursor != rows.Length) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[cursor]} is not among the chunk's {entries} rows, or the rows are not ascending");
        }
        else
        {
            // A dictionary page, if any, is the chunk's first page (some writers leave dictionary_page_offset unset).
            ReadPage(start, start + length, false);
            expected = int.MaxValue;
            foreach (var (offset, size) in pages)
            {
                if (offset < start || size < 0 || offset + size > start + length) throw new ParquetFormatException($"the offset index points outside the chunk (page at {offset})");
                ReadPage(offset, offset + size, true);
            }
        }
        int slots = rows is null ? entries : kept;
        return new LeafData(slots, Concat(def, slots, (byte)leaf.MaxDef), Concat(rep, slots, 0), values);
    }

    /// <summary>The pages' levels as one array; a part without levels stands for its count of entries at
    /// <paramref name="max"/>. Null when there are no parts, or when no part has levels (every entry at the maximum: a
    /// column without NULLs needs no definition levels).</summary>
    private static byte[]? Concat(List<(byte[]? Levels, int Count)>? parts, int total, byte max)
    {
        if (parts is null || parts.TrueForAll(p => p.Levels is null)) return null;
        if (parts.Count == 1 && parts[0].Levels!.Length == total) return parts[0].Levels;
        var all = new byte[total];
        int at = 0;
        foreach (var (levels, count) in parts)
        {
            if (levels is null) all.AsSpan(at, count).Fill(max);
            else levels.CopyTo(all, at);
            at += count;
        }
        return all;
    }

    /// <summary>Bytes per decoded value; 0 for byte arrays. Booleans take one byte; FLBA its declared length.</summary>
    public static int WidthOf(LeafColumn leaf) => leaf.Physical switch
    {
        PhysicalType.Boolean => 1,
        PhysicalType.Int32 or PhysicalType.Float => 4,
        PhysicalType.Int64 or PhysicalType.Double => 8,
        PhysicalType.Int96 => 12,
        PhysicalType.FixedLenByteArray => leaf.Element.TypeLength > 0 ? leaf.Element.TypeLength : throw new ParquetFormatException($"FIXED_LEN_BYTE_ARRAY length {leaf.Element.TypeLength}"),
        _ => 0,
    };

    /// <summary>Decodes a data page; with <paramref name="picked"/> (ascending positions within the page of a flat
    /// column), only those rows' levels and values are kept.</summary>
    private static void DataPage(PageHeader h, ReadOnlyMemory<byte> raw, CompressionCodec codec, LeafColumn leaf, ValueBuffer? dictionary,
        ValueBuffer values, List<(byte[]?, int)>? def, List<(byte[]?, int)>? rep, bool keepDictionary, int[]? picked)
    {
        int n = h.NumValues;
        ReadOnlySpan<byte> body;
        byte[]? defLevels = null, repLevels = null;
        if (h.Type == PageType.DataPageV2)
        {
            int levels = h.RepetitionLevelsLength + h.DefinitionLevelsLength;
            var lv = raw.Span[..levels];
            if (leaf.MaxRep > 0) repLevels = Levels(lv[..h.RepetitionLevelsLength], leaf.MaxRep, n, "repetition");
            if (leaf.MaxDef > 0) defLevels = DefinitionLevels(lv[h.RepetitionLevelsLength..], leaf, n);
            var rest = raw[levels..];
            body = h.IsCompressed ? ParquetCodecs.Decompress(codec, rest, h.UncompressedSize - levels).Span : rest.Span;
        }
        else
        {
            var page = ParquetCodecs.Decompress(codec, raw, h.UncompressedSize).Span;
            if (leaf.MaxRep > 0) repLevels = LevelsV1(ref page, leaf.MaxRep, n, h.RepetitionEncoding, "repetition");
            if (leaf.MaxDef > 0) defLevels = LevelsV1(ref page, leaf.MaxDef, n, h.DefinitionEncoding, "definition", leaf.MaxRep == 0);
            body = page;
        }
        int present = n;
        if (defLevels is not null)
        {
            present = defLevels.AsSpan().Count((byte)leaf.MaxDef);
        }
        if (repLevels is not null && repLevels.Length > 0 && h.Type == PageType.DataPageV2 && repLevels[0] != 0)
            throw new ParquetFormatException("a v2 data page does not start at a row boundary");
        keepDictionary &= values.Width == 0;
        if (picked is null)
        {
            def?.Add((defLevels, n));
            rep?.Add((repLevels, n));
            DecodeValues(body, h.Encoding, leaf, present, dictionary, values, keepDictionary);
            return;
        }
        // Picked rows of a flat column: each one's definition level, and for those defined, the position of their value
        // among the page's dense values (the count of defined rows before it).
        if (picked.Length > 0 && (uint)picked[^1] >= (uint)n) throw new ParquetFormatException($"a picked row lies outside the page's {n} rows");
        var positions = new int[picked.Length];
        int m = 0;
        if (defLevels is null)
        {
            // No definition levels, or all at the maximum: every picked row is defined.
            picked.CopyTo(positions, 0);
            m = picked.Length;
            def?.Add((null, picked.Length));
        }
        else
        {
            var pickedDef = new byte[picked.Length];
            byte max = (byte)leaf.MaxDef;
            int rank = 0, row = 0;
            for (int k = 0; k < picked.Length; k++)
            {
                for (; row < picked[k]; row++) rank += defLevels[row] == max ? 1 : 0;
                pickedDef[k] = defLevels[row];
                if (defLevels[row] == max) positions[m++] = rank;
            }
            def!.Add((pickedDef, picked.Length));
        }
        DecodePicked(body, h.Encoding, leaf, present, dictionary, values, keepDictionary, positions.AsSpan(0, m));
    }

    /// <summary>Appends the values at <paramref name="positions"/> (ascending, among the page's <paramref name="count"/>
    /// dense values). A dictionary-encoded page takes them straight from its indices; any other encoding decodes the page
    /// and keeps the picked values.</summary>
    private static void DecodePicked(ReadOnlySpan<byte> src, ParquetEncoding encoding, LeafColumn leaf, int count, ValueBuffer? dictionary, ValueBuffer values,
        bool keepDictionary, ReadOnlySpan<int> positions)
    {
        if (encoding is ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary && dictionary is not null && count > 0)
        {
            if (src.Length < 1) throw new ParquetFormatException("a dictionary-encoded page has no bit width");
            var idx = PageIndices(src, count);
            var chosen = new int[positions.Length];
            for (int k = 0; k < chosen.Length; k++) chosen[k] = idx[positions[k]];
            if (keepDictionary) values.AppendIndices(dictionary, chosen);
            else values.AppendFrom(dictionary, chosen);
            return;
        }
        var page = new ValueBuffer(values.Width, count);
        DecodeValues(src, encoding, leaf, count, dictionary, page);
        values.Materialize();
        values.AppendFrom(page, positions);
    }

    private static byte[]? LevelsV1(ref ReadOnlySpan<byte> page, int max, int n, ParquetEncoding encoding, string what, bool allMaxAsNull = false)
    {
        if (encoding == ParquetEncoding.BitPacked)
        {
            // The deprecated BIT_PACKED level encoding packs most significant bit first, with no length prefix.
            int width = BitPacking.WidthOf((ulong)max);
            int bytes = (int)(((long)n * width + 7) / 8);
            if (bytes > page.Length) throw new ParquetFormatException($"{what} levels run past the end of the page");
            var result = new byte[n];
            for (int i = 0; i < n; i++)
            {
                int v = 0;
                for (int b = 0; b < width; b++)
                {
                    long bit = (long)i * width + b;
                    v = (v << 1) | ((page[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1);
                }
                if (v > max) throw new ParquetFormatException($"{what} level {v} exceeds the maximum {max}");
                result[i] = (byte)v;
            }
            page = page[bytes..];
            return result;
        }
        if (encoding != ParquetEncoding.Rle) throw new ParquetFormatException($"{what} levels use encoding {encoding}");
        if (page.Length < 4) throw new ParquetFormatException($"{what} levels are missing their length");
        int len = BinaryPrimitives.ReadInt32LittleEndian(page);
        if (len < 0 || len > page.Length - 4) throw new ParquetFormatException($"{what} levels declare {len} bytes, more than the page holds");
        var levels = allMaxAsNull && AllAt(page.Slice(4, len), max, n) ? null : Levels(page.Slice(4, len), max, n, what);
        page = page[(4 + len)..];
        return levels;
    }

    /// <summary>A flat column's definition levels; null when they are all at the maximum (one RLE run: no NULLs).</summary>
    private static byte[]? DefinitionLevels(ReadOnlySpan<byte> src, LeafColumn leaf, int n) =>
        leaf.MaxRep == 0 && AllAt(src, leaf.MaxDef, n) ? null : Levels(src, leaf.MaxDef, n, "definition");

    /// <summary>Whether RLE/bit-packed levels open with one RLE run of <paramref name="max"/> covering all
    /// <paramref name="n"/> entries (how writers encode a page without NULLs), read from the run's header alone.</summary>
    private static bool AllAt(ReadOnlySpan<byte> src, int max, int n)
    {
        if (n == 0 || src.IsEmpty) return false;
        ulong header = 0;
        int pos = 0, shift = 0;
        while (true)
        {
            if (pos >= src.Length || shift > 28) return false;
            byte b = src[pos++];
            header |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
            shift += 7;
        }
        int width = BitPacking.WidthOf((ulong)max), bytes = (width + 7) / 8;
        if ((header & 1) != 0 || (header >> 1) < (ulong)n || pos + bytes > src.Length) return false;
        int value = 0;
        for (int b = 0; b < bytes; b++) value |= src[pos + b] << (8 * b);
        return value == max;
    }

    private static byte[] Levels(ReadOnlySpan<byte> src, int max, int n, string what)
    {
        var result = GC.AllocateUninitializedArray<byte>(n);
        RleHybrid.DecodeBytes(src, BitPacking.WidthOf((ulong)max), result);
        if (n > 0 && System.Numerics.Tensors.TensorPrimitives.Max<byte>(result) is var top && top > max)
            throw new ParquetFormatException($"{what} level {top} exceeds the maximum {max}");
        return result;
    }

    private static void DecodeValues(ReadOnlySpan<byte> src, ParquetEncoding encoding, LeafColumn leaf, int count, ValueBuffer? dictionary, ValueBuffer values,
        bool keepDictionary = false)
    {
        if (encoding is not (ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary)) values.Materialize();
        switch (encoding)
        {
            case ParquetEncoding.Plain:
                DecodePlain(src, leaf, count, values);
                break;
            case ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary:
                {
                    if (dictionary is null) throw new ParquetFormatException("a dictionary-encoded page has no dictionary page before it");
                    if (count == 0) break;
                    if (src.Length < 1) throw new ParquetFormatException("a dictionary-encoded page has no bit width");
                    if (keepDictionary && values.KeepsIndicesOf(dictionary))
                    {
                        // Indices kept as they are: decoded straight into the column's index buffer.
                        var kept = values.ExtendIndices(dictionary, count);
                        RleHybrid.Decode(src[1..], src[0], kept);
                        ValueBuffer.CheckIndices(dictionary, kept);
                        break;
                    }
                    var idx = PageIndices(src, count);
                    if (keepDictionary) values.AppendIndices(dictionary, idx);
                    else values.AppendFrom(dictionary, idx);
                    break;
                }
            case ParquetEncoding.Rle when leaf.Physical == PhysicalType.Boolean:
                {
                    if (src.Length < 4) throw new ParquetFormatException("an RLE boolean page is missing its length");
                    int len = BinaryPrimitives.ReadInt32LittleEndian(src);
                    if (len < 0 || len > src.Length - 4) throw new ParquetFormatException("an RLE boolean page declares more bytes than it holds");
                    var tmp = new int[count];
                    RleHybrid.Decode(src.Slice(4, len), 1, tmp);
                    var dst = values.ExtendFixed(count);
                    for (int i = 0; i < count; i++) dst[i] = (byte)(tmp[i] & 1);
                    break;
                }
            case ParquetEncoding.DeltaBinaryPacked when leaf.Physical is PhysicalType.Int32 or PhysicalType.Int64:
                {
                    var tmp = new long[count];
                    var (got, _) = DeltaBinaryPacked.Decode(src, tmp);
                    if (got != count) throw new ParquetFormatException($"DELTA_BINARY_PACKED holds {got} values where {count} are defined");
                    var dst = values.ExtendFixed(count);
                    if (values.Width == 8) tmp.AsSpan().CopyTo(MemoryMarshal.Cast<byte, long>(dst));
                    else { var d = MemoryMarshal.Cast<byte, int>(dst); for (int i = 0; i < count; i++) d[i] = unchecked((int)tmp[i]); }
                    break;
                }
            case ParquetEncoding.DeltaLengthByteArray when leaf.Physical == PhysicalType.ByteArray:
                {
                    var lengths = new long[count];
                    var (got, used) = DeltaBinaryPacked.Decode(src, lengths);
                    if (got != count) throw new ParquetFormatException($"DELTA_LENGTH_BYTE_ARRAY holds {got} lengths where {count} are defined");
                    int p = used;
                    foreach (var l in lengths)
                    {
                        if (l < 0 || l > src.Length - p) throw new ParquetFormatException("DELTA_LENGTH_BYTE_ARRAY value runs past the end of the page");
                        values.AppendBinary(src.Slice(p, (int)l));
                        p += (int)l;
                    }
                    break;
                }
            case ParquetEncoding.DeltaByteArray when leaf.Physical is PhysicalType.ByteArray or PhysicalType.FixedLenByteArray:
                {
                    var prefixes = new long[count];
                    var (got, used) = DeltaBinaryPacked.Decode(src, prefixes);
                    if (got != count) throw new ParquetFormatException($"DELTA_BYTE_ARRAY holds {got} prefixes where {count} are defined");
                    var suffixLengths = new long[count];
                    var (got2, used2) = DeltaBinaryPacked.Decode(src[used..], suffixLengths);
                    if (got2 != count) throw new ParquetFormatException($"DELTA_BYTE_ARRAY holds {got2} suffixes where {count} are defined");
                    int p = used + used2;
                    byte[] prev = [];
                    for (int i = 0; i < count; i++)
                    {
                        long pre = prefixes[i], suf = suffixLengths[i];
                        if (pre < 0 || pre > prev.Length || suf < 0 || suf > src.Length - p) throw new ParquetFormatException("DELTA_BYTE_ARRAY value is inconsistent with its predecessor or the page");
                        var v = new byte[pre + suf];
                        prev.AsSpan(0, (int)pre).CopyTo(v);
                        src.Slice(p, (int)suf).CopyTo(v.AsSpan((int)pre));
                        p += (int)suf;
                        AppendVariable(values, v, leaf);
                        prev = v;
                    }
                    break;
                }
            case ParquetEncoding.ByteStreamSplit when values.Width > 0 && leaf.Physical != PhysicalType.Boolean:
                {
                    int w = values.Width;
                    if ((long)count * w > src.Length) throw new ParquetFormatException("BYTE_STREAM_SPLIT data is shorter than its values");
                    var dst = values.ExtendFixed(count);
                    for (int b = 0; b < w; b++)
                    {
                        var stream = src.Slice(b * count, count);
                        for (int i = 0; i < count; i++) dst[i * w + b] = stream[i];
                    }
                    break;
                }
            default:
                throw new ParquetFormatException($"encoding {encoding} is not valid for {leaf.Physical} values");
        }
    }

    private static void AppendVariable(ValueBuffer values, ReadOnlySpan<byte> v, LeafColumn leaf)
    {
        if (values.Width == 0) { values.AppendBinary(v); return; }
        if (v.Length != values.Width) throw new ParquetFormatException($"a FIXED_LEN_BYTE_ARRAY({values.Width}) value has {v.Length} bytes");
        values.AppendFixed(v, 1);
    }

    /// <summary>PLAIN: fixed-width values back to back, booleans bit-packed, byte arrays with a 4-byte length prefix.</summary>
    public static void DecodePlain(ReadOnlySpan<byte> src, LeafColumn leaf, int count, ValueBuffer values)
    {
        if (leaf.Physical == PhysicalType.Boolean)
        {
            if ((count + 7) / 8 > src.Length) throw new ParquetFormatException("PLAIN booleans are shorter than their values");
            var dst = values.ExtendFixed(count);
            for (int i = 0; i < count; i++) dst[i] = (byte)((src[i >> 3] >> (i & 7)) & 1);
            return;
        }
        if (values.Width > 0)
        {
            if ((long)count * values.Width > src.Length) throw new ParquetFormatException($"PLAIN data holds {src.Length / values.Width} values where {count} are defined");
            values.AppendFixed(src, count);
            return;
        }
        int p = 0;
        for (int i = 0; i < count; i++)
        {
            if (p + 4 > src.Length) throw new ParquetFormatException("PLAIN byte array runs past the end of the page");
            int len = BinaryPrimitives.ReadInt32LittleEndian(src[p..]);
            if (len < 0 || len > src.Length - p - 4) throw new ParquetFormatException($"PLAIN byte array of {len} bytes runs past the end of the page");
            values.AppendBinary(src.Slice(p + 4, len));
            p += 4 + len;
        }
    }
}
