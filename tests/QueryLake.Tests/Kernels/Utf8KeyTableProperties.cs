using System.Text;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Kernels;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>The UTF-8 key table numbers keys as a dictionary would (first insertion order, one number per distinct
/// byte string, the empty string included) across its growth, and a read-only lookup finds every inserted key and no
/// other.</summary>
public sealed class Utf8KeyTableProperties
{
    [Fact]
    public void Keys_are_numbered_as_a_dictionary_numbers_them()
    {
        string[] pieces = ["", "a", "b", "é", "雨", "ab", "key-"];
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            var table = new Utf8KeyTable();
            var expected = new Dictionary<string, int>(StringComparer.Ordinal);
            int n = rng.Next(0, 3000);
            for (int i = 0; i < n; i++)
            {
                var key = string.Concat(Enumerable.Range(0, rng.Next(0, 4)).Select(_ => pieces[rng.Next(pieces.Length)])) + (rng.Next(3) == 0 ? rng.Next(500).ToString() : "");
                int e = table.FindOrAdd(Encoding.UTF8.GetBytes(key), out bool added);
                if (!expected.TryGetValue(key, out int want)) { expected[key] = want = expected.Count; Assert.True(added); }
                else Assert.False(added);
                Assert.Equal(want, e);
            }
            Assert.Equal(expected.Count, table.Count);
            foreach (var (key, id) in expected) Assert.Equal(id, table.Find(Encoding.UTF8.GetBytes(key)));
            Assert.Equal(-1, table.Find(Encoding.UTF8.GetBytes("never-inserted-" + seed)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }
}
