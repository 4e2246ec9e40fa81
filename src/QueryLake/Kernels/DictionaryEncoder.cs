using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;

namespace QueryLake.Kernels;

/// <summary>Dictionary encoding of text: each distinct value once (in order of first appearance), int32 indices per
/// row. Values are hashed and compared as UTF-8 bytes (<see cref="Utf8KeyTable"/>).</summary>
internal static class DictionaryEncoder
{
    /// <summary>The number of distinct non-NULL values of a text array.</summary>
    public static int Distinct(ArrowArray a)
    {
        var text = (BinaryArray)Vectors.Plain(a);
        var table = new Utf8KeyTable();
        for (int i = 0; i < text.Length; i++)
            if (text.IsValid(i)) table.FindOrAdd(text.GetBytes(i), out _);
        return table.Count;
    }

    /// <summary>The array dictionary-encoded (int32 indices, the array's validity); an encoded array as it is.</summary>
    public static DictionaryArray Encode(ArrowArray a)
    {
        if (a is DictionaryArray encoded) return encoded;
        var text = (BinaryArray)a;
        var table = new Utf8KeyTable();
        var values = new BinaryBuilder(text.Type);
        var indices = new int[text.Length];
        bool nulls = text.NullCount > 0;
        for (int i = 0; i < indices.Length; i++)
        {
            if (nulls && text.IsNull(i)) continue;
            var bytes = text.GetBytes(i);
            int e = table.FindOrAdd(bytes, out bool added);
            if (added) values.Append(bytes);
            indices[i] = e;
        }
        return Vectors.Encoded(values.Build(), indices, CastKernel.Validity(text), text.NullCount);
    }
}
