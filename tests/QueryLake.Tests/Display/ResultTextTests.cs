using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Display;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Display;

/// <summary>The duckbox table: SQL type names, multi-line cells shown whole, middle columns left out to fit the
/// terminal's width, and head-and-tail rows.</summary>
public sealed class ResultTextTests
{
    private static RecordBatch Wide(int columns, int rows)
    {
        var schema = new Schema(Enumerable.Range(0, columns).Select(c => new Field($"column_{c}", c % 2 == 0 ? DataType.Int64 : DataType.Utf8)).ToList());
        var arrays = schema.Fields.Select((f, c) => ArrayBuilder.Build(f.DataType,
            Enumerable.Range(0, rows).Select(r => c % 2 == 0 ? (object?)(long)(r * 1000 + c) : $"value {r}/{c}"))).ToArray();
        return new RecordBatch(schema, arrays, rows);
    }

    [Fact]
    public void A_wide_table_keeps_its_first_and_last_columns_within_the_width()
    {
        var b = Wide(12, 3);
        var text = ResultText.Table(b.Schema, [b], width: 80);
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.Contains("column_0", text);
        Assert.Contains("column_11", text);
        Assert.Contains("…", text);
        Assert.DoesNotContain("column_6 ", text);
        Assert.Matches(@"3 rows  12 columns \(\d shown\)$", text);
        // Without a width limit, every column.
        Assert.Contains("column_6", ResultText.Table(b.Schema, [b]));
    }

    [Fact]
    public void Any_width_holds_every_line_when_two_columns_fit()
    {
        var b = Wide(15, 2);
        Prop.ForAll(Gen.Choose(40, 400).ToArbitrary(), width =>
        {
            var text = ResultText.Table(b.Schema, [b], width: width);
            Assert.All(text.Split('\n'), l => Assert.True(l.Length <= width, $"width {width}: line of {l.Length}"));
            Assert.Contains("column_0", text);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Explain_in_table_mode_shows_the_whole_plan_under_sql_type_names()
    {
        using var s = QueryLakeSession.Open();
        var result = s.Query("EXPLAIN SELECT range % 3 AS k, count(*) FROM range(10) WHERE range > 2 GROUP BY 1");
        var plan = string.Join("\n", result.Rows().Select(r => (string)r[0]!));
        var text = ResultText.Table(s.Query("EXPLAIN SELECT range % 3 AS k, count(*) FROM range(10) WHERE range > 2 GROUP BY 1"));
        Assert.True(plan.Split('\n').Length > 2);
        // Every line of the plan appears in the table (clipped at the cell width), one table line each.
        foreach (var line in plan.Split('\n'))
            Assert.Contains(ValueText.Clip(line, ResultText.MaxCellWidth), text);
        Assert.Contains("VARCHAR", text);
        Assert.DoesNotContain("utf8", text);
    }
}
