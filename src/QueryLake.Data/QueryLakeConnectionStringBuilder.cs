using System.Data.Common;
using System.Globalization;

namespace QueryLake.Data;

/// <summary>
/// Builds and parses QueryLake connection strings. Keys (case-insensitive): <c>Data Source</c> (the lake directory,
/// or <c>:memory:</c> for a temporary lake; alias <c>DataSource</c>), <c>Mode</c> (<c>ReadWrite</c> or
/// <c>ReadOnly</c>), <c>Memory Limit</c> (bytes, or with a KB/MB/GB suffix), <c>Threads</c> and
/// <c>Command Timeout</c> (seconds, the default for commands; 0 waits forever); and the file-access settings of
/// <see cref="QueryLake.Sessions.FileAccessPolicy"/>: <c>Enable External Access</c> (true or false),
/// <c>Allowed Directories</c> and <c>Allowed Paths</c> (comma-separated) and <c>Lock Configuration</c> (true or false);
/// for a lake on object storage (<c>Data Source=s3://bucket/prefix</c>), <c>Endpoint</c>, <c>Region</c>, <c>Path Style</c>
/// and <c>Commit Lock</c> (credentials come from the AWS environment variables and profile files, never from here); for a
/// QueryLake cluster, <c>Data Source=cluster://host:port[,host:port…][?cluster=ID]</c> (queries and EXPLAIN only).
/// </summary>
public sealed class QueryLakeConnectionStringBuilder : DbConnectionStringBuilder
{
    private static readonly Dictionary<string, string> Canonical = new(StringComparer.OrdinalIgnoreCase)
    {
        ["data source"] = "Data Source", ["datasource"] = "Data Source", ["mode"] = "Mode", ["memory limit"] = "Memory Limit",
        ["memorylimit"] = "Memory Limit", ["threads"] = "Threads", ["command timeout"] = "Command Timeout", ["commandtimeout"] = "Command Timeout",
        ["enable external access"] = "Enable External Access", ["enable_external_access"] = "Enable External Access",
        ["allowed directories"] = "Allowed Directories", ["allowed_directories"] = "Allowed Directories",
        ["allowed paths"] = "Allowed Paths", ["allowed_paths"] = "Allowed Paths",
        ["lock configuration"] = "Lock Configuration", ["lock_configuration"] = "Lock Configuration",
        ["endpoint"] = "Endpoint", ["region"] = "Region", ["path style"] = "Path Style", ["pathstyle"] = "Path Style",
        ["commit lock"] = "Commit Lock", ["commitlock"] = "Commit Lock",
    };

    /// <summary>An empty builder.</summary>
    public QueryLakeConnectionStringBuilder() { }

    /// <summary>A builder holding <paramref name="connectionString"/>.</summary>
    public QueryLakeConnectionStringBuilder(string? connectionString) => ConnectionString = connectionString ?? "";

    /// <summary>Sets a key, checking that it is one QueryLake knows.</summary>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override object this[string keyword]
    {
        get => base[Key(keyword)];
        set => base[Key(keyword)] = value;
    }

    private static string Key(string keyword) => Canonical.TryGetValue(keyword.Trim(), out var k) ? k
        : throw new ArgumentException($"unknown connection string key '{keyword}'; QueryLake knows Data Source, Mode, Memory Limit, Threads, Command Timeout, Enable External Access, Allowed Directories, Allowed Paths, Lock Configuration, Endpoint, Region, Path Style and Commit Lock", nameof(keyword));

    private string? Get(string key) => TryGetValue(key, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    /// <inheritdoc />
    public override bool ContainsKey(string keyword) => Canonical.TryGetValue(keyword.Trim(), out var k) && base.ContainsKey(k);

    /// <inheritdoc />
    public override bool Remove(string keyword) => Canonical.TryGetValue(keyword.Trim(), out var k) && base.Remove(k);

    /// <inheritdoc />
    public override bool TryGetValue(string keyword, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out object value)
    {
        value = null!;
        return Canonical.TryGetValue(keyword.Trim(), out var k) && base.TryGetValue(k, out value!);
    }

    /// <summary>The lake directory, or <c>:memory:</c> (the default) for a temporary lake deleted on close.</summary>
    public string DataSource
    {
        get => Get("Data Source") is { Length: > 0 } s ? s : ":memory:";
        set => this["Data Source"] = value;
    }

    /// <summary>Whether statements may read and write files outside the lake (default true); false leaves only
    /// <see cref="AllowedDirectories"/> and <see cref="AllowedPaths"/> open, for good.</summary>
    public bool EnableExternalAccess
    {
        get => Flag("Enable External Access", true);
        set => this["Enable External Access"] = value ? "true" : "false";
    }

    /// <summary>Directories that stay open with external access off (comma-separated in the connection string).</summary>
    public IReadOnlyList<string> AllowedDirectories
    {
        get => List("Allowed Directories");
        set => this["Allowed Directories"] = string.Join(",", value);
    }

    /// <summary>Files that stay open with external access off (comma-separated in the connection string).</summary>
    public IReadOnlyList<string> AllowedPaths
    {
        get => List("Allowed Paths");
        set => this["Allowed Paths"] = string.Join(",", value);
    }

    /// <summary>Whether SQL may not change settings (SET and RESET fail with QL-CONFIG-LOCKED); default false.</summary>
    public bool LockConfiguration
    {
        get => Flag("Lock Configuration", false);
        set => this["Lock Configuration"] = value ? "true" : "false";
    }

    private bool Flag(string key, bool fallback) => Get(key) is not { } s ? fallback : s.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw new ArgumentException($"{key} must be true or false, not '{s}'"),
    };

    private IReadOnlyList<string> List(string key) =>
        Get(key) is { } s ? s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>For a lake on object storage (<c>Data Source=s3://bucket/prefix</c>): the store's endpoint URL (null: AWS
    /// S3, or <c>AWS_ENDPOINT_URL</c>).</summary>
    public string? Endpoint
    {
        get => Get("Endpoint");
        set { if (value is null) Remove("Endpoint"); else this["Endpoint"] = value; }
    }

    /// <summary>For a lake on object storage: the region (null: <c>AWS_REGION</c>).</summary>
    public string? Region
    {
        get => Get("Region");
        set { if (value is null) Remove("Region"); else this["Region"] = value; }
    }

    /// <summary>For a lake on object storage: path-style addressing (null: automatic, on for an IP address or localhost).</summary>
    public bool? PathStyle
    {
        get => Get("Path Style") is null ? null : Flag("Path Style", false);
        set { if (value is null) Remove("Path Style"); else this["Path Style"] = value.Value ? "true" : "false"; }
    }

    /// <summary>For a lake on object storage that does not honour conditional creates: a lock file on a local or POSIX
    /// path that every writer names, which serializes commits (without one, writing to such a store is refused).</summary>
    public string? CommitLock
    {
        get => Get("Commit Lock");
        set { if (value is null) Remove("Commit Lock"); else this["Commit Lock"] = value; }
    }

    /// <summary>The object-storage options these keys give.</summary>
    internal QueryLake.Storage.LakeOptions LakeOptions => new() { Endpoint = Endpoint, Region = Region, PathStyle = PathStyle, CommitLock = CommitLock };

    /// <summary>ReadWrite (the default) or ReadOnly.</summary>
    public QueryLakeMode Mode
    {
        get => Get("Mode") is { } m ? Enum.TryParse<QueryLakeMode>(m, ignoreCase: true, out var mode) ? mode
            : throw new ArgumentException($"Mode must be ReadWrite or ReadOnly, not '{m}'") : QueryLakeMode.ReadWrite;
        set => this["Mode"] = value.ToString();
    }

    /// <summary>The memory one statement's blocking operators may hold, in bytes; null for no limit.</summary>
    public long? MemoryLimit
    {
        get => Get("Memory Limit") is { } s ? ParseBytes(s) : null;
        set { if (value is null) Remove("Memory Limit"); else this["Memory Limit"] = value.Value.ToString(CultureInfo.InvariantCulture); }
    }

    /// <summary>How many batches run at once; null for one per core.</summary>
    public int? Threads
    {
        get => Get("Threads") is { } s ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n
            : throw new ArgumentException($"Threads must be a positive integer, not '{s}'") : null;
        set { if (value is null) Remove("Threads"); else this["Threads"] = value.Value.ToString(CultureInfo.InvariantCulture); }
    }

    /// <summary>The default command timeout in seconds (30 when not given; 0 waits forever).</summary>
    public int CommandTimeout
    {
        get => Get("Command Timeout") is { } s ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n
            : throw new ArgumentException($"Command Timeout must be a whole number of seconds, not '{s}'") : 30;
        set => this["Command Timeout"] = value.ToString(CultureInfo.InvariantCulture);
    }

    private static long ParseBytes(string s)
    {
        var t = s.Trim().ToUpperInvariant();
        long unit = 1;
        foreach (var (suffix, size) in new[] { ("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1L) })
            if (t.EndsWith(suffix, StringComparison.Ordinal)) { unit = size; t = t[..^suffix.Length].Trim(); break; }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? (long)(v * unit)
            : throw new ArgumentException($"Memory Limit must be a size such as 512MB or 4GB, not '{s}'");
    }
}
