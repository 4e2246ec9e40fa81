using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Tests.Support;

/// <summary>Deterministic batches covering every type QueryLake supports, with nulls.</summary>
public static class SampleData
{
    public static Schema AllTypesSchema { get; } = new(
    [
        new Field("b", DataType.Boolean),
        new Field("i8", DataType.Int8), new Field("i16", DataType.Int16), new Field("i32", DataType.Int32), new Field("i64", DataType.Int64),
        new Field("u8", DataType.UInt8), new Field("u16", DataType.UInt16), new Field("u32", DataType.UInt32), new Field("u64", DataType.UInt64),
        new Field("f32", DataType.Float32), new Field("f64", DataType.Float64),
        new Field("s", DataType.Utf8, metadata: new Dictionary<string, string> { ["comment"] = "a label" }),
        new Field("ls", DataType.LargeUtf8), new Field("bin", DataType.Binary), new Field("lbin", DataType.LargeBinary),
        new Field("d", DataType.Date32), new Field("ts", DataType.Timestamp()), new Field("tsz", DataType.Timestamp("UTC")),
        new Field("li", DataType.List(DataType.Int32)),
        new Field("fsl", DataType.FixedSizeList(DataType.Float64, 3)),
        new Field("st", DataType.Struct(new Field("x", DataType.Int32), new Field("y", DataType.Utf8))),
        new Field("dict", DataType.DictionaryUtf8),
        new Field("img", new ImageType("png")),
        new Field("emb", new EmbeddingType(4), nullable: false),
        new Field("ten", new TensorType(DataType.Float32, [2, 2])),
        new Field("vten", new TensorType(DataType.Int16, 2)),
        new Field("uid", UuidType.Instance), new Field("fsb", new FixedSizeBinaryType(5)),
    ], new Dictionary<string, string> { ["origin"] = "querylake-tests" });

    private static readonly string[] Words = ["night", "day", "hail", "rain", "", "dusk", "ünïcode ✓"];

    /// <summary>The columns of <see cref="AllTypesSchema"/> before UUID and fixed_size_binary joined it: tests pinned
    /// to the bytes of a file written from them (a fuzzer's finding at a byte offset) still get that file.</summary>
    public static Schema AllTypesBeforeFixedBinary { get; } = new(AllTypesSchema.Fields.Where(f => f.Name is not ("uid" or "fsb")).ToList(), AllTypesSchema.Metadata);

    /// <summary>Random rows of every type (of <paramref name="schema"/>, a selection of <see cref="AllTypesSchema"/>'s
    /// fields; all of them by default).</summary>
    public static RecordBatch AllTypes(int rows, int seed, double nullRate = 0.2, Schema? schema = null)
    {
        schema ??= AllTypesSchema;
        var rng = new Random(seed);
        var builders = schema.Fields.Select(f => ArrayBuilder.Create(f.DataType)).ToArray();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < builders.Length; c++)
            {
                var f = schema.Fields[c];
                if (f.Nullable && rng.NextDouble() < nullRate) { builders[c].AppendNull(); continue; }
                builders[c].Append(Value(f.Name, rng));
            }
        }
        return new RecordBatch(schema, builders.Select(b => b.Build()).ToArray(), rows);
    }

    private static object? Value(string column, Random rng) => column switch
    {
        "b" => rng.Next(2) == 1,
        "i8" => (sbyte)rng.Next(-128, 128),
        "i16" => (short)rng.Next(short.MinValue, short.MaxValue),
        "i32" => rng.Next(int.MinValue, int.MaxValue),
        "i64" => rng.NextInt64(long.MinValue, long.MaxValue),
        "u8" => (byte)rng.Next(256),
        "u16" => (ushort)rng.Next(65536),
        "u32" => (uint)rng.NextInt64(0, uint.MaxValue),
        "u64" => (ulong)rng.NextInt64(0, long.MaxValue) * 2,
        "f32" => (float)(rng.NextDouble() * 1000 - 500),
        "f64" => rng.NextDouble() * 1e9 - 5e8,
        "s" or "ls" or "dict" => Words[rng.Next(Words.Length)],
        "bin" or "lbin" or "img" => Bytes(rng, rng.Next(0, 40)),
        "d" => new DateOnly(2000, 1, 1).AddDays(rng.Next(-20000, 20000)),
        "ts" or "tsz" => rng.NextInt64(-2_000_000_000_000_000, 2_000_000_000_000_000),
        "li" => Enumerable.Range(0, rng.Next(0, 5)).Select(i => (object?)(i % 3 == 2 ? null : rng.Next(-100, 100))).ToArray(),
        "fsl" => new object?[] { rng.NextDouble(), null, rng.NextDouble() },
        "st" => new Dictionary<string, object?> { ["x"] = rng.Next(-5, 5), ["y"] = rng.Next(3) == 0 ? null : Words[rng.Next(Words.Length)] },
        "emb" => Enumerable.Range(0, 4).Select(_ => (float)rng.NextDouble()).ToArray(),
        "ten" => Enumerable.Range(0, 4).Select(_ => (object?)(float)rng.NextDouble()).ToArray(),
        "vten" => Tensor(rng),
        "uid" => UuidType.FromBytes(Bytes(rng, 16)),
        "fsb" => Bytes(rng, 5),
        _ => throw new ArgumentException(column),
    };

    private static Dictionary<string, object?> Tensor(Random rng)
    {
        int a = rng.Next(1, 3), b = rng.Next(0, 3);
        return new Dictionary<string, object?>
        {
            ["data"] = Enumerable.Range(0, a * b).Select(_ => (object?)(short)rng.Next(-9, 9)).ToArray(),
            ["shape"] = new object?[] { a, b },
        };
    }

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }
}
