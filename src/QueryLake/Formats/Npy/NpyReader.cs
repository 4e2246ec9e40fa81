using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Formats.Npy;

/// <summary>
/// Reads NumPy .npy files (format versions 1 to 3, as numpy.save writes them): the array's first dimension becomes
/// rows, with an <c>id</c> column (0-based row number) and a value column. A 1-D array gives <c>value</c> of its dtype;
/// a 2-D float array gives <c>embedding</c> as EMBEDDING(d) (float64 values are narrowed to float32, the embedding
/// type); other 2-D arrays give a fixed-size list, and arrays of 3 or more dimensions give <c>tensor</c> as
/// TENSOR(d2, d3, …). Little- and big-endian integers and floats of 1 to 8 bytes and booleans are read; Fortran
/// order is handled; object arrays (pickles) are refused, never executed. The file is memory-mapped, so files larger
/// than memory read batch by batch.
/// </summary>
public static partial class NpyReader
{
    private const int BatchRows = 65_536;

    /// <summary>Reads <paramref name="path"/>; malformed files fail with <see cref="CorruptFileException"/>.</summary>
    public static (Schema Schema, IReadOnlyList<RecordBatch> Batches) Read(string path)
    {
        var file = MappedFile.Open(path);
        var (dtype, bigEndian, width, fortran, shape, dataStart) = Header(file.Span(0, (int)Math.Min(file.Length, 1 << 16)).ToArray(), path);
        long count;
        try { count = checked(shape.Aggregate(1L, (a, d) => checked(a * d)) * width) / width; }
        catch (OverflowException) { throw new CorruptFileException(path, $"declares shape ({string.Join(", ", shape)}), larger than any file"); }
        if (file.Length - dataStart < count * width)
            throw new CorruptFileException(path, $"holds {file.Length - dataStart} bytes of data, but shape ({string.Join(", ", shape)}) of {width}-byte values needs {count * width}");
        long rows = shape.Count == 0 ? 1 : shape[0];
        long perRow = shape.Count <= 1 ? 1 : shape.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (perRow > 1 << 28) throw new CorruptFileException(path, $"has rows of {perRow} elements, more than QueryLake puts in one value");
        int per = (int)perRow;
        var (field, valueType) = shape.Count switch
        {
            0 or 1 => (new Field("value", dtype), dtype),
            2 when dtype.Id is TypeId.Float32 or TypeId.Float64 => (new Field("embedding", new EmbeddingType(per)), DataType.Float32),
            2 => (new Field("value", DataType.FixedSizeList(dtype, per)), dtype),
            _ => (new Field("tensor", new TensorType((PrimitiveType)dtype, shape.Skip(1).Select(d => (int)d).ToList())), dtype),
        };
        var schema = new Schema([new Field("id", DataType.Int64, nullable: false), field]);
        var batches = new List<RecordBatch>();
        for (long start = 0; start < rows; start += BatchRows)
        {
            int n = (int)Math.Min(BatchRows, rows - start);
            var ids = new PrimitiveBuilder<long>(DataType.Int64);
            var values = ArrayBuilder.Create(valueType);
            for (int r = 0; r < n; r++)
            {
                ids.Append(start + r);
                if (!fortran || shape.Count <= 1)
                {
                    var row = file.Span(dataStart + (start + r) * per * width, per * width);
                    if (dtype.Id == TypeId.Float32 && !bigEndian && BitConverter.IsLittleEndian)
                        ((PrimitiveBuilder<float>)values).AppendRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(row));
                    else
                        for (int k = 0; k < per; k++) values.Append(Value(row.Slice(k * width, width), dtype, bigEndian, valueType));
                    continue;
                }
                // Fortran order stores the first index fastest: element k of a row is gathered from its own place.
                for (int k = 0; k < per; k++)
                    values.Append(Value(file.Span(dataStart + FortranOffset(start + r, k, shape) * width, width), dtype, bigEndian, valueType));
            }
            var column = shape.Count <= 1 ? values.Build()
                : ArrowArray.FromData(new ArrayData(field.DataType, n, 0, 0, [Columnar.Memory.ArrowBuffer.Empty], [values.Build().Data]));
            batches.Add(new RecordBatch(schema, [ids.Build(), column], n));
        }
        return (schema, batches);
    }

    /// <summary>The Fortran-order position of element k (row-major within the row's trailing dimensions) of a row.</summary>
    private static long FortranOffset(long row, int k, IReadOnlyList<long> shape)
    {
        var index = new long[shape.Count];
        index[0] = row;
        for (int d = shape.Count - 1; d >= 1; d--) { index[d] = k % shape[d]; k = (int)(k / shape[d]); }
        long at = 0, stride = 1;
        for (int d = 0; d < shape.Count; d++) { at += index[d] * stride; stride *= shape[d]; }
        return at;
    }

    private static object? Value(ReadOnlySpan<byte> b, DataType dtype, bool big, DataType target)
    {
        object v = dtype.Id switch
        {
            TypeId.Boolean => b[0] != 0,
            TypeId.Int8 => (sbyte)b[0],
            TypeId.UInt8 => b[0],
            TypeId.Int16 => big ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
            TypeId.UInt16 => big ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
            TypeId.Int32 => big ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
            TypeId.UInt32 => big ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
            TypeId.Int64 => big ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
            TypeId.UInt64 => big ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b),
            TypeId.Float32 => big ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
            _ => big ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
        };
        return target.Id == TypeId.Float32 && v is double d ? (float)d : v;
    }

    private static (DataType Type, bool BigEndian, int Width, bool Fortran, List<long> Shape, long DataStart) Header(byte[] bytes, string path)
    {
        if (bytes.Length < 10 || !(bytes[0] == 0x93 && bytes.AsSpan(1, 5).SequenceEqual("NUMPY"u8)))
            throw new CorruptFileException(path, "is not a NumPy .npy file (no \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); start = 10; }
        else if (major is 2 or 3 && bytes.Length >= 12) { headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8))); start = 12; }
        else throw new CorruptFileException(path, $"has .npy format version {major}.{bytes[7]}, which QueryLake does not read (1 to 3)");
        if (headerLength < 0 || start + headerLength > bytes.Length) throw new CorruptFileException(path, $"declares a {headerLength}-byte header, past the end of the file");
        string header = Encoding.UTF8.GetString(bytes, start, headerLength);
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success) throw new CorruptFileException(path, $"has a header QueryLake cannot parse: {header.Trim()}");
        string d = descr.Groups[1].Value;
        if (d.Length >= 2 && d[1] == 'O') throw new CorruptFileException(path, "holds a NumPy object array (a pickle), which QueryLake never unpickles: save numbers instead");
        if (d.Length < 3) throw new CorruptFileException(path, $"has dtype '{d}', which QueryLake cannot read");
        bool big = d[0] == '>';
        if (!int.TryParse(d.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int width))
            throw new CorruptFileException(path, $"has dtype '{d}', which QueryLake cannot read");
        DataType type = (d[1], width) switch
        {
            ('b', 1) => DataType.Boolean,
            ('i', 1) => DataType.Int8, ('i', 2) => DataType.Int16, ('i', 4) => DataType.Int32, ('i', 8) => DataType.Int64,
            ('u', 1) => DataType.UInt8, ('u', 2) => DataType.UInt16, ('u', 4) => DataType.UInt32, ('u', 8) => DataType.UInt64,
            ('f', 4) => DataType.Float32, ('f', 8) => DataType.Float64,
            _ => throw new CorruptFileException(path, $"has dtype '{d}', which QueryLake does not read (booleans, integers and float32/float64; object arrays are never unpickled)"),
        };
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => long.TryParse(x.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v <= int.MaxValue ? v : throw new CorruptFileException(path, $"has a malformed shape ({shape.Groups[1].Value})"))
            .ToList();
        if (dims.Skip(1).Any(x => x == 0) && dims.Count > 1) throw new CorruptFileException(path, "has a zero-sized trailing dimension");
        return (type, big, width, fortran.Groups[1].Value == "True", dims, start + headerLength);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
