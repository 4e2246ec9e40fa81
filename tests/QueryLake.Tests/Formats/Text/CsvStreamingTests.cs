using DuckDB.NET.Data;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats.Text;

/// <summary>CSV files are read as they are scanned, never whole: a file of many batches gives DuckDB's answers, the
/// planner knows its row count from the checking pass, and a bad row deep in the file is reported by line before
/// anything is read.</summary>
public sealed class CsvStreamingTests
{
    [Fact]
    public void A_large_csv_streams_in_batches_with_duckdbs_answers()
    {
        using var dir = new TempDir();
        var file = dir.File("big.csv");
        using (var w = new StreamWriter(file))
        {
            w.WriteLine("id,name,score,day");
            for (int i = 0; i < 200_000; i++)
                w.WriteLine(i % 97 == 0 ? $"{i},,{i % 13}.25,2024-01-{1 + i % 28:D2}" : $"{i},\"n{i % 500}, \"\"q\"\"\",{i % 13}.25,2024-01-{1 + i % 28:D2}");
        }
        const string sql = "SELECT count(*), count(name), sum(id), sum(score), min(day), max(name) FROM read_csv('{0}')";
        using var s = QueryLakeSession.Open();
        var ours = s.Query(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, file)).Rows().Single();
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var cmd = duck.CreateCommand();
        cmd.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, file);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(Convert.ToInt64(r.GetValue(0)), ours[0]);
        Assert.Equal(Convert.ToInt64(r.GetValue(1)), ours[1]);
        Assert.Equal(r.GetValue(2).ToString(), Convert.ToString(ours[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Convert.ToDouble(r.GetValue(3)), (double)ours[3]!);
        Assert.Equal(DateOnly.FromDateTime(r.GetDateTime(4)), ours[4]);
        Assert.Equal(r.GetString(5), ours[5]);
        var plan = (string)s.Query($"EXPLAIN SELECT id FROM read_csv('{file}')").Rows().Single()[0]!;
        Assert.Contains("(estimated=200000)", plan);
    }

    [Fact]
    public void A_bad_row_deep_in_the_file_is_reported_by_line_before_anything_is_read()
    {
        using var dir = new TempDir();
        var file = dir.File("bad.csv");
        using (var w = new StreamWriter(file))
        {
            w.WriteLine("a,b");
            for (int i = 0; i < 150_000; i++) w.WriteLine($"{i},{i}");
            w.WriteLine("1,2,3");
        }
        using var s = QueryLakeSession.Open();
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute($"CREATE DATASET t AS SELECT * FROM read_csv('{file}')"));
        Assert.Contains("line 150002: 3 fields, but the header has 2", e.Message);
        Assert.False(s.Lake.DatasetExists("t"));
    }
}
