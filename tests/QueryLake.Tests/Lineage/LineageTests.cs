using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Lineage;

/// <summary>Lineage: views and splits record their query, the dataset versions they read and their seed; a pinned
/// view re-materializes to the identical rows, proven by the content hash, however the data changes.</summary>
public sealed class LineageTests
{
    [Fact]
    public void Pinned_views_rematerialize_identically_and_lineage_names_the_versions()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET scenes AS SELECT * FROM (VALUES (1, 'night', 0.1), (2, 'day', 0.9), (3, 'night', 0.2)) v(id, lighting, brightness)");
        s.Execute("CREATE DATASET labels AS SELECT * FROM (VALUES (1, 'car'), (3, 'truck')) v(id, label)");
        s.Execute("CREATE VIEW labelled AS SELECT s.id, l.label, s.brightness FROM scenes s JOIN labels l ON s.id = l.id");
        s.Execute("CREATE VIEW following FOLLOW LATEST AS SELECT id FROM scenes");
        s.Execute("INSERT INTO scenes VALUES (4, 'night', 0.3); UPDATE labels SET label = 'bus' WHERE id = 1; DELETE FROM scenes WHERE id = 3");
        var lineage = s.Query("SHOW LINEAGE labelled").Rows().ToList();
        // CREATE … AS commits its rows as version 1.
        Assert.Equal([("scenes", 1L), ("labels", 1L)], lineage.Select(r => ((string)r[3]!, (long)r[5]!)));
        Assert.All(lineage, r => Assert.True((bool)r[10]!, "a pinned view re-materializes to the same content hash"));
        Assert.Equal(lineage[0][8], lineage[0][9]);
        Assert.Equal([(1L, "car"), (3L, "truck")], s.Query("SELECT id, label FROM labelled ORDER BY id").Rows().Select(r => ((long)r[0]!, (string)r[1]!)));
        var follow = s.Query("SHOW LINEAGE following").Rows().Single();
        Assert.False((bool)follow[10]!); // it follows the data, so its rows (and hash) moved on
        Assert.Equal([1L, 2L, 4L], s.Query("SELECT id FROM following ORDER BY id").Rows().Select(r => (long)r[0]!));

        s.Execute("CREATE SPLIT sp FROM (SELECT * FROM scenes) INTO train 50 PERCENT, test 50 PERCENT SEED 77");
        var split = s.Query("SHOW LINEAGE sp").Rows().Single();
        Assert.Equal(("split", "scenes", 3L, 77L), ((string)split[0]!, (string)split[3]!, (long)split[5]!, (long)split[6]!));
    }

    [Fact]
    public void Derived_columns_record_their_expression_and_recompute_to_their_stored_values()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET scenes AS SELECT * FROM (VALUES (1, 0.1), (2, 0.9), (3, 0.5)) v(id, brightness)");
        long before = s.Query("SHOW VERSIONS OF scenes").Rows().Max(r => (long)r[0]!);
        s.Execute("ALTER DATASET scenes ADD COLUMN lighting AS CASE WHEN brightness < 0.3 THEN 'night' ELSE 'day' END");
        s.Execute("INSERT INTO scenes (id, brightness) VALUES (4, 0.2)");
        var row = s.Query("SHOW LINEAGE scenes.lighting").Rows().Single();
        Assert.Equal(("derived column", "scenes.lighting", "scenes", before), ((string)row[0]!, (string)row[1]!, (string)row[3]!, (long)row[5]!));
        Assert.Contains("brightness < 0.3", (string)row[2]!);
        Assert.True((bool)row[10]!, "stored values equal the recomputed expression");
        Assert.Single(s.Query("SHOW LINEAGE scenes").Rows());

        // UPDATE of an input recomputes the derived column, so it stays equal to its expression.
        s.Execute("UPDATE scenes SET brightness = 0.95 WHERE id = 1");
        Assert.Equal("day", s.Query("SELECT lighting FROM scenes WHERE id = 1").Rows().Single()[0]);
        Assert.True((bool)s.Query("SHOW LINEAGE OF scenes.lighting").Rows().Single()[10]!);

        // A stored value that no longer matches its expression (written behind the engine's back) is caught.
        s.Lake.OpenDataset("scenes").Update((b, i) => i == 0, new Dictionary<string, Func<QueryLake.Columnar.RecordBatch, int, object?>> { ["lighting"] = (_, _) => "dusk" });
        var stale = s.Query("SHOW LINEAGE OF scenes.lighting").Rows().Single();
        Assert.False((bool)stale[10]!);
        Assert.NotEqual(stale[8], stale[9]);
        var error = Assert.ThrowsAny<QueryLakeException>(() => s.Query("SHOW LINEAGE scenes.id"));
        Assert.Contains("not derived", error.Message);
    }

    [Fact]
    public void Exports_record_query_versions_seed_and_the_hash_of_the_rows_written()
    {
        var dir = Directory.CreateTempSubdirectory("ql-lineage-").FullName;
        try
        {
            using var s = QueryLakeSession.Open();
            s.Execute("CREATE DATASET scenes AS SELECT range AS id, range % 3 AS cls FROM range(1000)");
            var file = Path.Combine(dir, "all.parquet");
            s.Execute($"COPY (SELECT id, cls FROM scenes WHERE cls <> 1) TO '{file}' (FORMAT parquet)");
            s.Execute($"COPY (SELECT id FROM scenes) TO '{Path.Combine(dir, "shards")}' (FORMAT arrow, SHARDS 3, SHUFFLE SEED 11)");
            s.Execute("INSERT INTO scenes SELECT range + 1000, 1 FROM range(10); DELETE FROM scenes WHERE id < 100");

            var row = s.Query($"SHOW LINEAGE OF '{file}'").Rows().Single();
            Assert.Equal(("scenes", 1L), ((string)row[3]!, (long)row[5]!)); // CREATE … AS commits its rows as version 1
            Assert.True((bool)row[10]!, "re-running the export's query on the versions it read gives the same rows");
            // The recorded hash is the hash of the rows in the file: read them back and hash them.
            var back = s.Query($"SELECT * FROM '{file}'");
            Assert.Equal((string)row[8]!, QueryLake.Lineage.ContentHash.Of(back.Schema, back.Batches));

            var shards = s.Query($"SHOW LINEAGE '{Path.Combine(dir, "shards")}'").Rows().Single();
            Assert.Equal((11L, true), ((long)shards[6]!, (bool)shards[10]!));
            var exports = s.Query("SHOW EXPORTS").Rows().ToList();
            Assert.Equal([(667L, (long?)null), (1000L, 3L)], exports.Select(r => ((long)r[4]!, (long?)r[2])));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
