using FsCheck;
using FsCheck.Fluent;
using QueryLake.Display;
using Xunit;

namespace QueryLake.Tests.Display;

/// <summary>Completion candidates laid out in columns: every word shown once, in order down the columns, within the
/// width, or cut with a count of the rest.</summary>
public sealed class ColumnListTests
{
    [Fact]
    public void Words_go_down_the_columns_first()
    {
        string[] words = ["date", "date_part", "day", "delay", "distance", "destination"];
        Assert.Equal(["date         day          distance", "date_part    delay        destination"], ColumnList.Format(words, width: 40, maxRows: 8));
        Assert.Equal(["date         delay", "date_part    distance", "day          destination"], ColumnList.Format(words, width: 30, maxRows: 8));
    }

    [Fact]
    public void A_long_list_is_cut_with_a_count()
    {
        var words = Enumerable.Range(0, 100).Select(i => $"w{i:D2}").ToList();
        var lines = ColumnList.Format(words, width: 20, maxRows: 3);
        Assert.Equal(["w00  w01  w02  w03", "w04  w05  w06  w07", "… 92 more"], lines);
    }

    [Fact]
    public void Every_word_is_shown_once_within_the_width_or_counted() => Prop.ForAll(
        Gen.ListOf(Gen.Elements("a", "bb", "lighting", "list_value", "x_y_z", "distance")).Select(l => l.ToArray()).ToArbitrary(),
        Gen.Choose(1, 120).ToArbitrary(), Gen.Choose(1, 10).ToArbitrary(),
        (words, width, maxRows) =>
        {
            var lines = ColumnList.Format(words, width, maxRows);
            Assert.True(lines.Count <= maxRows, $"{lines.Count} lines > {maxRows}");
            var shown = lines.Where(l => !l.StartsWith('…')).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            int more = lines.Count > 0 && lines[^1].StartsWith('…') ? int.Parse(lines[^1].Split(' ')[1]) : 0;
            Assert.Equal(words.Length, shown.Count + more);
            Assert.Equal(words.Take(shown.Count).OrderBy(w => w, StringComparer.Ordinal), shown.OrderBy(w => w, StringComparer.Ordinal));
            // A line is wider than the width only when one word alone is.
            Assert.All(lines.Where(l => !l.StartsWith('…')), l => Assert.True(l.Length <= Math.Max(width, words.Max(w => w.Length)), $"'{l}' is wider than {width}"));
        }).QuickCheckThrowOnFailure();
}
