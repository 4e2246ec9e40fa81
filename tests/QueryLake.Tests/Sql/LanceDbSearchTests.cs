using System.Text.Json;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sql;

/// <summary>Top-k similarity search against LanceDB's flat (exact) search on real data: 1,000 MNIST digits as 784-d
/// vectors, imported by QueryLake from JSON arrays. For cosine, L2 and dot metrics, with and without a filter, the
/// same neighbours come back in the same order with the same distances.</summary>
public sealed class LanceDbSearchTests
{
    [Fact]
    public void Top_k_equals_LanceDB_flat_search_for_every_metric_with_and_without_a_filter()
    {
        Assert.True(Directory.Exists(Path.Combine(Oracles.OraclesDir, "vector", "node_modules")),
            "tests/oracles/vector/node_modules is missing: run `bash tests/run.sh`, which installs it");
        using var dir = new TempDir();
        var lance = JsonDocument.Parse(Oracles.RunNode(Path.Combine("vector", "lancedb-search.mjs"), dir.Path, "100", "10")).RootElement;
        using var s = QueryLakeSession.Open();
        // Embeddings from arrays in JSON: read_json gives DOUBLE[], cast to EMBEDDING(784).
        s.Execute($"CREATE DATASET digits AS SELECT id, label, CAST(vector AS EMBEDDING(784)) AS embedding FROM read_json('{dir.File("digits.jsonl")}')");
        Assert.Equal(lance.GetProperty("rows").GetInt64(), s.Query("SELECT count(*) FROM digits").Rows().Single()[0]);
        int cases = 0;
        foreach (var c in lance.GetProperty("results").EnumerateArray())
        {
            string metric = c.GetProperty("metric").GetString()!;
            string? filter = c.GetProperty("filter").ValueKind == JsonValueKind.Null ? null : c.GetProperty("filter").GetString();
            long probe = c.GetProperty("probe").GetInt64();
            // LanceDB's distances: cosine is 1 − cos, l2 is the squared Euclidean distance, dot is 1 − a·b.
            string distance = metric switch
            {
                "cosine" => "cosine_distance(embedding, p.e)",
                "l2" => "l2_distance(embedding, p.e) * l2_distance(embedding, p.e)",
                _ => "1 - inner_product(embedding, p.e)",
            };
            var ours = s.Query($"""
                SELECT id, {distance} AS d FROM digits, (SELECT embedding AS e FROM digits WHERE id = {probe}) p
                {(filter is null ? "" : "WHERE " + filter)} ORDER BY d, id LIMIT 10
                """).Rows().ToList();
            var ids = c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()).ToList();
            var distances = c.GetProperty("distances").EnumerateArray().Select(x => x.GetDouble()).ToList();
            Assert.Equal(ids.Count, ours.Count);
            for (int r = 0; r < ids.Count; r++)
            {
                double d = (double)ours[r][1]!;
                string where = $"{metric}, filter {filter ?? "none"}, probe {probe}, rank {r + 1}";
                Assert.True(Math.Abs(d - distances[r]) <= 1e-4 * Math.Max(1, Math.Abs(d)), $"{where}: distance {d} vs LanceDB's {distances[r]}");
                // Ids must agree except where two distances tie within float32 rounding.
                bool tied = r > 0 && Math.Abs(distances[r] - distances[r - 1]) < 1e-5 || r + 1 < ids.Count && Math.Abs(distances[r + 1] - distances[r]) < 1e-5;
                if (!tied) Assert.True(ids[r] == (long)ours[r][0]!, $"{where}: id {ours[r][0]} vs LanceDB's {ids[r]}");
            }
            cases++;
        }
        Assert.Equal(18, cases);
    }
}
