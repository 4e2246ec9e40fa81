using QueryLake.Functions;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using QueryLake.Tests.Sql;
using Xunit;

namespace QueryLake.Tests.Functions;

public sealed class FunctionReferenceTests
{
    [Fact]
    public void Docs_function_reference_is_generated_from_the_metadata()
    {
        var path = Path.Combine(Oracles.Root, "docs", "functions.md");
        var expected = FunctionReference.Render(FunctionRegistry.Default);
        if (Environment.GetEnvironmentVariable("QL_UPDATE_DOCS") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == expected, "docs/functions.md is out of date: run QL_UPDATE_DOCS=1 dotnet test --filter FunctionReference");
    }

    [Fact]
    public void Every_documented_example_runs()
    {
        using var session = QueryLakeSession.Open();
        // Scalar and window examples run as they are, and so do table functions' that read no file.
        var examples = FunctionRegistry.Default.Scalars.Select(f => (f.Name, f.Example, Single: true))
            .Concat(FunctionRegistry.Default.Windows.Select(f => (f.Name, f.Example, Single: false)))
            .Concat(FunctionRegistry.Default.Tables.Where(f => !f.Name.StartsWith("read_", StringComparison.Ordinal)).Select(f => (f.Name, f.Example, Single: true)));
        foreach (var f in examples)
        {
            var sql = f.Example.Split(" → ")[0];
            var result = session.Query(sql).Materialize();
            Assert.True(f.Single ? result.RowCount == 1 : result.RowCount > 1, $"{f.Name}: example {f.Example} gives {result.RowCount} rows");
            if (f.Example.Contains(" → ", StringComparison.Ordinal))
            {
                var want = f.Example.Split(" → ")[1].Trim('\'');
                var got = SqlLogicTests.Render(result.Rows().Single()[0]);
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                bool same = want == got || (double.TryParse(want, inv, out var a) && double.TryParse(got, inv, out var b) && a == b);
                Assert.True(same, $"{f.Name}: example {f.Example} gives {got}");
            }
        }
    }
}
