using System.Text;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Text;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Text;

/// <summary>The CSV writer formats typed columns in place and chunks of rows in parallel; for every type, with NULLs,
/// slices, several batches and delimiters that numbers, dates and booleans contain ('.', '-', 't', '5', 'E', and 'a' or 'n' of NaN
/// and Infinity) or that are not
/// ASCII, its file equals the plain definition: per row, each value's text (<see cref="TextWriters.Text"/>), quoted when
/// it holds the delimiter, a quote or a line break, joined by the delimiter.</summary>
public sealed class CsvWriterProperties
{
    private static string Reference(Schema schema, IEnumerable<RecordBatch> batches, char d)
    {
        static string Quote(string s, char d) => s.IndexOfAny([d, '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var sb = new StringBuilder(string.Join(d, schema.Fields.Select(f => Quote(f.Name, d))) + "\n");
        foreach (var b in batches)
            for (int r = 0; r < b.Length; r++)
                sb.Append(string.Join(d, b.Columns.Select(c => c.GetValue(r) is { } v ? Quote(TextWriters.Text(v), d) : ""))).Append('\n');
        return sb.ToString();
    }

    [Fact]
    public void The_file_equals_each_values_text_quoted_where_needed()
    {
        using var dir = new TempDir();
        var cases = from rows in Gen.Choose(0, 20_000)
                    from seed in Gen.Choose(1, 10_000)
                    from nullRate in Gen.Elements(0.0, 0.3, 1.0)
                    from delimiter in Gen.Elements(',', '|', '\t', ';', '.', '-', 't', 'é', '5', 'E', 'a', 'n')
                    from cut in Gen.Choose(0, 3)
                    select (rows, seed, nullRate, delimiter, cut);
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var all = SampleData.AllTypes(c.rows, c.seed, c.nullRate);
            // Batches as slices of one, so offsets are not zero.
            var batches = new List<RecordBatch>();
            int at = 0;
            foreach (var n in new[] { c.rows / 3 + c.cut, c.rows / 2, c.rows })
            {
                int take = Math.Min(n, c.rows - at);
                if (take <= 0) continue;
                batches.Add(all.Slice(at, take));
                at += take;
            }
            var path = dir.File($"out-{c.seed}.csv");
            using (var sink = new TextWriters.CsvSink(path, all.Schema, c.delimiter))
                foreach (var b in batches) sink.Write(b);
            Assert.Equal(Reference(all.Schema, batches, c.delimiter), File.ReadAllText(path, Encoding.UTF8));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [Fact]
    public void Day_numbers_become_the_calendar_dates_dotnet_gives()
    {
        // Every year .NET's DateOnly covers (0001-01-01 to 9999-12-31), with the ends and month boundaries weighted in.
        var days = Gen.OneOf(Gen.Choose(-719162, 2932896), Gen.Elements(-719162, 2932896, 0, -1, 59, 60, 11016, 10956));
        Prop.ForAll(days.ToArbitrary(), d =>
        {
            var expected = DateOnly.FromDayNumber(719162 + d);
            Assert.Equal((expected.Year, expected.Month, expected.Day), ((int)CsvField.Civil(d).Year, CsvField.Civil(d).Month, CsvField.Civil(d).Day));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Dates_beyond_four_digit_years_are_written_as_DuckDB_writes_them()
    {
        using var dir = new TempDir();
        string[] dates = ["0044-03-15 (BC)", "0001-01-01 (BC)", "0001-01-01", "1999-12-31", "9999-12-31", "10000-01-01", "123456-07-08"];
        using var duck = DuckDbOracle.Open();
        var duckCsv = dir.File("duck.csv");
        DuckDbOracle.Execute(duck, $"COPY (SELECT unnest([{string.Join(", ", dates.Select(x => $"DATE '{x}'"))}]) AS d) TO '{duckCsv}' (HEADER)");
        // The same day numbers, from DuckDB, through QueryLake's writer.
        var numbers = DuckDbOracle.Rows(duck, $"SELECT CAST(d - DATE '1970-01-01' AS INTEGER) FROM (SELECT unnest([{string.Join(", ", dates.Select(x => $"DATE '{x}'"))}]) AS d)")
            .Select(r => Convert.ToInt32(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var schema = new Schema([new Field("d", DataType.Date32)]);
        var column = ArrowArray.FromData(new ArrayData(DataType.Date32, numbers.Length, 0, 0,
            [ArrowBuffer.Empty, ArrowBuffer.Copy<int>(numbers)]));
        var ours = dir.File("ours.csv");
        using (var sink = new TextWriters.CsvSink(ours, schema, ','))
            sink.Write(new RecordBatch(schema, [column], numbers.Length));
        Assert.Equal(File.ReadAllText(duckCsv), File.ReadAllText(ours));
        Assert.Contains("123456-07-08", File.ReadAllText(ours), StringComparison.Ordinal);
    }
}
