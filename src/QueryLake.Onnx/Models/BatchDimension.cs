using System.Buffers.Binary;

namespace QueryLake.Onnx.Models;

/// <summary>
/// Rewrites an ONNX model whose graph inputs and outputs have a fixed leading dimension of 1 so that the dimension is
/// symbolic ("batch"), letting one run score a whole record batch. Only the protobuf fields that declare shapes are
/// touched (graph inputs, outputs; the optional intermediate shape hints are dropped so the runtime re-infers them);
/// weights and nodes are copied byte for byte. Whether the rewritten model really computes each row independently
/// (no Reshape to a constant shape of 1) is checked by the caller by running it, see <see cref="OnnxModel"/>.
/// </summary>
internal static class BatchDimension
{
    private const int ModelGraph = 7;
    private const int GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    private const int ValueInfoType = 2, TypeTensor = 1, TensorShape = 2, ShapeDim = 1, DimValue = 1, DimParam = 2;

    /// <summary>The model with a symbolic leading dimension, or null when an input or output does not start with a
    /// fixed dimension of 1 (nothing to rewrite) or the bytes are not a model this reader understands.</summary>
    public static byte[]? MakeSymbolic(ReadOnlySpan<byte> model)
    {
        try
        {
            var changed = false;
            var result = Rewrite(model, (field, body) => field == ModelGraph ? Graph(body, ref changed) : null);
            return changed ? result : null;
        }
        catch (FormatException) { return null; }
    }

    private delegate byte[]? FieldRewriter(int field, ReadOnlySpan<byte> body);

    private static byte[]? Graph(ReadOnlySpan<byte> graph, ref bool changed)
    {
        var ok = true;
        var any = false;
        var result = Rewrite(graph, (field, body) =>
        {
            if (field == GraphValueInfo) return [];
            if (field is not (GraphInput or GraphOutput)) return null;
            var rewritten = ValueInfo(body);
            if (rewritten is null) { ok = false; return null; }
            any = true;
            return rewritten;
        }, dropEmpty: true);
        if (!ok || !any) return null;
        changed = true;
        return result;
    }

    // ValueInfoProto → TypeProto → Tensor → TensorShapeProto → the first Dimension.
    private static byte[]? ValueInfo(ReadOnlySpan<byte> info)
    {
        var ok = false;
        var result = Rewrite(info, (field, body) => field != ValueInfoType ? null
            : Nested(body, TypeTensor, tensor => Nested(tensor, TensorShape, shape =>
            {
                var first = true;
                return Rewrite(shape, (f, dim) =>
                {
                    if (f != ShapeDim || !first) return null;
                    first = false;
                    if (!IsOne(dim)) return null;
                    ok = true;
                    return Field(DimParam, "batch"u8);
                });
            })));
        return ok ? result : null;
    }

    private static byte[]? Nested(ReadOnlySpan<byte> message, int wanted, Func<byte[], byte[]?> inner) =>
        Rewrite(message, (field, body) => field == wanted ? inner(body.ToArray()) : null);

    private static bool IsOne(ReadOnlySpan<byte> dim)
    {
        var pos = 0;
        var one = false;
        while (pos < dim.Length)
        {
            var tag = ReadVarint(dim, ref pos);
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (field == DimValue && wire == 0) one = ReadVarint(dim, ref pos) == 1;
            else if (field == DimParam) return false;
            else Skip(dim, wire, ref pos);
        }
        return one;
    }

    /// <summary>Copies a message field by field; for each length-delimited field the callback may return a
    /// replacement body (null: keep it; empty with <paramref name="dropEmpty"/>: drop the field).</summary>
    private static byte[] Rewrite(ReadOnlySpan<byte> message, FieldRewriter rewrite, bool dropEmpty = false)
    {
        var output = new MemoryStream(message.Length + 16);
        var pos = 0;
        while (pos < message.Length)
        {
            var start = pos;
            var tag = ReadVarint(message, ref pos);
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (wire != 2) { Skip(message, wire, ref pos); output.Write(message[start..pos]); continue; }
            var length = Length(message, ref pos);
            if (length < 0 || pos + length > message.Length) throw new FormatException();
            var body = message.Slice(pos, length);
            pos += length;
            var replacement = rewrite(field, body);
            if (replacement is null) { output.Write(message[start..pos]); continue; }
            if (dropEmpty && replacement.Length == 0) continue;
            output.Write(Field(field, replacement));
        }
        return output.ToArray();
    }

    private static byte[] Field(int field, ReadOnlySpan<byte> body)
    {
        var output = new MemoryStream(body.Length + 12);
        WriteVarint(output, ((ulong)field << 3) | 2);
        WriteVarint(output, (ulong)body.Length);
        output.Write(body);
        return output.ToArray();
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new FormatException();
            var b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException();
    }

    private static int Length(ReadOnlySpan<byte> data, ref int pos)
    {
        var length = ReadVarint(data, ref pos);
        return length <= (ulong)(data.Length - pos) ? (int)length : throw new FormatException();
    }

    private static void Skip(ReadOnlySpan<byte> data, int wire, ref int pos)
    {
        switch (wire)
        {
            case 0: ReadVarint(data, ref pos); break;
            case 1: pos += 8; break;
            case 5: pos += 4; break;
            case 2: pos += Length(data, ref pos); break;
            default: throw new FormatException();
        }
        if (pos > data.Length) throw new FormatException();
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80) { output.WriteByte((byte)(value | 0x80)); value >>= 7; }
        output.WriteByte((byte)value);
    }
}
