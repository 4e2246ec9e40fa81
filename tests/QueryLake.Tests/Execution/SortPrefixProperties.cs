using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>The sort compares an 8-byte prefix of the first key before the keys themselves
/// (<c>RowOrder.Prefix</c>). For random int64, int32, float64 (NaN, ±0, ±∞, NULL) and text columns (shared prefixes
/// longer than 8 bytes, empty strings, NULL), in both directions and both NULL placements: whenever two rows' prefixes
/// differ, the full comparison orders them the same way, so sorting by (prefix, full order) is the full order.</summary>
public sealed class SortPrefixProperties
{
    private static object? Value(DataType type, Random rng)
    {
        if (rng.Next(8) == 0) return null;
        return type switch
        {
            _ when type == DataType.Int64 => rng.Next(4) == 0 ? new[] { long.MinValue, long.MaxValue, 0L, -1L }[rng.Next(4)] : (long)rng.Next(-5, 5),
            _ when type == DataType.Int32 => rng.Next(4) == 0 ? new[] { int.MinValue, int.MaxValue, 0, -1 }[rng.Next(4)] : rng.Next(-5, 5),
            _ when type == DataType.Float64 => rng.Next(3) == 0
                ? new[] { double.NaN, -double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon }[rng.Next(8)]
                : rng.Next(-6, 6) / 4.0,
            _ => new[] { "", "a", "ab", "abcdefgh", "abcdefgh1", "abcdefgh2", "abcdefgi", "b", "\u00e9", "abcdefg" }[rng.Next(10)],
        };
    }

    [Fact]
    public void Rows_with_different_prefixes_compare_as_their_prefixes()
    {
        DataType[] types = [DataType.Int64, DataType.Int32, DataType.Float64, DataType.Utf8];
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            var type = types[rng.Next(types.Length)];
            var key = new SortKey(new ColumnRef(0, "k", type), Descending: rng.Next(2) == 0, NullsFirst: rng.Next(2) == 0);
            var order = new RowOrder([key]);
            var schema = new Schema([new Field("k", type)]);
            var sources = Enumerable.Range(0, 3).Select(_ =>
            {
                var values = Enumerable.Range(0, rng.Next(1, 40)).Select(_ => Value(type, rng)).ToList();
                var builder = ArrayBuilder.Create(type);
                foreach (var v in values) builder.Append(v);
                return new RecordBatch(schema, [builder.Build()], values.Count);
            }).ToList();
            foreach (var s in sources) order.AddSource(s);
            var picks = sources.SelectMany((s, b) => Enumerable.Range(0, s.Length).Select(r => new Gather.Pick(b, r))).ToList();
            foreach (var x in picks)
                foreach (var y in picks)
                {
                    ulong px = order.Prefix(x), py = order.Prefix(y);
                    if (px == py) continue;
                    int full = Math.Sign(order.CompareKeys(x, y));
                    if (full != Math.Sign(px.CompareTo(py)))
                        throw new Exception($"{type} {key}: {sources[x.Source].Columns[0].GetValue(x.Row)} vs {sources[y.Source].Columns[0].GetValue(y.Row)}: " +
                                            $"prefixes {px:x} {py:x}, full comparison {full}");
                }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
