using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>int64 <c>//</c> and <c>%</c> by a constant (computed through float64 vectors when every value lies within
/// ±2^53, row by row otherwise) equal C#'s truncating integer division and remainder, for random values from small to
/// the int64 extremes, around ±2^53, with NULLs, and random divisors of either sign (0 gives NULL; x // −1 overflows
/// only for the minimum).</summary>
public sealed class IntegerDivisionProperties
{
    [Fact]
    public void Division_and_remainder_by_a_constant_truncate_like_integer_arithmetic()
    {
        using var s = QueryLakeSession.Open();
        int run = 0;
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            // Three kinds of column: within ±2^53 (the float64 path), up to ±2^58 with values a float64 cannot hold
            // exactly, and anything up to the int64 extremes (both row by row).
            int kind = rng.Next(3);
            long Value() => kind switch
            {
                0 => rng.NextInt64(-(1L << 53) + 1, 1L << 53),
                1 => rng.Next(4) switch
                {
                    0 => (1L << 53) - rng.Next(0, 3),
                    1 => (rng.NextInt64(1L << 53, 1L << 58) | 1) * (rng.Next(2) == 0 ? 1 : -1),
                    _ => rng.NextInt64(-1_000_000_000_000, 1_000_000_000_000),
                },
                _ => rng.Next(3) == 0 ? rng.NextInt64(long.MinValue + 1, long.MaxValue) : rng.NextInt64(-1000, 1000),
            };
            var values = Enumerable.Range(0, rng.Next(1, 300)).Select(_ => rng.Next(9) == 0 ? (long?)null : Value()).ToList();
            long divisor = rng.Next(5) switch { 0 => rng.Next(-9, 10), 1 => (1L << 52) + rng.Next(99), 2 => -rng.NextInt64(1, 1L << 40), _ => rng.NextInt64(2, 100_000) };
            if (divisor == -1) divisor = 7;
            string name = $"d{run++}";
            s.Execute($"CREATE DATASET {name} AS SELECT * FROM (VALUES {string.Join(", ", values.Select((v, i) => $"({i}, {(v is null ? "NULL" : v.Value.ToString(CultureInfo.InvariantCulture))})"))}) t(i, x)");
            var rows = s.Query($"SELECT x // {divisor}, x % {divisor} FROM {name} ORDER BY i").Rows().ToList();
            for (int i = 0; i < values.Count; i++)
            {
                var expected = values[i] is not { } v ? (null, null) : divisor == 0 ? (null, null) : ((object?)(v / divisor), (object?)(v % divisor));
                Assert.True(Equals(expected.Item1, rows[i][0]) && Equals(expected.Item2, rows[i][1]),
                    $"{values[i]} // {divisor}: expected {expected.Item1} and {expected.Item2}, got {rows[i][0]} and {rows[i][1]}");
            }
            s.Execute($"DROP DATASET {name}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
