using System.Text;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Functions.Scalar;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>substr over UTF-8 bytes (ASCII cut by byte offsets, other text by walking code points) equals the
/// reference that decodes the string to code points and counts them, for random starts (negative, zero, past the end),
/// lengths (none, zero, negative, huge) and strings mixing ASCII, two-, three- and four-byte characters.</summary>
public sealed class SubstrProperties
{
    [Fact]
    public void Byte_ranges_equal_the_code_point_reference()
    {
        string[] pieces = ["a", "Z", "0", " ", "é", "ß", "€", "雨", "😀", "𝄞"];
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            bool asciiOnly = rng.Next(2) == 0;
            var text = string.Concat(Enumerable.Range(0, rng.Next(0, 12)).Select(_ => pieces[rng.Next(asciiOnly ? 4 : pieces.Length)]));
            long start = rng.Next(-15, 16);
            long? length = rng.Next(5) switch { 0 => null, 1 => long.MaxValue / 2, 2 => long.MaxValue, _ => rng.Next(-3, 15) };
            var bytes = Encoding.UTF8.GetBytes(text);
            var (from, count) = StringFunctions.Substr(bytes, start, length);
            Assert.Equal(Reference(text, start, length), Encoding.UTF8.GetString(bytes, from, count));
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    private static string Reference(string s, long start, long? length)
    {
        var runes = s.EnumerateRunes().ToArray();
        long from = start > 0 ? start - 1 : start == 0 ? 0 : Math.Max(0, runes.Length + start);
        long to = length is { } l ? (long)Int128.Clamp((Int128)from + l - (start == 0 ? 1 : 0), 0, runes.Length) : runes.Length;
        from = Math.Clamp(from, 0, runes.Length);
        to = Math.Clamp(to, from, runes.Length);
        return string.Concat(runes[(int)from..(int)to].Select(r => r.ToString()));
    }
}
