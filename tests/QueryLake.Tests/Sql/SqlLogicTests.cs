using System.Globalization;
using System.Text;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sql;

/// <summary>
/// Runs the sqllogictest-style files in tests/sql. Records, separated by blank lines:
/// <c>statement ok</c> / <c>statement error [text]</c> followed by SQL, and
/// <c>query [rowsort|nosort]</c> followed by SQL, <c>----</c> and the expected rows (values separated by tabs;
/// NULL as NULL, the empty string as (empty)). Each file runs in a fresh lake; in SQL, $TMP names a fresh folder for
/// the file's own outputs and $DATA the vega-datasets folder.
/// </summary>
public sealed class SqlLogicTests
{
    public static TheoryData<string> Files() =>
        new(Directory.EnumerateFiles(Path.Combine(Oracles.Root, "tests", "sql"), "*.slt").Select(Path.GetFileName).Order().OfType<string>());

    [Theory]
    [MemberData(nameof(Files))]
    public void Slt(string file)
    {
        var path = Path.Combine(Oracles.Root, "tests", "sql", file);
        var lines = File.ReadAllLines(path);
        using var session = QueryLakeSession.Open();
        using var tmp = new TempDir();
        string data = Path.GetDirectoryName(Oracles.VegaData("cars.json"))!;
        int i = 0;
        while (i < lines.Length)
        {
            if (string.IsNullOrWhiteSpace(lines[i]) || lines[i].StartsWith('#')) { i++; continue; }
            int headerLine = i + 1;
            var header = lines[i++].Trim();
            var sql = new StringBuilder();
            while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]) && lines[i] != "----")
                sql.AppendLine(lines[i++].Replace("$TMP", tmp.Path, StringComparison.Ordinal).Replace("$DATA", data, StringComparison.Ordinal));
            string where = $"{file}:{headerLine}";
            if (header.StartsWith("statement ok", StringComparison.Ordinal))
            {
                try { session.Execute(sql.ToString()); }
                catch (QueryLakeException e) { Assert.Fail($"{where}: expected success, got: {e.Message}\n{sql}"); }
            }
            else if (header.StartsWith("statement error", StringComparison.Ordinal))
            {
                var expected = header["statement error".Length..].Trim();
                try
                {
                    session.Execute(sql.ToString());
                    Assert.Fail($"{where}: expected an error{(expected.Length > 0 ? $" containing '{expected}'" : "")}, but it succeeded\n{sql}");
                }
                catch (QueryLakeException e)
                {
                    Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{where}: expected an error containing '{expected}', got: {e.Message}");
                    // Every error path the .slt files reach speaks QueryLake's words, never .NET's.
                    Assert.True(e.Code.StartsWith("QL-", StringComparison.Ordinal), $"{where}: error without a QL code: {e.Code}");
                    Assert.True(!SqlFuzzTests.DotNetText.Any(t => e.Message.Contains(t, StringComparison.Ordinal)), $"{where}: .NET text in the error: {e.Message}");
                }
            }
            else if (header.StartsWith("query", StringComparison.Ordinal))
            {
                Assert.True(i < lines.Length && lines[i] == "----", $"{where}: a query needs ---- and its expected rows");
                i++;
                var expected = new List<string>();
                while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i])) expected.Add(lines[i++].TrimEnd());
                List<string> actual;
                try
                {
                    using var result = session.Query(sql.ToString());
                    var rows = result.Rows().ToList();
                    // A column the plan proves NOT NULL holds no NULL, in every query the .slt files run.
                    for (int c = 0; c < result.Schema.Fields.Count; c++)
                        Assert.True(result.Schema.Fields[c].Nullable || rows.All(r => r[c] is not null),
                            $"{where}: column '{result.Schema.Fields[c].Name}' is reported NOT NULL but holds NULL\n{sql}");
                    actual = rows.Select(r => string.Join("\t", r.Select(Render))).ToList();
                }
                catch (QueryLakeException e)
                {
                    Assert.Fail($"{where}: query failed: {e.Message}\n{sql}");
                    return;
                }
                if (header.Contains("rowsort", StringComparison.Ordinal))
                {
                    expected.Sort(StringComparer.Ordinal);
                    actual.Sort(StringComparer.Ordinal);
                }
                Assert.True(expected.SequenceEqual(actual),
                    $"{where}: results differ\n{sql}expected:\n{string.Join("\n", expected)}\nactual:\n{string.Join("\n", actual)}");
            }
            else Assert.Fail($"{where}: unknown record '{header}'");
        }
    }

    public static string Render(object? v) => v switch
    {
        null => "NULL",
        string { Length: 0 } => "(empty)",
        string s => s,
        bool b => b ? "true" : "false",
        double d => double.IsNaN(d) ? "nan" : double.IsInfinity(d) ? (d > 0 ? "inf" : "-inf") : d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        object?[] list => "[" + string.Join(", ", list.Select(Render)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
