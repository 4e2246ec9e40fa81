using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

public sealed class DatasetTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Lake _lake;

    public DatasetTests() => _lake = Lake.Open(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private Dataset NewScenes(DatasetWriteOptions? options = null) => _lake.CreateDataset("scenes", LakeTestData.Scenes, options);

    [Fact]
    public void Append_and_scan_round_trip_with_projection()
    {
        var ds = NewScenes();
        ds.Append(LakeTestData.Batch(0, 100));
        var v = ds.Append(LakeTestData.Batch(100, 50));
        Assert.Equal(3, v.Version);
        Assert.Equal(150, v.RowCount);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (long)i), LakeTestData.Ids(v.Scan()));
        var projected = v.Scan(["brightness"]).ToList();
        Assert.All(projected, b => Assert.Equal(["brightness"], b.Schema.Fields.Select(f => f.Name)));
        Assert.Equal(new EmbeddingType(3), v.Schema["embedding"].DataType);
        Assert.Equal(new object?[] { 5f, -5f, 1f }, (object?[])LakeTestData.Values(v.Scan(["embedding"]), "embedding")[5]!);
        Assert.Equal(new[] { "scenes" }, _lake.ListDatasets());
    }

    [Fact]
    public void Streams_of_batches_are_split_into_files_and_batches()
    {
        var ds = NewScenes(new DatasetWriteOptions { MaxRowsPerFile = 1000, MaxRowsPerBatch = 300 });
        var v = ds.Append(Enumerable.Range(0, 10).Select(i => LakeTestData.Batch(i * 450, 450)));
        Assert.Equal(4500, v.RowCount);
        Assert.True(v.Fragments.Count >= 5, $"expected several fragments, got {v.Fragments.Count}");
        Assert.All(v.Fragments, f => Assert.True(f.PhysicalRows <= 1000));
        Assert.Equal(Enumerable.Range(0, 4500).Select(i => (long)i), LakeTestData.Ids(v.Scan()));
    }

    [Fact]
    public void Append_rejects_mismatched_schemas_clearly()
    {
        var ds = NewScenes();
        var wrong = new Schema([new Field("id", DataType.Utf8, nullable: false)]);
        var batch = new RecordBatch(wrong, [QueryLake.Columnar.Builders.ArrayBuilder.Build(DataType.Utf8, ["x"])], 1);
        var e = Assert.Throws<LakeException>(() => ds.Append(batch));
        Assert.Contains("column 'id' is BIGINT in the dataset", e.Message);
        var extra = new RecordBatch(new Schema([new Field("nope", DataType.Int32)]), [QueryLake.Columnar.Builders.ArrayBuilder.Build(DataType.Int32, [1])], 1);
        Assert.Contains("'nope' is not in the dataset", Assert.Throws<LakeException>(() => ds.Append(extra)).Message);
        Assert.Equal(1, ds.LatestVersion);
    }

    [Fact]
    public void Delete_by_id_and_predicate_uses_deletion_vectors_and_old_versions_keep_their_rows()
    {
        var ds = NewScenes();
        var v2 = ds.Append(LakeTestData.Batch(0, 100));
        var ids = LakeTestData.Ids(v2.Scan(withRowId: true), RowId.ColumnName);
        var v3 = ds.Delete([ids[3], ids[10]]);
        var v4 = ds.DeleteWhere((b, i) => ((PrimitiveArray<long>)b.Column("id"))[i] >= 90, ["id"]);
        Assert.Equal(100, ds.Checkout(2).RowCount);
        Assert.Equal(98, v3.RowCount);
        Assert.Equal(88, v4.RowCount);
        var left = LakeTestData.Ids(v4.Scan());
        Assert.DoesNotContain(3L, left);
        Assert.DoesNotContain(95L, left);
        Assert.Equal(100, LakeTestData.Ids(ds.Checkout(2).Scan()).Count);
        Assert.Throws<LakeException>(() => v4.Take([ids[3]]));
        Assert.Equal(new long[] { 4, 2 }, LakeTestData.Ids([v4.Take([ids[4], ids[2]])]));
    }

    [Fact]
    public void Take_returns_rows_in_request_order_across_fragments()
    {
        var ds = NewScenes(new DatasetWriteOptions { MaxRowsPerFile = 64, MaxRowsPerBatch = 16 });
        var v = ds.Append(LakeTestData.Batch(0, 500));
        var rowIds = LakeTestData.Ids(v.Scan(withRowId: true), RowId.ColumnName);
        var rng = new Random(5);
        var picks = Enumerable.Range(0, 200).Select(_ => rng.Next(500)).ToList();
        var taken = v.Take(picks.Select(p => rowIds[p]).ToList(), ["id", "image"]);
        Assert.Equal(picks.Select(p => (long)p), LakeTestData.Ids([taken]));
        Assert.Equal(BitConverter.GetBytes((long)picks[7]), (byte[])taken.Column("image").GetValue(7)!);
        var e = Assert.Throws<LakeException>(() => v.Take([RowId.Make(999, 0)]));
        Assert.Contains("not in version", e.Message);
    }

    [Fact]
    public void Update_rewrites_values_keeps_row_ids_and_time_travel_sees_the_old_values()
    {
        var ds = NewScenes();
        var v2 = ds.Append(LakeTestData.Batch(0, 50));
        var before = LakeTestData.Ids(v2.Scan(withRowId: true), RowId.ColumnName);
        var v3 = ds.Update((b, i) => b.Column("lighting").GetValue(i) as string == "night",
            new Dictionary<string, Func<RecordBatch, int, object?>> { ["lighting"] = (_, _) => "NIGHT", ["brightness"] = (b, i) => -1.0 });
        Assert.Equal(before, LakeTestData.Ids(v3.Scan(withRowId: true), RowId.ColumnName));
        var lighting = LakeTestData.Values(v3.Scan(["lighting"]), "lighting");
        Assert.DoesNotContain("night", lighting);
        Assert.Contains("NIGHT", lighting);
        Assert.Contains("night", LakeTestData.Values(ds.Checkout(2).Scan(["lighting"]), "lighting"));
        var diff = ds.Diff(2, 3);
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Deleted);
        Assert.Equal(50, diff.Updated.Count);
    }

    [Fact]
    public void Add_column_computed_or_null_and_schema_evolves_per_version()
    {
        var ds = NewScenes();
        ds.Append(LakeTestData.Batch(0, 20));
        var v3 = ds.AddColumn(new Field("dark", DataType.Boolean), (b, i) => ((PrimitiveArray<double>)b.Column("brightness"))[i] < 5);
        var v4 = ds.AddColumn(new Field("note", DataType.Utf8));
        ds.Append(LakeTestData.Batch(20, 5));
        var latest = ds.Latest();
        Assert.Equal(["id", "lighting", "brightness", "image", "embedding", "dark", "note"], latest.Schema.Fields.Select(f => f.Name));
        var dark = LakeTestData.Values(latest.Scan(["dark"]), "dark");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (object?)(i * 0.5 < 5)).Concat(Enumerable.Repeat<object?>(null, 5)), dark);
        Assert.All(LakeTestData.Values(v4.Scan(["note"]), "note"), Assert.Null);
        Assert.Equal(5, ds.Checkout(2).Schema.Fields.Count);
        Assert.Throws<LakeException>(() => ds.AddColumn(new Field("dark", DataType.Int32)));
        var e = Assert.Throws<LakeException>(() => ds.Latest().Scan(["drak"]).ToList());
        Assert.Contains("did you mean 'dark'", e.Message);
    }

    [Fact]
    public void Compaction_merges_small_fragments_and_drops_deleted_rows()
    {
        var ds = NewScenes();
        for (int i = 0; i < 8; i++) ds.Append(LakeTestData.Batch(i * 10, 10));
        var ids = LakeTestData.Ids(ds.Latest().Scan(withRowId: true), RowId.ColumnName);
        ds.Delete(ids.Where((_, i) => i % 4 == 0));
        var before = ds.Latest();
        var after = ds.Compact();
        Assert.Single(after.Fragments);
        Assert.Equal(before.RowCount, after.RowCount);
        Assert.Equal(LakeTestData.Ids(before.Scan()), LakeTestData.Ids(after.Scan()));
        Assert.Equal(after.Version, ds.Compact().Version); // nothing left to compact
    }

    [Fact]
    public void Time_travel_by_version_and_timestamp()
    {
        var ds = NewScenes();
        ds.Append(LakeTestData.Batch(0, 10));
        var t2 = ds.Latest().Timestamp;
        Thread.Sleep(20);
        ds.Append(LakeTestData.Batch(10, 10));
        Assert.Equal(10, ds.AsOf(t2).RowCount);
        Assert.Equal(20, ds.AsOf(DateTimeOffset.UtcNow).RowCount);
        Assert.Throws<LakeException>(() => ds.AsOf(t2.AddYears(-1)));
        Assert.Equal(["create", "append", "append"], ds.Versions().Select(v => v.Operation));
        var e = Assert.Throws<LakeException>(() => ds.Checkout(42));
        Assert.Equal("QL-VERSION-NOT-FOUND", e.Code);
    }

    [Fact]
    public void Tags_name_versions_and_never_move()
    {
        var ds = NewScenes();
        ds.Append(LakeTestData.Batch(0, 10));
        ds.CreateTag("v1-train");
        ds.Append(LakeTestData.Batch(10, 10));
        Assert.Equal(10, ds.CheckoutTag("v1-train").RowCount);
        Assert.Throws<LakeException>(() => ds.CreateTag("v1-train"));
        Assert.Equal(2, ds.Tags()["v1-train"].Version);
        ds.DeleteTag("v1-train");
        Assert.Empty(ds.Tags());
    }

    [Fact]
    public void Branches_isolate_writes_and_merge_when_the_base_is_unchanged()
    {
        var main = NewScenes();
        main.Append(LakeTestData.Batch(0, 10));
        var relabel = main.CreateBranch("relabel");
        relabel.Update((b, i) => true, new Dictionary<string, Func<RecordBatch, int, object?>> { ["lighting"] = (_, _) => "checked" });
        relabel.Append(LakeTestData.Batch(10, 5));
        Assert.Equal(10, main.Latest().RowCount);
        Assert.Equal(15, relabel.Latest().RowCount);
        Assert.Equal(["main", "relabel"], main.Branches());
        var merged = relabel.MergeInto("main");
        Assert.Equal(15, main.Latest().RowCount);
        Assert.Equal("merge", merged.Operation);
        Assert.All(LakeTestData.Values(main.Latest().Scan(["lighting"]), "lighting").Take(10), v => Assert.Equal("checked", v));

        // A second round works too, but not after main moved on its own.
        relabel.Append(LakeTestData.Batch(15, 1));
        main.Append(LakeTestData.Batch(100, 1));
        var e = Assert.Throws<CommitConflictException>(() => relabel.MergeInto("main"));
        Assert.Contains("'main' has moved", e.Message);
        Assert.Equal("QL-COMMIT-CONFLICT", e.Code);
        Assert.Equal(16, main.Latest().RowCount);
    }

    [Fact]
    public void Diff_lists_added_and_deleted_rows()
    {
        var ds = NewScenes();
        ds.Append(LakeTestData.Batch(0, 10));
        var ids = LakeTestData.Ids(ds.Latest().Scan(withRowId: true), RowId.ColumnName);
        ds.Delete([ids[1], ids[2]]);
        ds.Append(LakeTestData.Batch(10, 3));
        var diff = ds.Diff(2, 4);
        Assert.Equal(new[] { ids[1], ids[2] }, diff.Deleted);
        Assert.Equal(3, diff.Added.Count);
        Assert.Equal(new long[] { 10, 11, 12 }, LakeTestData.Ids([ds.Latest().Take(diff.Added)]));
    }

    [Fact]
    public void Fragment_statistics_bound_the_values()
    {
        var ds = NewScenes();
        var v = ds.Append(LakeTestData.Batch(0, 100));
        var stats = v.Fragments.Single().Statistics;
        Assert.Equal(0L, stats["id"].Min);
        Assert.Equal(99L, stats["id"].Max);
        Assert.Equal(0.0, stats["brightness"].Min);
        Assert.Equal(49.5, stats["brightness"].Max);
        Assert.Equal("day", stats["lighting"].Min);
        Assert.Equal("night", stats["lighting"].Max);
        Assert.Equal(14, stats["lighting"].NullCount);
        Assert.False(stats.ContainsKey("image"));
        var pruned = v.Scan(["id"], fragmentFilter: f => (long)f.Statistics["id"].Max! >= 1000).ToList();
        Assert.Empty(pruned);
    }

    [Fact]
    public void Data_files_are_valid_arrow_files_for_apache_arrow()
    {
        var ds = NewScenes();
        var v = ds.Append(LakeTestData.Batch(0, 30));
        var file = Path.Combine(ds.Path, v.Fragments[0].Files[0]);
        var dump = Oracles.ArrowDump(file);
        Assert.Equal(30, dump.GetProperty("numRows").GetInt32());
        Assert.Equal("querylake.embedding", dump.GetProperty("fields")[4].GetProperty("metadata").GetProperty("ARROW:extension:name").GetString());
    }

    [Fact]
    public void Unknown_dataset_gets_a_suggestion_and_drop_removes_it()
    {
        NewScenes();
        var e = Assert.Throws<LakeException>(() => _lake.OpenDataset("scene"));
        Assert.Contains("did you mean 'scenes'", e.Message);
        _lake.DropDataset("scenes");
        Assert.Empty(_lake.ListDatasets());
        Assert.Throws<LakeException>(() => _lake.CreateDataset("bad name", LakeTestData.Scenes));
    }
}
