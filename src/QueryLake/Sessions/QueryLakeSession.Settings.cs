using System.Globalization;
using System.Text.RegularExpressions;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>A session setting: its name, what it does, how to show, set (from a constant) and reset it.</summary>
    private sealed record Setting(string Name, string Description, Func<QueryLakeSession, string> Show, Action<QueryLakeSession, object?> Set, Action<QueryLakeSession> Reset);

    private static readonly Setting[] Settings =
    [
        new("memory_limit", "The most memory one statement's blocking operators may hold: '512MB', '2GB', '1.5GiB', a number of bytes, or 'none' (default: 80% of the machine's memory, as in DuckDB).",
            s => s.MemoryLimit is { } m ? FormatBytes(m) : "none",
            (s, v) => s.MemoryLimit = ParseBytes(v),
            s => s.MemoryLimit = DefaultMemoryLimit),
        new("threads", "Threads a query may use (default: one per core).",
            s => s.Threads.ToString(CultureInfo.InvariantCulture),
            (s, v) => s.Threads = v is long n and > 0 and <= 4096 ? (int)n : throw new ArgumentException("threads must be a positive integer"),
            s => s.Threads = Environment.ProcessorCount),
        new("temp_directory", "Where queries over memory_limit spill (sorts write sorted runs there); each query's files go in a folder of its own, deleted when the query ends (default: the system's temp folder).",
            s => s.TempDirectory ?? Execution.QueryContext.DefaultTempDirectory,
            (s, v) => s.TempDirectory = v is string { Length: > 0 } path ? System.IO.Path.GetFullPath(path) : throw new ArgumentException("temp_directory takes a folder path"),
            s => s.TempDirectory = null),
        new("statement_timeout", "Statements running longer are cancelled with QL-TIMEOUT: '30s', '500ms', '2min', '1h', a number of milliseconds, or 'none' (0).",
            s => s.StatementTimeout is { } t ? FormatDuration(t) : "none",
            (s, v) => s.StatementTimeout = ParseDuration(v),
            s => s.StatementTimeout = null),
        new("disabled_optimizers", "Optimizer and physical-planner rules to skip, comma-separated (" + string.Join(", ", RuleNames) + "), or ''.",
            s => string.Join(",", s.DisabledRules.Order(StringComparer.Ordinal)),
            (s, v) =>
            {
                var names = (v as string ?? throw new ArgumentException("disabled_optimizers takes a string")).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                foreach (var n in names)
                    if (!RuleNames.Contains(n))
                        throw new ArgumentException($"there is no optimizer rule '{n}'" + Scope.Suggest(n, RuleNames));
                s.DisabledRules.Clear();
                foreach (var n in names) s.DisabledRules.Add(n);
            },
            s => s.DisabledRules.Clear()),
        new("explain_output", "What EXPLAIN prints: 'physical_only' (the operators that run, the default), 'optimized_only' (the optimized logical plan) or 'all' (both).",
            s => s.ExplainOutput,
            (s, v) => s.ExplainOutput = v is string text && text.ToLowerInvariant() is "physical_only" or "optimized_only" or "all" ? text.ToLowerInvariant()
                : throw new ArgumentException("explain_output takes 'physical_only', 'optimized_only' or 'all'"),
            s => s.ExplainOutput = "physical_only"),
    ];

    /// <summary>The names of the rules <c>disabled_optimizers</c> can switch off: the optimizer's, then the physical planner's.</summary>
    private static IReadOnlyList<string> RuleNames =>
        LogicalOptimizer.Rules.Select(r => r.Name).Concat(Execution.Physical.PhysicalPlanner.Rules.Select(r => r.Name)).ToList();

    private static Setting FindSetting(string name, SourceSpan at) =>
        Settings.FirstOrDefault(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || (name.Equals("worker_threads", StringComparison.OrdinalIgnoreCase) && x.Name == "threads"))
        ?? throw new SqlException("QL-UNKNOWN-SETTING", at.Line, at.Column, $"there is no setting '{name}'" + Scope.Suggest(name, Settings.Select(x => x.Name)));

    private QueryResult Set(Binder binder, SetStatement s)
    {
        var setting = FindSetting(s.Name, s.At);
        object? value = Binder.Concrete(binder.BindExpr(s.Value, Scope.Empty)) is Literal l ? l.Value
            : throw new SqlException("QL-BAD-ARGUMENT", s.At.Line, s.At.Column, $"SET {setting.Name} takes a constant");
        try { setting.Set(this, value); }
        catch (ArgumentException e) { throw new SqlException("QL-BAD-ARGUMENT", s.At.Line, s.At.Column, e.Message); }
        return Message(s, $"{setting.Name} = {setting.Show(this)}");
    }

    private QueryResult Reset(ResetStatement r)
    {
        var settings = r.Name is null ? Settings : [FindSetting(r.Name, r.At)];
        foreach (var setting in settings) setting.Reset(this);
        return Message(r, string.Join(", ", settings.Select(x => $"{x.Name} = {x.Show(this)}")));
    }

    private QueryResult ShowSettings(ShowSettingsStatement s) =>
        Table(s, [new Field("name", DataType.Utf8), new Field("value", DataType.Utf8), new Field("description", DataType.Utf8)],
            Settings.Select(x => new object?[] { x.Name, x.Show(this), x.Description }));

    private static long? ParseBytes(object? v)
    {
        switch (v)
        {
            case null: return null;
            case long n when n > 0: return n;
            case string text:
            {
                if (text.Trim().ToLowerInvariant() is "none" or "" or "unlimited") return null;
                var m = Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*([KMGT]?i?B|bytes?)?$", RegexOptions.IgnoreCase);
                if (!m.Success) break;
                double amount = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                string unit = m.Groups[2].Value.ToUpperInvariant();
                double scale = unit switch
                {
                    "" or "B" or "BYTE" or "BYTES" => 1,
                    "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, "TB" => 1e12,
                    "KIB" => 1 << 10, "MIB" => 1 << 20, "GIB" => 1 << 30, "TIB" => 1L << 40,
                    _ => double.NaN,
                };
                if (double.IsNaN(scale) || amount * scale < 1) break;
                return (long)(amount * scale);
            }
        }
        throw new ArgumentException($"memory_limit takes a size such as '512MB', '2GB' or '1.5GiB', or 'none'; not {Show(v)}");
    }

    private static TimeSpan? ParseDuration(object? v)
    {
        switch (v)
        {
            case null or 0L: return null;
            case long ms when ms > 0: return TimeSpan.FromMilliseconds(ms);
            case string text:
            {
                if (text.Trim().ToLowerInvariant() is "none" or "" or "0") return null;
                var m = Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?)?$", RegexOptions.IgnoreCase);
                if (!m.Success) break;
                double amount = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var unit = m.Groups[2].Value.ToLowerInvariant();
                var span = unit switch
                {
                    "ms" or "" => TimeSpan.FromMilliseconds(amount),
                    "s" or "sec" or "second" or "seconds" => TimeSpan.FromSeconds(amount),
                    "m" or "min" or "minute" or "minutes" => TimeSpan.FromMinutes(amount),
                    _ => TimeSpan.FromHours(amount),
                };
                return span > TimeSpan.Zero ? span : null;
            }
        }
        throw new ArgumentException($"statement_timeout takes a duration such as '30s', '500ms' or '2min', or 'none'; not {Show(v)}");
    }

    private static string Show(object? v) => v switch { null => "NULL", string s => $"'{s}'", _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "?" };

    private static string FormatBytes(long b) =>
        b % (1L << 30) == 0 ? $"{b >> 30}GiB" : b % (1L << 20) == 0 ? $"{b >> 20}MiB" : b % 1_000_000_000 == 0 ? $"{b / 1_000_000_000}GB"
        : b % 1_000_000 == 0 ? $"{b / 1_000_000}MB" : $"{b} bytes";

    private static string FormatDuration(TimeSpan t) =>
        t.TotalMilliseconds % 1000 != 0 ? $"{t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms" : $"{t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
}
