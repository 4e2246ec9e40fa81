using System.Diagnostics;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Storage.Commits;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sessions;

/// <summary>BEGIN … COMMIT is one atomic commit across every dataset it touched: its statements see their own changes,
/// other sessions see none of them until the commit and then all of them; ROLLBACK or a killed process leaves no
/// version; concurrent transactions that touch different data both commit, conflicting ones fail at COMMIT.</summary>
public sealed class TransactionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _lake;

    public TransactionTests()
    {
        _lake = Path.Combine(_dir.Path, "lake");
        using var s = QueryLakeSession.Open(_lake);
        s.Execute("CREATE DATASET a AS SELECT range AS x FROM range(100)");
        s.Execute("CREATE DATASET b AS SELECT range AS y, 'v' AS label FROM range(10)");
    }

    public void Dispose() => _dir.Dispose();

    private static object? Scalar(QueryLakeSession s, string sql) => s.Query(sql).Rows().Single()[0];

    private static long Versions(QueryLakeSession s, string name) => s.Query($"SHOW VERSIONS OF {name}").Rows().Count();

    [Fact]
    public void Others_see_nothing_until_commit_and_then_everything_with_one_version_per_dataset()
    {
        using var writer = QueryLakeSession.Open(_lake);
        using var reader = QueryLakeSession.Open(_lake);
        writer.Execute("BEGIN TRANSACTION");
        writer.Execute("INSERT INTO a SELECT range + 1000 FROM range(50)");
        writer.Execute("UPDATE b SET label = 'w' WHERE y < 5");
        writer.Execute("DELETE FROM a WHERE x < 10");
        writer.Execute("CREATE DATASET c AS SELECT 1 AS z");
        // The transaction reads its own changes.
        Assert.Equal(140L, Scalar(writer, "SELECT count(*) FROM a"));
        Assert.Equal(5L, Scalar(writer, "SELECT count(*) FROM b WHERE label = 'w'"));
        Assert.Equal(1L, Scalar(writer, "SELECT count(*) FROM c"));
        // Another session sees none of them.
        Assert.Equal(100L, Scalar(reader, "SELECT count(*) FROM a"));
        Assert.Equal(0L, Scalar(reader, "SELECT count(*) FROM b WHERE label = 'w'"));
        Assert.False(reader.Lake.DatasetExists("c"));
        Assert.Equal(1L, Versions(reader, "a"));
        writer.Execute("COMMIT");
        Assert.Equal(140L, Scalar(reader, "SELECT count(*) FROM a"));
        Assert.Equal(5L, Scalar(reader, "SELECT count(*) FROM b WHERE label = 'w'"));
        Assert.Equal(1L, Scalar(reader, "SELECT count(*) FROM c"));
        Assert.Equal(2L, Versions(reader, "a"));
        Assert.Equal(2L, Versions(reader, "b"));
        Assert.Equal("transaction", reader.Query("SHOW VERSIONS OF a").Rows().Last()[2]);
        // Earlier versions still read as they were.
        Assert.Equal(100L, Scalar(reader, "SELECT count(*) FROM a VERSION 1"));
    }

    [Fact]
    public void Rollback_leaves_no_version_and_no_file()
    {
        using var s = QueryLakeSession.Open(_lake);
        var files = Directory.EnumerateFiles(_lake, "*", SearchOption.AllDirectories).Count();
        s.Execute("BEGIN");
        s.Execute("INSERT INTO a SELECT range FROM range(1000)");
        s.Execute("UPDATE b SET y = -y");
        s.Execute("CREATE DATASET c AS SELECT range FROM range(10)");
        Assert.Equal(1100L, Scalar(s, "SELECT count(*) FROM a"));
        s.Execute("ROLLBACK");
        Assert.Equal(100L, Scalar(s, "SELECT count(*) FROM a"));
        Assert.Equal(45L, Scalar(s, "SELECT sum(y) FROM b"));
        Assert.False(s.Lake.DatasetExists("c"));
        Assert.Equal(1L, Versions(s, "a"));
        Assert.Equal(files, Directory.EnumerateFiles(_lake, "*", SearchOption.AllDirectories).Count(f => !f.Contains("_tmp", StringComparison.Ordinal)));
        // Disposing a session with an open transaction rolls it back.
        using (var t = QueryLakeSession.Open(_lake))
        {
            t.Execute("BEGIN");
            t.Execute("INSERT INTO a VALUES (1)");
        }
        Assert.Equal(100L, Scalar(s, "SELECT count(*) FROM a"));
    }

    [Theory]
    [InlineData("COMMIT", "no open transaction")]
    [InlineData("ROLLBACK", "no open transaction")]
    [InlineData("BEGIN; BEGIN", "already open")]
    [InlineData("BEGIN; DROP DATASET a", "cannot run inside a transaction")]
    [InlineData("BEGIN; CREATE VIEW v AS SELECT 1", "cannot run inside a transaction")]
    [InlineData("BEGIN; CREATE SPLIT s FROM (SELECT x FROM a) INTO train 50 PERCENT, test 50 PERCENT SEED 1", "cannot run inside a transaction")]
    public void Transaction_statements_out_of_place_fail_clearly(string sql, string message)
    {
        using var s = QueryLakeSession.Open(_lake);
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Execute(sql));
        Assert.Equal("QL-TRANSACTION", e.Code);
        Assert.Contains(message, e.Message);
        Assert.True(s.Lake.DatasetExists("a"));
    }

    [Fact]
    public void Concurrent_transactions_on_different_rows_both_commit_and_conflicting_ones_fail_at_commit()
    {
        using var one = QueryLakeSession.Open(_lake);
        using var two = QueryLakeSession.Open(_lake);
        // Appends never conflict: both commit, the second rebased onto the first (its fragment renumbered).
        one.Execute("BEGIN; INSERT INTO a VALUES (1000)");
        two.Execute("BEGIN; INSERT INTO a VALUES (2000); INSERT INTO b VALUES (99, 'z')");
        one.Execute("COMMIT");
        two.Execute("COMMIT");
        Assert.Equal(102L, Scalar(one, "SELECT count(*) FROM a"));
        Assert.Equal(3000L, Scalar(one, "SELECT sum(x) FROM a WHERE x >= 1000"));
        Assert.Equal(11L, Scalar(one, "SELECT count(*) FROM b"));
        // Updating the same rows: the second to commit fails, and none of its changes appear.
        one.Execute("BEGIN; UPDATE a SET x = x + 1 WHERE x < 50");
        two.Execute("BEGIN; UPDATE a SET x = x - 1 WHERE x < 50; INSERT INTO b VALUES (77, 'q')");
        one.Execute("COMMIT");
        var e = Assert.ThrowsAny<QueryLakeException>(() => two.Execute("COMMIT"));
        Assert.Equal("QL-COMMIT-CONFLICT", e.Code);
        Assert.Null(two.Transaction);
        Assert.Equal(0L, Scalar(two, "SELECT count(*) FROM b WHERE y = 77"));
        Assert.Equal(1L, Scalar(two, "SELECT min(x) FROM a"));
    }

    [Fact]
    public void A_pending_transaction_is_invisible_and_a_blocked_writer_aborts_it_after_waiting()
    {
        using var pausing = QueryLakeSession.Open(_lake);
        using var other = QueryLakeSession.Open(_lake);
        using var published = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        Exception? failure = null;
        var commit = new Thread(() =>
        {
            StagedTransaction.BeforeCommitPoint.Value = () => { published.Set(); resume.Wait(); };
            try { pausing.Execute("BEGIN; INSERT INTO a VALUES (5000); INSERT INTO b VALUES (5000, 'p'); COMMIT"); }
            catch (Exception e) { failure = e; }
        });
        commit.Start();
        Assert.True(published.Wait(TimeSpan.FromSeconds(30)));
        // Both manifests are published, the commit point is not: nothing of it is visible.
        Assert.Equal(0L, Scalar(other, "SELECT count(*) FROM a WHERE x = 5000"));
        Assert.Equal(0L, Scalar(other, "SELECT count(*) FROM b WHERE y = 5000"));
        Assert.Equal(1L, Versions(other, "a"));
        // A writer of a waits for it, then aborts it and commits after it.
        var clock = Stopwatch.StartNew();
        other.Execute("INSERT INTO a VALUES (6000)");
        Assert.True(clock.Elapsed >= TransactionOutcomes.PendingWait - TimeSpan.FromMilliseconds(100));
        resume.Set();
        commit.Join();
        Assert.Equal("QL-COMMIT-CONFLICT", Assert.IsAssignableFrom<QueryLakeException>(failure).Code);
        Assert.Equal(0L, Scalar(other, "SELECT count(*) FROM a WHERE x = 5000"));
        Assert.Equal(0L, Scalar(other, "SELECT count(*) FROM b WHERE y = 5000"));
        Assert.Equal(1L, Scalar(other, "SELECT count(*) FROM a WHERE x = 6000"));
        Assert.Equal(new long[] { 1, 3 }, other.Query("SHOW VERSIONS OF a").Rows().Select(r => (long)r[0]!));
    }

    [Fact]
    public void Killing_a_transaction_over_two_datasets_leaves_it_all_or_nothing()
    {
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        var rng = new Random(19);
        int none = 0, all = 0;
        for (int run = 0; run < 20; run++)
        {
            long a, b, versionsA;
            using (var s = QueryLakeSession.Open(_lake))
                (a, b, versionsA) = ((long)Scalar(s, "SELECT count(*) FROM a")!, (long)Scalar(s, "SELECT count(*) FROM b")!, Versions(s, "a"));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { cli, _lake, "-c", "BEGIN", "-c", "INSERT INTO a SELECT range FROM range(400000)", "-c", "UPDATE b SET label = label || 'x'",
                         "-c", "INSERT INTO b SELECT range, 'n' FROM range(300000)", "-c", "COMMIT" })
                psi.ArgumentList.Add(arg);
            using var p = Process.Start(psi)!;
            p.WaitForExit(rng.Next(100, 1500)); // kill at a random moment, or stop waiting once it has finished
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            using var check = QueryLakeSession.Open(_lake);
            long a2 = (long)Scalar(check, "SELECT count(*) FROM a")!, b2 = (long)Scalar(check, "SELECT count(*) FROM b")!;
            if (a2 == a) { Assert.Equal(b, b2); Assert.Equal(versionsA, Versions(check, "a")); none++; }
            else
            {
                Assert.Equal(a + 400000, a2);
                Assert.Equal(b + 300000, b2);
                // The update of the same transaction is there too: no old row kept its label.
                Assert.Equal(0L, Scalar(check, "SELECT count(*) FROM b WHERE label = 'v'"));
                all++;
            }
            check.Query("SHOW VERSIONS OF b").Rows().ToList();
            check.Query("SHOW DATASETS").Rows().ToList();
        }
        Assert.True(none > 0, "no run was killed before its commit point; the test proved nothing");
    }
}
