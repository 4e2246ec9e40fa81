using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Columnar;

/// <summary>DECIMAL arithmetic over 128-bit unscaled integers against .NET's own decimal arithmetic (an independent
/// exact implementation) for random values of random precision and scale: + − × agree exactly, rescaling rounds half
/// away from zero like decimal.Round(AwayFromZero), text round-trips, and a result outside its precision is an error
/// rather than a wrong value.</summary>
public sealed class DecimalProperties
{
    [Fact]
    public void Arithmetic_equals_dotnet_decimal_arithmetic()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            decimal Value(int digits, int scale)
            {
                long unscaled = rng.NextInt64(-(long)Math.Pow(10, Math.Min(digits, 18)) + 1, (long)Math.Pow(10, Math.Min(digits, 18)));
                return unscaled / (decimal)Math.Pow(10, scale);
            }
            // Up to 14 digits each, so that products (28 digits) stay within what .NET decimal multiplies exactly.
            int pa = rng.Next(1, 15), sa = rng.Next(0, pa + 1), pb = rng.Next(1, 15), sb = rng.Next(0, pb + 1);
            decimal a = Value(pa, sa), b = Value(pb, sb);
            using var s = QueryLakeSession.Open();
            string A = $"CAST('{a.ToString(CultureInfo.InvariantCulture)}' AS DECIMAL({pa}, {sa}))", B = $"CAST('{b.ToString(CultureInfo.InvariantCulture)}' AS DECIMAL({pb}, {sb}))";
            var row = s.Query($"SELECT {A} + {B}, {A} - {B}, {A} * {B}, {A} < {B}, {A} = {B}").Rows().Single();
            Assert.Equal(a + b, (decimal)row[0]!);
            Assert.Equal(a - b, (decimal)row[1]!);
            Assert.Equal(a * b, (decimal)row[2]!);
            Assert.Equal(a < b, row[3]);
            Assert.Equal(a == b, row[4]);
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }

    [Fact]
    public void Rescaling_rounds_half_away_from_zero_and_checks_the_precision()
    {
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int scale = rng.Next(0, 10), target = rng.Next(0, 10), precision = rng.Next(Math.Max(1, target), 19);
            Int128 unscaled = rng.NextInt64(-2_000_000_000_000, 2_000_000_000_000) / (rng.Next(2) == 0 ? 1 : 1000);
            decimal exact = (decimal)(long)unscaled / (decimal)Math.Pow(10, scale);
            decimal expected = decimal.Round(exact, target, MidpointRounding.AwayFromZero);
            var type = new DecimalType(precision, target);
            bool fits = Math.Abs(expected) < (decimal)Math.Pow(10, precision - target);
            try
            {
                var r = DecimalMath.Fit(unscaled, scale, type, () => "x");
                Assert.True(fits, $"{exact} rescaled to DECIMAL({precision}, {target}) should not fit");
                Assert.Equal(expected, (decimal)DecimalMath.ToObject(r, target));
                Assert.Equal(expected.ToString("F" + target, CultureInfo.InvariantCulture), DecimalMath.Format(r, target));
                Assert.Equal(r, DecimalMath.Parse(DecimalMath.Format(r, target), type));
            }
            catch (QueryLake.Errors.QueryLakeException e) when (e.Code == "QL-OUT-OF-RANGE")
            {
                Assert.False(fits, $"{exact} fits DECIMAL({precision}, {target}) but was refused");
            }
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }
}
