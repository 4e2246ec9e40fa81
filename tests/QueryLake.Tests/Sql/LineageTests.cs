using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Sql;

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
        Assert.Equal([("scenes", 2L), ("labels", 2L)], lineage.Select(r => ((string)r[3]!, (long)r[5]!)));
        Assert.All(lineage, r => Assert.True((bool)r[10]!, "a pinned view re-materializes to the same content hash"));
        Assert.Equal(lineage[0][8], lineage[0][9]);
        Assert.Equal([(1L, "car"), (3L, "truck")], s.Query("SELECT id, label FROM labelled ORDER BY id").Rows().Select(r => ((long)r[0]!, (string)r[1]!)));
        var follow = s.Query("SHOW LINEAGE following").Rows().Single();
        Assert.False((bool)follow[10]!); // it follows the data, so its rows (and hash) moved on
        Assert.Equal([1L, 2L, 4L], s.Query("SELECT id FROM following ORDER BY id").Rows().Select(r => (long)r[0]!));

        s.Execute("CREATE SPLIT sp FROM (SELECT * FROM scenes) INTO train 50 PERCENT, test 50 PERCENT SEED 77");
        var split = s.Query("SHOW LINEAGE sp").Rows().Single();
        Assert.Equal(("split", "scenes", 4L, 77L), ((string)split[0]!, (string)split[3]!, (long)split[5]!, (long)split[6]!));
    }
}
