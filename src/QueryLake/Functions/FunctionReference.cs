using System.Text;

namespace QueryLake.Functions;

/// <summary>Renders docs/functions.md from the functions' metadata, so the reference never drifts from the code.</summary>
internal static class FunctionReference
{
    public static string Render(FunctionRegistry registry)
    {
        var sb = new StringBuilder();
        sb.Append("# Function reference\n\n");
        sb.Append("Generated from the functions' metadata (`src/QueryLake/Functions`); a test fails when this file is out of date.\n");
        sb.Append("Regenerate with `QL_UPDATE_DOCS=1 dotnet test --filter FunctionReference`.\n\n");
        sb.Append("## Operators\n\n| operator | description | example |\n|---|---|---|\n");
        foreach (var f in registry.Scalars.Where(f => f.IsOperator)) Row(sb, f.Signature, f.Description, f.Example);
        sb.Append("\n## Scalar functions\n\n| function | description | example |\n|---|---|---|\n");
        foreach (var f in registry.Scalars.Where(f => !f.IsOperator))
            Row(sb, f.Signature, f.Aliases.Count == 0 ? f.Description : f.Description + $" Also: {string.Join(", ", f.Aliases.Select(a => $"`{a}`"))}.", f.Example);
        sb.Append("\n## Aggregate functions\n\n| function | description | example |\n|---|---|---|\n");
        foreach (var f in registry.Aggregates) Row(sb, f.Signature, f.Description, f.Example);
        sb.Append("\n## Window functions\n\n`OVER ([PARTITION BY …] [ORDER BY …] [ROWS|RANGE BETWEEN … AND …])`, or `OVER name` for a `WINDOW name AS (…)` clause.\n\n| function | description | example |\n|---|---|---|\n");
        foreach (var f in registry.Windows) Row(sb, f.Signature, f.Description, f.Example);
        sb.Append("\n## Table functions\n\n| function | also | description | example |\n|---|---|---|---|\n");
        foreach (var f in registry.Tables)
            sb.Append($"| `{Escape(f.Signature)}` | {string.Join(", ", f.Aliases.Select(a => $"`{a}`"))} | {Escape(f.Description)} | `{Escape(f.Example)}` |\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string signature, string description, string example) =>
        sb.Append($"| `{Escape(signature)}` | {Escape(description)} | `{Escape(example)}` |\n");

    private static string Escape(string s) => s.Replace("|", "\\|");
}
