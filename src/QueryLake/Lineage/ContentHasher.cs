using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Lineage;

/// <summary>
/// Builds a <see cref="ContentHash"/> batch by batch, so a streaming export hashes what it writes in the same pass.
/// The hash is columnar: every column (and every child of a nested column) feeds three streams, each hashed with
/// XXH3-128 as the rows go by: its validity (one byte per row), its lengths (int64 per non-null list or string) and its
/// values (the value bytes of non-null rows: fixed-width values as stored little-endian, booleans as one byte, strings
/// and blobs as their bytes). Only logical content counts: batch boundaries, slices, offsets, dictionary encoding and
/// what a null slot physically holds do not change the hash. The result is SHA-256 over the column names and types and
/// every stream's digest, as <c>c2:</c> and 64 hex digits.
/// </summary>
internal sealed class ContentHasher : IDisposable
{
    /// <summary>What marks this algorithm's hashes (hashes without it come from <see cref="TextContentHasher"/>).</summary>
    public const string Prefix = "c2:";

    private readonly Schema _schema;
    private readonly Streams[] _columns;

    public ContentHasher(Schema schema)
    {
        _schema = schema;
        _columns = schema.Fields.Select(f => new Streams(f.DataType)).ToArray();
    }

    public void Add(RecordBatch b)
    {
        for (int c = 0; c < _columns.Length; c++) _columns[c].Feed(b.Columns[c].Data, 0, b.Length);
    }

    /// <summary>Passes the batches through, hashing each.</summary>
    public IEnumerable<RecordBatch> Tap(IEnumerable<RecordBatch> batches)
    {
        foreach (var b in batches) { Add(b); yield return b; }
    }

    public string Finish()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (f, streams) in _schema.Fields.Zip(_columns))
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{f.Name}\u001F{f.DataType}\u001F"));
            streams.Digest(sha);
        }
        return Prefix + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public void Dispose() { }

    /// <summary>The streams of one column or child.</summary>
    private sealed class Streams
    {
        private readonly XxHash128 _validity = new(), _lengths = new(), _values = new();
        private readonly Streams[] _children;
        private readonly DataType _storage;

        public Streams(DataType type)
        {
            _storage = type.StorageType is DictionaryType d ? d.ValueType.StorageType : type.StorageType;
            _children = _storage switch
            {
                ListType l => [new Streams(l.ValueType)],
                FixedSizeListType f => [new Streams(f.ValueType)],
                StructType s => s.Fields.Select(x => new Streams(x.DataType)).ToArray(),
                _ => [],
            };
        }

        public void Digest(IncrementalHash sha)
        {
            Span<byte> d = stackalloc byte[16];
            foreach (var h in new[] { _validity, _lengths, _values })
            {
                h.GetCurrentHash(d);
                sha.AppendData(d);
            }
            foreach (var c in _children) c.Digest(sha);
        }

        /// <summary>Rows [start, start + count) of <paramref name="a"/> (logical indices, before its offset).</summary>
        public void Feed(ArrayData a, int start, int count)
        {
            if (count == 0) return;
            if (a.Type.StorageType is DictionaryType)
            {
                var d = (Columnar.Arrays.DictionaryArray)Columnar.Arrays.ArrowArray.FromData(a.Slice(start, count));
                if (_storage is VariableBinaryType text && d.Dictionary.NullCount == 0) { FeedEncodedText(d, text.IsLarge); return; }
                a = Kernels.Vectors.Plain(d).Data;
            }
            else if (start != 0 || count != a.Length) a = a.Slice(start, count);
            // Validity: one byte per row.
            var bytes = Validity(a, count, out bool nulls);
            try
            {
                if (_storage is NullType) return;
                if (!nulls) { Values(a, 0, count); return; }
                for (int i = 0; i < count;)
                {
                    if (bytes[i] == 0) { i++; continue; }
                    int run = i;
                    while (i < count && bytes[i] == 1) i++;
                    Values(a, run, i - run);
                }
            }
            finally { ArrayPool<byte>.Shared.Return(bytes); }
        }

        /// <summary>Dictionary-encoded text (a dictionary without NULLs) hashed as the text it stands for, without
        /// decoding it into a new array: each non-null row's length and bytes are gathered straight from the
        /// dictionary into a reused buffer, so the streams see exactly what <see cref="Feed"/> of the plain array would.</summary>
        private void FeedEncodedText(Columnar.Arrays.DictionaryArray d, bool large)
        {
            int count = d.Length;
            var indices = Kernels.Vectors.IndexSpan(d);
            var dict = d.Dictionary.Data;
            var data = dict.Buffers[2].Span;
            var validity = Validity(d.Data, count, out bool nulls);
            var lengths = ArrayPool<long>.Shared.Rent(Math.Min(count, Chunk / 8));
            var values = ArrayPool<byte>.Shared.Rent(Chunk);
            try
            {
                int nLengths = 0, nValues = 0, size = dict.Length;
                var o32 = large ? default : dict.Buffers[1].As<int>();
                var o64 = large ? dict.Buffers[1].As<long>() : default;
                for (int i = 0; i < count; i++)
                {
                    if (nulls && validity[i] == 0) continue;
                    if ((uint)indices[i] >= (uint)size)
                        throw new InvalidDataException($"dictionary index {indices[i]} at slot {i} is outside a dictionary of {size} values");
                    int at = dict.Offset + indices[i];
                    long first = large ? o64[at] : o32[at], last = large ? o64[at + 1] : o32[at + 1];
                    int length = checked((int)(last - first));
                    if (nLengths == lengths.Length) { AppendLengths(lengths, nLengths); nLengths = 0; }
                    lengths[nLengths++] = length;
                    if (nValues + length > values.Length)
                    {
                        _values.Append(values.AsSpan(0, nValues));
                        nValues = 0;
                        if (length > values.Length) { _values.Append(data.Slice((int)first, length)); continue; }
                    }
                    data.Slice((int)first, length).CopyTo(values.AsSpan(nValues));
                    nValues += length;
                }
                AppendLengths(lengths, nLengths);
                _values.Append(values.AsSpan(0, nValues));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(validity);
                ArrayPool<long>.Shared.Return(lengths);
                ArrayPool<byte>.Shared.Return(values);
            }
        }

        /// <summary>Hashes one validity byte per row of <paramref name="a"/> (1: valid); returns those bytes, rented from
        /// the shared pool for the caller to return.</summary>
        private byte[] Validity(ArrayData a, int count, out bool nulls)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(count);
            nulls = a.NullCount > 0;
            if (!nulls) bytes.AsSpan(0, count).Fill(1);
            else for (int i = 0; i < count; i++) bytes[i] = a.IsNull(i) ? (byte)0 : (byte)1;
            _validity.Append(bytes.AsSpan(0, count));
            return bytes;
        }

        /// <summary>How many bytes of gathered values (or lengths) are hashed at a time.</summary>
        private const int Chunk = 64 << 10;

        private void AppendLengths(long[] lengths, int count)
        {
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < count; i++) lengths[i] = BinaryPrimitives.ReverseEndianness(lengths[i]);
            _lengths.Append(MemoryMarshal.AsBytes(lengths.AsSpan(0, count)));
        }

        /// <summary>The values (and lengths, and children) of the non-null rows [start, start + count) of <paramref name="a"/>.</summary>
        private void Values(ArrayData a, int start, int count)
        {
            int at = a.Offset + start;
            switch (_storage)
            {
                case PrimitiveType { Id: TypeId.Boolean }:
                {
                    var bits = a.Buffers[1].Span;
                    var one = ArrayPool<byte>.Shared.Rent(count);
                    for (int i = 0; i < count; i++) one[i] = BitUtil.GetBit(bits, at + i) ? (byte)1 : (byte)0;
                    _values.Append(one.AsSpan(0, count));
                    ArrayPool<byte>.Shared.Return(one);
                    break;
                }
                case { FixedByteWidth: > 0 and var width }:
                    _values.Append(a.Buffers[1].Span.Slice(at * width, count * width));
                    break;
                case VariableBinaryType v:
                {
                    var (first, last) = Lengths(a.Buffers[1], at, count, v.IsLarge);
                    _values.Append(a.Buffers[2].Span.Slice(checked((int)first), checked((int)(last - first))));
                    break;
                }
                case ListType:
                {
                    var (first, last) = Lengths(a.Buffers[1], at, count, large: false);
                    _children[0].Feed(a.Children[0], (int)first, (int)(last - first));
                    break;
                }
                case FixedSizeListType f:
                    _children[0].Feed(a.Children[0], at * f.ListSize, count * f.ListSize);
                    break;
                case StructType:
                    for (int c = 0; c < _children.Length; c++) _children[c].Feed(a.Children[c], at, count);
                    break;
                default:
                    throw new NotSupportedException($"cannot hash values of type {_storage}");
            }
        }

        /// <summary>Appends the lengths of slots [at, at + count) to the lengths stream; returns the value range.</summary>
        private (long First, long Last) Lengths(ArrowBuffer offsets, int at, int count, bool large)
        {
            var lengths = ArrayPool<long>.Shared.Rent(count);
            long first, last;
            if (large)
            {
                var o = offsets.As<long>();
                for (int i = 0; i < count; i++) lengths[i] = o[at + i + 1] - o[at + i];
                (first, last) = (o[at], o[at + count]);
            }
            else
            {
                var o = offsets.As<int>();
                for (int i = 0; i < count; i++) lengths[i] = o[at + i + 1] - o[at + i];
                (first, last) = (o[at], o[at + count]);
            }
            AppendLengths(lengths, count);
            ArrayPool<long>.Shared.Return(lengths);
            return (first, last);
        }
    }
}
