using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Scalar;

/// <summary>Functions that make UUIDs: a new value for every row (they are volatile, never folded into a constant).</summary>
internal static class UuidFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Maker("uuid", "A random UUID (version 4), a new one for every row.", "SELECT uuid() <> uuid() → true", Guid.NewGuid));
        r.Add(Maker("gen_random_uuid", "Alias of uuid(): a random UUID (version 4), a new one for every row.", "SELECT typeof(gen_random_uuid()) → UUID", Guid.NewGuid));
        r.Add(Maker("uuidv7", "A time-ordered UUID (version 7: milliseconds since the UNIX epoch, then random bits), a new one for every row; UUIDs made in a later millisecond sort after earlier ones.",
            "SELECT substr(CAST(uuidv7() AS VARCHAR), 15, 1) → 7", Guid.CreateVersion7));
    }

    private static ScalarFunction Maker(string name, string description, string example, Func<Guid> next) =>
        new(name, $"{name}()", description, example, t => t.Count == 0 ? new Resolution(UuidType.Instance, (args, n) =>
        {
            var b = new FixedSizeBinaryBuilder(UuidType.Instance);
            Span<byte> bytes = stackalloc byte[16];
            for (int i = 0; i < n; i++)
            {
                next().TryWriteBytes(bytes, bigEndian: true, out _);
                b.Append(bytes);
            }
            return b.Build();
        }, []) : null) { Volatile = true };
}
