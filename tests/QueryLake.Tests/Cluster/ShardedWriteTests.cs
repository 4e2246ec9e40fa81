using QueryLake.Errors;
using QueryLake.Execution.Distributed;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cluster;

/// <summary>
/// ADD COLUMN … AS written by independent processes through a work folder (<see cref="ShardedColumnWrite"/>, the
/// <c>querylake shard</c> commands a Slurm job array runs): shards in any order, reruns, one commit, a second commit
/// refused, an incomplete set refused with nothing committed; and the CLI as separate processes.
/// </summary>
public sealed class ShardedWriteTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _lake;

    public ShardedWriteTests()
    {
        _lake = _dir.File("lake");
        using var s = QueryLakeSession.Open(_lake);
        s.Execute("CREATE DATASET t (id BIGINT, x DOUBLE)");
        for (int f = 0; f < 7; f++) s.Execute($"INSERT INTO t SELECT range + {f * 100}, CASE WHEN range % 9 = 0 THEN NULL ELSE range * 0.5 END FROM range(100)");
        s.Execute("DELETE FROM t WHERE id % 50 = 3");
    }

    public void Dispose() => _dir.Dispose();

    private const string Alter = "ALTER DATASET t ADD COLUMN y AS x * 2 + id";

    private static long Versions(QueryLakeSession s) => s.Lake.OpenDataset("t").LatestVersion;

    [Fact]
    public void Shards_in_any_order_and_reruns_commit_once_with_every_fragment()
    {
        using var s = QueryLakeSession.Open(_lake);
        string work = _dir.File("work");
        var (dataset, version, fragments) = ShardedColumnWrite.Plan(s, Alter, work);
        Assert.Equal(("t", Versions(s), 7), (dataset, version, fragments));
        foreach (int k in new[] { 2, 0, 1, 0 }) // shard 0 runs twice, as a requeued array task would
            ShardedColumnWrite.Run(s, work, k, 3);
        Assert.Equal(version, Versions(s)); // nothing committed yet
        ShardedColumnWrite.Commit(s, work).Dispose();
        Assert.Equal(version + 1, Versions(s));
        Assert.Equal(0L, s.Query("SELECT count(*) FROM t WHERE y IS DISTINCT FROM x * 2 + id").Rows().Single()[0]);
        Assert.Equal(686L, s.Query("SELECT count(*) FROM t").Rows().Single()[0]);
        // A second commit of the same work lands nothing.
        var again = Assert.ThrowsAny<QueryLakeException>(() => ShardedColumnWrite.Commit(s, work).Dispose());
        Assert.Contains(again.Code, new[] { "QL-COMMIT-CONFLICT", "QL-COLUMN-EXISTS" });
        Assert.Equal(version + 1, Versions(s));
        // A later append computes the derived column too.
        s.Execute("INSERT INTO t (id, x) VALUES (5000, 1.5)");
        Assert.Equal(5003.0, s.Query("SELECT y FROM t WHERE id = 5000").Rows().Single()[0]);
    }

    [Fact]
    public void An_incomplete_set_of_shards_commits_nothing_and_names_what_is_missing()
    {
        using var s = QueryLakeSession.Open(_lake);
        string work = _dir.File("work");
        long before = Versions(s);
        ShardedColumnWrite.Plan(s, Alter, work);
        var none = Assert.Throws<QueryLakeException>(() => ShardedColumnWrite.Commit(s, work));
        Assert.Equal("QL-SHARDS-INCOMPLETE", none.Code);
        ShardedColumnWrite.Run(s, work, 0, 3);
        ShardedColumnWrite.Run(s, work, 2, 3);
        var e = Assert.Throws<QueryLakeException>(() => ShardedColumnWrite.Commit(s, work));
        Assert.Equal("QL-SHARDS-INCOMPLETE", e.Code);
        Assert.Contains("shards not run: 1 of 3", e.Message);
        Assert.Equal(before, Versions(s));
        Assert.Equal("QL-SHARDS-EXIST", Assert.Throws<QueryLakeException>(() => ShardedColumnWrite.Plan(s, Alter, work)).Code);
        Assert.Equal("QL-BAD-ARGUMENT", Assert.Throws<QueryLakeException>(() => ShardedColumnWrite.Run(s, work, 3, 3)).Code);
    }

    [Fact]
    public async Task The_cli_runs_a_job_array_s_shards_as_processes_and_commits_once()
    {
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        string work = _dir.File("cli-work");
        var plan = Programs.Run(cli, null, "shard", "plan", _lake, work, "-c", Alter);
        Assert.True(plan.Exit == 0, plan.Stderr);
        Assert.Contains("7 fragments", plan.Stdout);
        // The array's tasks, at once.
        var runs = Enumerable.Range(0, 3).Select(k => Task.Run(() => Programs.Run(cli, null, "shard", "run", _lake, work, "--shard", $"{k}", "--of", "3"))).ToArray();
        foreach (var r in await Task.WhenAll(runs)) Assert.True(r.Exit == 0, r.Stderr);
        var commit = Programs.Run(cli, null, "shard", "commit", _lake, work);
        Assert.True(commit.Exit == 0, commit.Stderr);
        using var s = QueryLakeSession.Open(_lake);
        Assert.Equal(0L, s.Query("SELECT count(*) FROM t WHERE y IS DISTINCT FROM x * 2 + id").Rows().Single()[0]);
        var twice = Programs.Run(cli, null, "shard", "commit", _lake, work);
        Assert.NotEqual(0, twice.Exit);
        Assert.StartsWith("Error: QL-", twice.Stderr.Trim());
        var bad = Programs.Run(cli, null, "shard", "run", _lake, work);
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("shard run needs --shard K --of N", bad.Stderr);
    }
}
