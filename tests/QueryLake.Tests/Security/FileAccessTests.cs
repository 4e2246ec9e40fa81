using QueryLake.Data;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Security;

/// <summary>Confinement with DuckDB's settings: <c>enable_external_access = false</c> closes every file outside the lake
/// to every statement that reads or writes one (FROM 'file', read_*, IMPORT, IMPORT FILES, COPY, temp_directory),
/// except <c>allowed_directories</c> and <c>allowed_paths</c>, checked after <c>..</c> and symbolic links;
/// <c>lock_configuration</c> keeps SQL from undoing it; ADO.NET keys and CLI flags set the same.</summary>
public sealed class FileAccessTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _open, _closed, _lake;

    public FileAccessTests()
    {
        _open = Path.Combine(_dir.Path, "open");
        _closed = Path.Combine(_dir.Path, "closed");
        _lake = Path.Combine(_dir.Path, "lake");
        Directory.CreateDirectory(_open);
        Directory.CreateDirectory(_closed);
        foreach (var d in new[] { _open, _closed })
        {
            File.WriteAllText(Path.Combine(d, "t.csv"), "a,b\n1,x\n2,y\n");
            File.WriteAllText(Path.Combine(d, "t.json"), "[{\"a\": 1}]");
        }
        // A link inside the open folder to a file of the closed one, and to the closed folder itself.
        File.CreateSymbolicLink(Path.Combine(_open, "link.csv"), Path.Combine(_closed, "t.csv"));
        Directory.CreateSymbolicLink(Path.Combine(_open, "sub"), _closed);
    }

    public void Dispose() => _dir.Dispose();

    private QueryLakeSession Confined()
    {
        var s = QueryLakeSession.Open(_lake);
        s.Execute($"SET allowed_directories = ['{_open}']");
        s.Execute("SET enable_external_access = false");
        return s;
    }

    private static void Denied(QueryLakeSession s, string sql, string path)
    {
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute(sql));
        Assert.Equal("QL-ACCESS-DENIED", e.Code);
        Assert.Contains(path, e.Message);
        Assert.Contains("enable_external_access is false", e.Message);
    }

    [Fact]
    public void By_default_files_anywhere_are_readable_as_in_duckdb()
    {
        using var s = QueryLakeSession.Open(_lake);
        Assert.Equal(2L, s.Query($"SELECT count(*) FROM read_csv('{_closed}/t.csv')").Rows().Single()[0]);
        Assert.Equal("true", s.Query("SHOW SETTINGS").Rows().Single(r => (string)r[0]! == "enable_external_access")[1]);
    }

    [Fact]
    public void Every_statement_that_reads_or_writes_a_file_outside_the_allowed_folders_is_refused()
    {
        using var s = Confined();
        Denied(s, $"SELECT * FROM '{_closed}/t.csv'", "t.csv");
        Denied(s, $"SELECT * FROM read_csv('{_closed}/t.csv')", "t.csv");
        Denied(s, $"SELECT * FROM read_json('{_closed}/t.json')", "t.json");
        Denied(s, "SELECT * FROM read_csv('/etc/passwd', delim := ':')", "/etc/passwd");
        Denied(s, $"IMPORT CSV '{_closed}/t.csv' INTO imported", "t.csv");
        Denied(s, $"IMPORT FILES '{_closed}/*' INTO files", _closed);
        Denied(s, $"COPY (SELECT 1 AS a) TO '{_closed}/out.csv'", "out.csv");
        Denied(s, $"SET temp_directory = '{_closed}'", _closed);
        Assert.False(File.Exists(Path.Combine(_closed, "out.csv")));
        Assert.False(s.Lake.DatasetExists("imported"));
        Assert.False(s.Lake.DatasetExists("files"));
    }

    [Fact]
    public void Dot_dot_and_symbolic_links_out_of_an_allowed_folder_are_refused()
    {
        using var s = Confined();
        Denied(s, $"SELECT * FROM read_csv('{_open}/../closed/t.csv')", "closed/t.csv");
        Denied(s, $"SELECT * FROM read_csv('{_open}/link.csv')", "which resolves to");
        Denied(s, $"SELECT * FROM '{_open}/sub/t.csv'", "which resolves to");
        Denied(s, $"COPY (SELECT 1 AS a) TO '{_open}/sub/out.csv'", "which resolves to");
        Denied(s, $"IMPORT FILES '{_open}/**' INTO files", "link.csv");
        Assert.False(File.Exists(Path.Combine(_closed, "out.csv")));
    }

    [Fact]
    public void Allowed_folders_and_paths_and_the_lake_itself_stay_open()
    {
        using var s = QueryLakeSession.Open(_lake);
        s.Execute($"SET allowed_directories = ['{_open}']");
        s.Execute($"SET allowed_paths = ['{_closed}/t.json']");
        s.Execute("SET enable_external_access = false");
        Assert.Equal(2L, s.Query($"SELECT count(*) FROM '{_open}/t.csv'").Rows().Single()[0]);
        Assert.Equal(1L, s.Query($"SELECT count(*) FROM read_json('{_closed}/t.json')").Rows().Single()[0]);
        Denied(s, $"SELECT * FROM read_csv('{_closed}/t.csv')", "t.csv");
        s.Execute($"IMPORT CSV '{_open}/t.csv' INTO imported");
        Assert.Equal(2L, s.Query("SELECT count(*) FROM imported").Rows().Single()[0]);
        Assert.Equal(2L, s.Query($"COPY (SELECT * FROM imported) TO '{_open}/out.parquet'").RowsAffected);
        Assert.Equal(2L, s.Query($"SELECT count(*) FROM '{_open}/out.parquet'").Rows().Single()[0]);
        // The lake's own files are readable (they are the session's data).
        var data = Directory.EnumerateFiles(Path.Combine(_lake, "imported"), "*.arrow", SearchOption.AllDirectories).First();
        Assert.Equal(2L, s.Query($"SELECT count(*) FROM read_arrow('{data}')").Rows().Single()[0]);
    }

    [Fact]
    public void External_access_cannot_come_back_and_the_exceptions_cannot_grow_once_it_is_off()
    {
        using var s = Confined();
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute("SET enable_external_access = true"));
        Assert.Equal("QL-BAD-ARGUMENT", e.Code);
        Assert.Contains("cannot be switched back on", e.Message);
        e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute($"SET allowed_directories = ['{_closed}']"));
        Assert.Equal("QL-ACCESS-DENIED", e.Code);
        s.Execute("RESET ALL");
        Assert.False(s.FileAccess.ExternalAccess);
        Denied(s, $"SELECT * FROM read_csv('{_closed}/t.csv')", "t.csv");
    }

    [Fact]
    public void A_locked_configuration_refuses_every_set_and_reset()
    {
        using var s = Confined();
        s.Execute("SET lock_configuration = true");
        foreach (var sql in new[] { "SET memory_limit = '1GB'", "SET lock_configuration = false", "RESET ALL", "RESET temp_directory", "SET enable_external_access = true" })
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute(sql));
            Assert.Equal("QL-CONFIG-LOCKED", e.Code);
        }
        Assert.Equal("true", s.Query("SHOW SETTINGS").Rows().Single(r => (string)r[0]! == "lock_configuration")[1]);
    }

    [Fact]
    public void Ado_net_connection_string_keys_confine_the_connection()
    {
        using var c = new QueryLakeConnection($"Data Source={_lake};Enable External Access=false;Allowed Directories={_open};Lock Configuration=true");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM '{_open}/t.csv'";
        Assert.Equal(2L, cmd.ExecuteScalar());
        cmd.CommandText = $"SELECT count(*) FROM '{_closed}/t.csv'";
        Assert.Equal("QL-ACCESS-DENIED", Assert.ThrowsAny<QueryLakeException>(() => cmd.ExecuteScalar()).Code);
        cmd.CommandText = "SET enable_external_access = true";
        Assert.Equal("QL-CONFIG-LOCKED", Assert.ThrowsAny<QueryLakeException>(() => cmd.ExecuteNonQuery()).Code);
        Assert.Throws<ArgumentException>(() => new QueryLakeConnectionStringBuilder("Enable External Access=maybe").EnableExternalAccess);
    }

    [Fact]
    public void Cli_flags_confine_the_run_and_read_only_refuses_writes()
    {
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        var (exit, stdout, stderr) = Programs.Run(cli, null, _lake, "--no-external-access", "--allowed-directory", _open, "--lock-configuration",
            "-c", $"SELECT count(*) AS n FROM '{_open}/t.csv'", "--format", "csv");
        Assert.True(exit == 0, stderr);
        Assert.EndsWith("n\n2\n", stdout.Replace("\r", ""));
        (exit, _, stderr) = Programs.Run(cli, null, _lake, "--no-external-access", "-c", $"SELECT * FROM '{_closed}/t.csv'");
        Assert.Equal(1, exit);
        Assert.Contains("is not allowed", stderr);
        (exit, _, stderr) = Programs.Run(cli, null, _lake, "--no-external-access", "--lock-configuration", "-c", "SET enable_external_access = true");
        Assert.Equal(1, exit);
        Assert.Contains("locked", stderr);
        (exit, _, stderr) = Programs.Run(cli, null, _lake, "--read-only", "-c", "CREATE DATASET t (a BIGINT)");
        Assert.Equal(1, exit);
        Assert.Contains("read-only", stderr);
        (exit, _, stderr) = Programs.Run(cli, null, _lake, "--read-only", "-c", $"COPY (SELECT 1 AS a) TO '{_open}/o.csv'");
        Assert.Equal(1, exit);
        Assert.False(File.Exists(Path.Combine(_open, "o.csv")));
    }
}
