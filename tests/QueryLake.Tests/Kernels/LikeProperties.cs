using System.Text;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Kernels;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>LIKE patterns of literal pieces joined by % match UTF-8 bytes by ordered searches; they agree with the
/// character-by-character backtracking matcher (the reference) on random texts and patterns over a small alphabet
/// (so that pieces repeat, overlap and nearly match), with multi-byte characters, empty pieces and %% runs.</summary>
public sealed class LikeProperties
{
    [Fact]
    public void Piece_search_equals_the_backtracking_matcher()
    {
        string[] alphabet = ["a", "b", "ab", "é", "雨", "%"];
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            string Draw(int max, bool pattern) => string.Concat(Enumerable.Range(0, rng.Next(0, max)).Select(_ => alphabet[rng.Next(pattern ? alphabet.Length : alphabet.Length - 1)]));
            var text = Draw(10, pattern: false);
            var pattern = Draw(6, pattern: true);
            var pieces = LikeMatcher.Split(pattern)!;
            Assert.True(LikeMatcher.Matches(text, pattern, ignoreCase: false) == pieces.Matches(Encoding.UTF8.GetBytes(text)), $"'{text}' LIKE '{pattern}'");
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), property);
    }
}
