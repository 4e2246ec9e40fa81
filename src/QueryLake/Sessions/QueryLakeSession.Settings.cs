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
            (s, v) => s.TempDirectory = v is string { Length: > 0 } path
                ? s.FileAccess.Denial(path, "spill to", s.LakeFolder) is { } why ? throw new InvalidOperationException(why) : System.IO.Path.GetFullPath(path)
                : throw new ArgumentException("temp_directory takes a folder path"),
            s => s.TempDirectory = null),
        new("cache_directory", "Where a lake on object storage keeps the byte ranges it read (footers, batch metadata, columns), checked by their checksums and kept across restarts; 'none' turns the cache off. A folder lake needs none (default: $XDG_CACHE_HOME/querylake, or ~/.cache/querylake).",
            s => s.Lake.Files.Ranges?.Directory ?? "none",
            (s, v) => s.Lake.Files.Ranges = v switch
            {
                string { Length: > 0 } path when !path.Equals("none", StringComparison.OrdinalIgnoreCase) =>
                    s.FileAccess.Denial(path, "cache to", s.LakeFolder) is { } why ? throw new InvalidOperationException(why)
                    : s.LakeFolder is { } lake && System.IO.Path.GetFullPath(path).StartsWith(lake + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
                        ? throw new ArgumentException("cache_directory cannot lie inside the lake")
                        : Storage.Cache.RangeCache.For(path, s.Lake.Files.CacheCapacity),
                string => null,
                _ => throw new ArgumentException("cache_directory takes a folder path, or 'none'"),
            },
            s => s.Lake.Files.Ranges = s.Lake.IsRemote ? Storage.Cache.RangeCache.OpenDefault(s.Lake.Files.CacheCapacity) : null),
        new("cache_size", "The most bytes cache_directory keeps; the least recently used ranges are evicted first: '10GB', '512MB', a number of bytes (default: 4GB).",
            s => FormatBytes(s.Lake.Files.CacheCapacity),
            (s, v) => SetCacheSize(s, ParseBytes(v) ?? throw new ArgumentException("cache_size takes a size such as '10GB'; to turn the cache off, SET cache_directory = 'none'")),
            s => SetCacheSize(s, Storage.Cache.RangeCache.DefaultCapacity)),
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
        new("enable_external_access", "Whether statements may read and write files outside the lake (read_*, FROM 'file', IMPORT, COPY); once false, it cannot be switched back on, and only allowed_directories and allowed_paths stay open (default true, as in DuckDB).",
            s => s.FileAccess.ExternalAccess ? "true" : "false",
            (s, v) =>
            {
                if (v is not bool on) throw new ArgumentException("enable_external_access takes true or false");
                if (!on) s.FileAccess.DisableExternalAccess();
                else if (!s.FileAccess.ExternalAccess) throw new ArgumentException("enable_external_access cannot be switched back on in a session");
            },
            _ => { }),
        new("allowed_directories", "Directories whose files stay readable and writable when enable_external_access is false: a list such as ['/data', '/exports']; it can only change while enable_external_access is true.",
            s => ShowList(s.FileAccess.AllowedDirectories),
            (s, v) => s.FileAccess.SetAllowedDirectories(PathList(v, "allowed_directories")),
            s => { if (s.FileAccess.ExternalAccess) s.FileAccess.SetAllowedDirectories([]); }),
        new("allowed_paths", "Files that stay readable and writable when enable_external_access is false: a list such as ['/data/labels.csv']; it can only change while enable_external_access is true.",
            s => ShowList(s.FileAccess.AllowedPaths),
            (s, v) => s.FileAccess.SetAllowedPaths(PathList(v, "allowed_paths")),
            s => { if (s.FileAccess.ExternalAccess) s.FileAccess.SetAllowedPaths([]); }),
        new("lock_configuration", "Once true, SET and RESET are refused for the rest of the session (QL-CONFIG-LOCKED), so SQL cannot undo the settings made before it (default false).",
            s => s.FileAccess.Locked ? "true" : "false",
            (s, v) => { if (v is not bool on) throw new ArgumentException("lock_configuration takes true or false"); if (on) s.FileAccess.Lock(); },
            _ => { }),
        new("vacuum_grace", "VACUUM removes unreferenced files only once they are older than this ('1h' by default; '0s' for all): a write in progress has written files it has not yet published.",
            s => FormatDuration(s.VacuumGrace),
            (s, v) => s.VacuumGrace = v is 0L or "0" or "0s" ? TimeSpan.Zero : ParseDuration(v) ?? TimeSpan.Zero,
            s => s.VacuumGrace = DefaultVacuumGrace),
        new("device", "Where similarity searches (ORDER BY a distance to a constant vector, LIMIT k) run: 'auto' (the GPU when one is present and the column is large enough or already on it, the default), 'cpu', or 'gpu' (fails with QL-DEVICE-UNAVAILABLE when there is none).",
            s => s.Device.ToString().ToLowerInvariant(),
            (s, v) => s.Device = v is string text && Enum.TryParse<Kernels.Similarity.DevicePolicy>(text, ignoreCase: true, out var policy) && !int.TryParse(text, out _)
                ? policy : throw new ArgumentException("device takes 'auto', 'cpu' or 'gpu'"),
            s => s.Device = Kernels.Similarity.DevicePolicy.Auto),
        new("gpu_memory_limit", "The most GPU memory the embedding columns kept on the device between queries may hold: '8GB', a number of bytes, or 'auto' (80% of the device's memory, the default). A column larger than this is uploaded for its query only.",
            s => s.GpuMemoryLimit is { } m ? FormatBytes(m) : "auto",
            (s, v) => s.GpuMemoryLimit = v is string text && text.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null
                : ParseBytes(v) ?? throw new ArgumentException("gpu_memory_limit takes a size such as '8GB', or 'auto'"),
            s => s.GpuMemoryLimit = null),
        new("cluster_broadcast_rows", "On a cluster, the estimated rows at most of a join side that goes whole to every task of the other side (a broadcast), which then needs no exchange; larger sides are hash-partitioned on the join keys (default 100000; 0: always partition).",
            s => s.ClusterBroadcastRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (s, v) => s.ClusterBroadcastRows = v is long n && n >= 0 ? n : throw new ArgumentException("cluster_broadcast_rows takes a number of rows, 0 or more"),
            s => s.ClusterBroadcastRows = Execution.Distributed.DistributedSettings.DefaultBroadcastRows),
        new("cluster_gather_groups", "On a cluster, the estimated groups at most of a GROUP BY whose partial aggregates go to the coordinator; with more, they are hash-partitioned on the groups and finished on the workers (default 50000; 0: always partition).",
            s => s.ClusterGatherGroups.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (s, v) => s.ClusterGatherGroups = v is long n && n >= 0 ? n : throw new ArgumentException("cluster_gather_groups takes a number of groups, 0 or more"),
            s => s.ClusterGatherGroups = Execution.Distributed.DistributedSettings.DefaultGatherGroups),
        new("cluster_join_filters", "On a cluster, whether a join whose one side is expected to match few of the other side's rows filters those rows by a Bloom filter of the first side's keys before they are exchanged (default true).",
            s => s.ClusterJoinFilters ? "true" : "false",
            (s, v) => s.ClusterJoinFilters = v is bool on ? on : throw new ArgumentException("cluster_join_filters takes true or false"),
            s => s.ClusterJoinFilters = true),
        new("cluster_task_rows", "On a cluster, the rows past which a fragment is read by several tasks, each a range of its consecutive batches of about this many rows, so a large fragment spreads over the silos (default 1048576).",
            s => s.ClusterTaskRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (s, v) => s.ClusterTaskRows = v is long n && n > 0 ? n : throw new ArgumentException("cluster_task_rows takes a number of rows, 1 or more"),
            s => s.ClusterTaskRows = Execution.Distributed.DistributedSettings.DefaultTaskRows),
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

    /// <summary>Fails once <c>lock_configuration</c> is true.</summary>
    private void Unlocked(Statement s)
    {
        if (FileAccess.Locked)
            throw new SqlException("QL-CONFIG-LOCKED", s.At.Line, s.At.Column, "the configuration is locked (lock_configuration = true): SET and RESET are refused for the rest of the session");
    }

    private static string ShowList(IReadOnlyList<string> items) => "[" + string.Join(", ", items.Select(i => $"'{i.Replace("'", "''")}'")) + "]";

    /// <summary>A list of paths from a SET value: a list of strings, or one string.</summary>
    private static IReadOnlyList<string> PathList(object? v, string setting) => v switch
    {
        string one => [one],
        System.Collections.IEnumerable items when items.Cast<object?>().All(i => i is string) => items.Cast<string>().ToList(),
        _ => throw new ArgumentException($"{setting} takes a list of paths, such as ['/data', '/exports']"),
    };

    private QueryResult Set(Binder binder, SetStatement s)
    {
        Unlocked(s);
        var setting = FindSetting(s.Name, s.At);
        object? value = Binder.Concrete(binder.BindExpr(s.Value, Scope.Empty)) is Literal l ? l.Value
            : throw new SqlException("QL-BAD-ARGUMENT", s.At.Line, s.At.Column, $"SET {setting.Name} takes a constant");
        try { setting.Set(this, value); }
        catch (ArgumentException e) { throw new SqlException("QL-BAD-ARGUMENT", s.At.Line, s.At.Column, e.Message); }
        catch (InvalidOperationException e) { throw new SqlException("QL-ACCESS-DENIED", s.At.Line, s.At.Column, e.Message); }
        return Message(s, $"{setting.Name} = {setting.Show(this)}");
    }

    private QueryResult Reset(ResetStatement r)
    {
        Unlocked(r);
        var settings = r.Name is null ? Settings : [FindSetting(r.Name, r.At)];
        foreach (var setting in settings) setting.Reset(this);
        return Message(r, string.Join(", ", settings.Select(x => $"{x.Name} = {x.Show(this)}")));
    }

    private QueryResult ShowSettings(ShowSettingsStatement s) =>
        Table(s, [new Field("name", DataType.Utf8), new Field("value", DataType.Utf8), new Field("description", DataType.Utf8)],
            Settings.Select(x => new object?[] { x.Name, x.Show(this), x.Description }));

    private static void SetCacheSize(QueryLakeSession s, long size)
    {
        s.Lake.Files.CacheCapacity = size;
        if (s.Lake.Files.Ranges is { } cache) s.Lake.Files.Ranges = Storage.Cache.RangeCache.For(cache.Directory, size);
    }

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
