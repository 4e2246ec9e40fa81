using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>
/// ORDER BY … LIMIT k runs as a bounded heap with a numeric pre-check on the first key. For random key lists
/// (int64, float64 with NaN, text; ASC/DESC; NULLS FIRST/LAST; many ties) and random k and offsets, its rows equal the
/// first rows of the full sort (the top_k rule switched off), in order: ties keep input order in both. Keys include the
/// row id in both directions (every row improves the running top k, the worst case of the narrowing), select lists
/// with computed columns (the projection then runs only for the narrowed rows) and filters (the rows a filter keeps are
/// scored in place).
/// </summary>
public sealed class TopKProperties : IDisposable
{
    private readonly QueryLakeSession _topK = QueryLakeSession.Open();
    private readonly QueryLakeSession _sort;

    public TopKProperties()
    {
        var rng = new Random(9);
        string I() => rng.Next(9) == 0 ? "NULL" : rng.Next(-6, 6).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string D() => rng.Next(9) switch { 0 => "NULL", 1 => "CAST('NaN' AS DOUBLE)", _ => (rng.Next(-8, 8) / 2.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
        string S() => rng.Next(9) == 0 ? "NULL" : $"'{"abc"[rng.Next(3)]}'";
        var rows = Enumerable.Range(0, 5000).Select(i => $"({i}, {I()}, {D()}, {S()})");
        _topK.Execute($"CREATE DATASET t AS SELECT * FROM (VALUES {string.Join(", ", rows)}) v(id, i, d, s)");
        // Vectors for the fused similarity top-k: 40,000 rows (several 16K-row chunks), many duplicates (ties), NULL
        // vectors and zero vectors (a NaN cosine).
        _topK.Execute("CREATE DATASET vt AS SELECT range AS id, CASE WHEN range % 97 = 0 THEN NULL WHEN range % 89 = 0 THEN [0, 0, 0, 0]::FLOAT[4] " +
            "ELSE [(range * 7) % 13 - 6, (range * 3) % 5 - 2, range % 11 - 5, (range // 7) % 3]::FLOAT[4] END AS e FROM range(40000)");
        _sort = QueryLakeSession.Open(_topK.Lake.Path);
        _sort.DisabledRules.Add("top_k");
    }

    public void Dispose()
    {
        _sort.Dispose();
        _topK.Dispose();
    }

    private static readonly Gen<string> Key =
        from column in Gen.Elements("i", "d", "s", "i * 2 - d", "id", "-id", "x")
        from desc in Gen.Elements("", " DESC")
        from nulls in Gen.Elements("", " NULLS FIRST", " NULLS LAST")
        select column + desc + nulls;

    private static readonly Gen<string> Orders =
        from keys in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Key, n))
        from k in Gen.OneOf(Gen.Choose(0, 40), Gen.Elements(255, 1100))
        from offset in Gen.Elements(0, 0, 3, 17)
        from filter in Gen.Elements("", "", "WHERE id % 3 <> 0", "WHERE i > 0")
        select $"{filter} ORDER BY {string.Join(", ", keys)} LIMIT {k}" + (offset > 0 ? $" OFFSET {offset}" : "");

    [Fact]
    public void Top_k_equals_the_head_of_the_full_sort()
    {
        var property = Prop.ForAll(Orders.ToArbitrary(), order =>
        {
            var sql = $"SELECT id, i * 2 - d AS x, upper(s) AS u FROM t {order}";
            static string Row(object?[] r) => string.Join("|", r.Select(v => v?.ToString() ?? "NULL"));
            Assert.Equal(_sort.Query(sql).Rows().Select(Row), _topK.Query(sql).Rows().Select(Row));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(120), property);
    }

    private static readonly Gen<string> SimilarityOrders =
        from function in Gen.Elements("cosine_similarity", "cosine_distance", "l2_distance", "inner_product")
        from probe in Gen.ArrayOf(Gen.Choose(-4, 4), 4)
        from desc in Gen.Elements("", " DESC")
        from nulls in Gen.Elements("", " NULLS FIRST", " NULLS LAST")
        from tie in Gen.Elements("", ", id DESC")
        from k in Gen.OneOf(Gen.Choose(1, 40), Gen.Elements(300, 1100))
        from filter in Gen.Elements("", "WHERE id % 3 <> 0", "WHERE id % 50 = 7")
        select $"{filter} ORDER BY {function}(e, [{string.Join(", ", probe)}]::FLOAT[4]){desc}{nulls}{tie} LIMIT {k}";

    /// <summary>A similarity key with a constant probe takes the fused kernel (scored 256 rows at a time and narrowed at
    /// once, no score array): its rows equal the head of the full sort, with ties, NULL vectors, NaN scores, both
    /// directions and filters.</summary>
    [Fact]
    public void Fused_similarity_top_k_equals_the_head_of_the_full_sort()
    {
        var property = Prop.ForAll(SimilarityOrders.ToArbitrary(), order =>
        {
            var sql = $"SELECT id FROM vt {order}";
            Assert.Equal(_sort.Query(sql).Rows().Select(r => r[0]), _topK.Query(sql).Rows().Select(r => r[0]));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }
}
