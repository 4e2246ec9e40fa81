using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>Embedding similarity against DuckDB's list_cosine_similarity, list_inner_product and list_distance on the
/// same vectors (handed over as Parquet), and the nearest neighbours they rank first.</summary>
public sealed class VectorFunctionTests
{
    [Fact]
    public void Similarities_and_nearest_neighbours_match_DuckDB()
    {
        using var dir = new TempDir();
        var rng = new Random(12);
        const int Rows = 400, Dim = 24;
        var schema = new Schema([new Field("id", DataType.Int64, false), new Field("emb", new EmbeddingType(Dim))]);
        var ids = new PrimitiveBuilder<long>(DataType.Int64);
        var embs = ArrayBuilder.Create(new EmbeddingType(Dim));
        for (int i = 0; i < Rows; i++)
        {
            ids.Append(i);
            embs.Append(Enumerable.Range(0, Dim).Select(_ => (object?)(float)(rng.NextDouble() * 2 - 1)).ToArray());
        }
        var batch = new RecordBatch(schema, [ids.Build(), embs.Build()], Rows);
        using var session = QueryLakeSession.Open();
        session.Lake.CreateDataset("scenes", schema).Append(batch);
        var probe = Enumerable.Range(0, Dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var p = new Dictionary<string, object?> { ["probe"] = probe };
        var ours = session.Query("SELECT id, cosine_similarity(emb, @probe), inner_product(emb, @probe), l2_distance(emb, @probe), cosine_distance(emb, @probe), inner_product_distance(emb, @probe) FROM scenes ORDER BY id", p)
            .Rows().ToList();

        var file = dir.File("v.parquet");
        using (var w = new ParquetFileWriter(file, schema)) { w.Write(batch); w.Finish(); }
        string literal = "[" + string.Join(", ", probe.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]::FLOAT[]";
        var duck = DuckDbOracle.Rows($"SELECT id, list_cosine_similarity(emb, {literal}), list_inner_product(emb, {literal}), list_distance(emb, {literal}) FROM '{file}' ORDER BY id");
        Assert.Equal(Rows, duck.Count);
        for (int i = 0; i < Rows; i++)
        {
            var d = duck[i];
            for (int k = 1; k <= 3; k++)
            {
                double theirs = Convert.ToDouble(d[k], System.Globalization.CultureInfo.InvariantCulture);
                double mine = (double)ours[i][k]!;
                Assert.True(Math.Abs(mine - theirs) <= 1e-4 * Math.Max(1, Math.Abs(theirs)), $"row {i} column {k}: QueryLake {mine}, DuckDB {theirs}");
            }
            Assert.True(Math.Abs(1 - (double)ours[i][1]! - (double)ours[i][4]!) < 1e-6);
            Assert.True(Math.Abs(-(double)ours[i][2]! - (double)ours[i][5]!) < 1e-6);
        }
        // The ten nearest by cosine, the same in both.
        var top = session.Query("SELECT id FROM scenes ORDER BY cosine_similarity(emb, @probe) DESC LIMIT 10", p).Rows().Select(r => (long)r[0]!).ToList();
        var duckTop = DuckDbOracle.Rows($"SELECT id FROM '{file}' ORDER BY list_cosine_similarity(emb, {literal}) DESC LIMIT 10")
            .Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(duckTop, top);
        // The embedding of another sample as the probe (a scalar subquery).
        var self = session.Query("SELECT id FROM scenes ORDER BY cosine_similarity(emb, (SELECT emb FROM scenes WHERE id = 42)) DESC LIMIT 1").Rows().Single()[0];
        Assert.Equal(42L, self);
        var e = Assert.ThrowsAny<QueryLake.Errors.QueryLakeException>(() => session.Query("SELECT l2_distance(emb, @p) FROM scenes", new Dictionary<string, object?> { ["p"] = new float[] { 1, 2 } }));
        Assert.Contains("one dimension", e.Message);
    }

    [Fact]
    public void Two_probe_parameters_are_two_expressions_for_ORDER_BY()
    {
        // The binder matches ORDER BY expressions to select-list ones by their text; vector parameters used to print
        // alike whatever their values, so ORDER BY took the select list's similarity to the other probe.
        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET v AS SELECT range AS id, CAST(list_transform([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], x -> CASE range WHEN 0 THEN x WHEN 1 THEN 21 - x ELSE 1 END) AS FLOAT[20]) AS w FROM range(3)");
        var ones = Enumerable.Repeat(1f, 20).ToArray();
        var front = Enumerable.Range(0, 20).Select(i => i < 8 ? 1f : 0f).ToArray(); // same first 8 values as ones
        var ids = session.Query("SELECT id, cosine_similarity(w, @a) AS a FROM v ORDER BY cosine_similarity(w, @b) DESC, id",
            new Dictionary<string, object?> { ["a"] = ones, ["b"] = front }).Rows().Select(r => (long)r[0]!).ToList();
        // By the second probe: the row whose values fall (most weight in front) first, the flat row, the rising row.
        Assert.Equal([1L, 2L, 0L], ids);
    }
}
