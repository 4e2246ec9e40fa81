using System.Text;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Formats.Text;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Text;

/// <summary>The CSV writer formats typed columns in place and chunks of rows in parallel; for every type, with NULLs,
/// slices, several batches and delimiters that numbers, dates and booleans contain ('.', '-', 't') or that are not
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
                    from delimiter in Gen.Elements(',', '|', '\t', ';', '.', '-', 't', 'é')
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
}
