using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>Commit races on a lake in a folder; <see cref="S3CommitConcurrencyTests"/> runs the same tests on object
/// storage.</summary>
public class CommitConcurrencyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Lake _lake;

    public CommitConcurrencyTests() => _lake = Lake.Open(_dir.Path);

    /// <summary>The same tests on <paramref name="lake"/>.</summary>
    protected CommitConcurrencyTests(Lake lake) => _lake = lake;

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_writer_that_loses_the_race_to_a_non_conflicting_change_retries_and_succeeds()
    {
        var a = _lake.CreateDataset("d", LakeTestData.Scenes);
        var b = _lake.OpenDataset("d");
        a.Append(LakeTestData.Batch(0, 10));
        int raced = 0;
        a.BeforePublish = _ => { if (raced++ == 0) b.Append(LakeTestData.Batch(100, 5)); };
        var v = a.Append(LakeTestData.Batch(10, 10));
        Assert.Equal(2, raced); // lost once, then won
        Assert.Equal(4, v.Version);
        Assert.Equal(25, v.RowCount);
        Assert.Equal(["create", "append", "append", "append"], a.Versions().Select(x => x.Operation));
    }

    [Fact]
    public void A_writer_that_loses_the_race_to_a_conflicting_change_gets_a_clear_error_and_commits_nothing()
    {
        var a = _lake.CreateDataset("d", LakeTestData.Scenes);
        var b = _lake.OpenDataset("d");
        var v = a.Append(LakeTestData.Batch(0, 10));
        var ids = LakeTestData.Ids(v.Scan(withRowId: true), RowId.ColumnName);
        a.BeforePublish = _ => { a.BeforePublish = null; b.Delete([ids[0]]); };
        var e = Assert.Throws<CommitConflictException>(() => a.Delete([ids[1]]));
        Assert.Contains("changed the same fragment(s) 0", e.Message);
        Assert.Contains("version 3 (delete)", e.Message);
        Assert.Equal(3, a.LatestVersion);
        Assert.Equal(9, a.Latest().RowCount);
    }

    [Fact]
    public void A_schema_change_conflicts_with_a_concurrent_append()
    {
        var a = _lake.CreateDataset("d", LakeTestData.Scenes);
        var b = _lake.OpenDataset("d");
        a.Append(LakeTestData.Batch(0, 10));
        a.BeforePublish = _ => { a.BeforePublish = null; b.Append(LakeTestData.Batch(10, 1)); };
        Assert.Throws<CommitConflictException>(() => a.AddColumn(new Field("x", QueryLake.Columnar.Types.DataType.Int32), (_, _) => 1));
        Assert.Equal(5, a.Latest().Schema.Fields.Count);
    }

    [Fact]
    public void Parallel_appenders_never_lose_a_commit()
    {
        _lake.CreateDataset("d", LakeTestData.Scenes);
        const int Writers = 4, Appends = 8;
        using var start = new Barrier(Writers);
        var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            var ds = _lake.OpenDataset("d");
            start.SignalAndWait();
            for (int i = 0; i < Appends; i++) ds.Append(LakeTestData.Batch((w * Appends + i) * 10, 10));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var latest = _lake.OpenDataset("d").Latest();
        Assert.Equal(1 + Writers * Appends, latest.Version);
        Assert.Equal(Enumerable.Range(0, Writers * Appends * 10).Select(i => (long)i), LakeTestData.Ids(latest.Scan()).Order());
    }
}
