using System.Diagnostics;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>
/// The kill -9 matrix: each kind of writing statement runs in a child process (the CLI) that is killed at a random
/// moment, 20 times. After each kill the lake is in a committed state: the statement committed once or not at all, every
/// listed version of every dataset reads completely and checks clean, and SHOW DATASETS, VERSIONS, SPLITS and VIEWS work.
/// (CREATE … AS and CREATE OR REPLACE are in CrashRecoveryTests; a transaction over two datasets in TransactionTests.)
/// </summary>
public sealed class KillMatrixTests
{
    private static readonly string Cli = Programs.Dll("QueryLake.Cli", "querylake");

    [Theory]
    [InlineData("insert", "INSERT INTO t SELECT range + 10000000, 'n' || range FROM range(600000)", "append")]
    [InlineData("update", "UPDATE t SET v = v || 'x' WHERE a % 2 = {run} % 2", "update")]
    [InlineData("delete", "DELETE FROM t WHERE a % 97 = {run}", "delete")]
    [InlineData("add_column", "ALTER DATASET t ADD COLUMN c{run} AS a * {run}", "add_column")]
    [InlineData("compact", "COMPACT t TARGET ROWS 4000000", "compact")]
    [InlineData("vacuum", "VACUUM t RETAIN 2 VERSIONS", null)]
    [InlineData("split", "CREATE SPLIT s{run} FROM (SELECT * FROM t) INTO train 80 PERCENT, test 20 PERCENT SEED {run}", null)]
    [InlineData("copy", "COPY (SELECT * FROM t) TO '{dir}/out.parquet'", null)]
    [InlineData("copy_csv", "COPY (SELECT * FROM t) TO '{dir}/out.csv'", null)]
    [InlineData("import_files", "IMPORT FILES '{dir}/files/*' INTO f{run}", null)]
    public void A_killed_statement_leaves_a_committed_state(string name, string statement, string? kind)
    {
        using var dir = new TempDir();
        var lake = Path.Combine(dir.Path, "lake");
        using (var s = QueryLakeSession.Open(lake))
        {
            s.Execute("CREATE DATASET t AS SELECT range AS a, 'v' || range AS v FROM range(600000)");
            // Small fragments for COMPACT to merge.
            for (int i = 0; i < 4; i++) s.Execute($"INSERT INTO t SELECT range + {2000000 + i * 1000}, 'w' FROM range(1000)");
            s.Execute("SET vacuum_grace = '0s'");
        }
        if (statement.Contains("{dir}/files", StringComparison.Ordinal))
        {
            var files = Directory.CreateDirectory(Path.Combine(dir.Path, "files"));
            for (int i = 0; i < 400; i++) File.WriteAllBytes(Path.Combine(files.FullName, $"f{i}.bin"), new byte[50_000 + i]);
        }
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        int unchanged = 0, committed = 0;
        for (int run = 1; run <= 20; run++)
        {
            long before = Versions(lake);
            var sql = statement.Replace("{run}", run.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("{dir}", dir.Path, StringComparison.Ordinal);
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Cli, lake, "-c", "SET vacuum_grace = '0s'", "-c", sql }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit(rng.Next(100, 1000)); // kill at a random moment, or stop waiting once it has finished
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            using var check = QueryLakeSession.Open(lake);
            long after = Versions(lake);
            if (kind is not null)
            {
                Assert.True(after - before is 0 or 1, $"{name} run {run}: {after - before} versions");
                if (after == before) unchanged++;
                else
                {
                    committed++;
                    Assert.Equal(kind, check.Query("SHOW VERSIONS OF t").Rows().Last()[2]);
                }
            }
            // Every listed version of every dataset reads completely and checks clean.
            foreach (var ds in check.Query("SHOW DATASETS").Rows().Select(r => (string)r[0]!))
                foreach (var v in check.Query($"SHOW VERSIONS OF {ds}").Rows().TakeLast(3))
                {
                    Assert.Equal(v[3], check.Query($"SELECT count(*) FROM {ds} VERSION {v[0]}").Rows().Single()[0]);
                    Assert.All(check.Query($"CHECK DATASET {ds} VERSION {v[0]}").Rows(), r => Assert.Equal("ok", r[3]));
                }
            check.Query("SHOW SPLITS").Rows().ToList();
            check.Query("SHOW VIEWS").Rows().ToList();
            foreach (var split in check.Query("SHOW SPLITS").Rows().Select(r => (string)r[0]!).Distinct())
                Assert.Equal(Rows(check, "t"), (long)check.Query($"SELECT count(*) FROM {split}.train").Rows().Single()[0]! + (long)check.Query($"SELECT count(*) FROM {split}.test").Rows().Single()[0]!);
            // A COPY's output is whole or absent (it is written beside and renamed), whatever the format.
            foreach (var copy in Directory.EnumerateFiles(dir.Path, "out*").Where(f => !f.Contains(".tmp-", StringComparison.Ordinal)))
                Assert.Equal(Rows(check, "t"), check.Query($"SELECT count(*) FROM '{copy}'").Rows().Single()[0]);
        }
        // The next COPY removes what a killed one left beside its target (vacuum_grace is 0 s here).
        if (name.StartsWith("copy", StringComparison.Ordinal))
        {
            using (var s = QueryLakeSession.Open(lake))
            {
                s.Execute("SET vacuum_grace = '0s'");
                s.Execute(statement.Replace("{run}", "0", StringComparison.Ordinal).Replace("{dir}", dir.Path, StringComparison.Ordinal));
            }
            Assert.DoesNotContain(Directory.EnumerateFiles(dir.Path), f => f.Contains(".tmp-", StringComparison.Ordinal));
        }
        if (kind is not null) Assert.True(unchanged > 0, $"{name}: no run was killed before its commit ({committed} committed); the test proved nothing");
    }

    private static long Versions(string lake)
    {
        using var s = QueryLakeSession.Open(lake);
        return s.Query("SHOW VERSIONS OF t").Rows().Count();
    }

    private static long Rows(QueryLakeSession s, string ds) => (long)s.Query($"SELECT count(*) FROM {ds}").Rows().Single()[0]!;
}
