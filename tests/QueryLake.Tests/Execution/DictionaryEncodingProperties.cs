using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Ipc;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>
/// Text stored dictionary-encoded gives exactly the answers of the same rows never encoded (an inline VALUES table):
/// filters, functions, CASE, grouping on one and two keys, count(DISTINCT), min/max, joins, sorts, top-k, windows,
/// DISTINCT and set operations, over random low-cardinality text with NULLs, in datasets whose fragments each have
/// their own dictionary (and one fragment of unique values that stays plain).
/// </summary>
public sealed class DictionaryEncodingProperties
{
    private static readonly string[] Queries =
    [
        "SELECT a, count(*), sum(x) FROM {0} GROUP BY a ORDER BY a NULLS FIRST",
        "SELECT a, b, count(*), min(x) FROM {0} GROUP BY a, b ORDER BY a NULLS FIRST, b NULLS FIRST",
        "SELECT count(DISTINCT a), count(a), count(*), min(a), max(b) FROM {0}",
        "SELECT b, min(a), max(a), count(a) FROM {0} GROUP BY b ORDER BY 1 NULLS FIRST",
        "SELECT min(a), max(a), min(b), max(b) FROM {0} WHERE a IS NOT NULL AND b IS NOT NULL",
        "SELECT count(*) FROM {0} WHERE a = 'k3'",
        "SELECT count(*) FROM {0} WHERE a LIKE 'k1%' OR b IN ('k2', 'k5')",
        "SELECT x, upper(a), length(b), coalesce(a, 'none'), a || '!', CASE WHEN a = 'k1' THEN b ELSE a END FROM {0} ORDER BY x",
        "SELECT x, a FROM {0} WHERE x % 3 = 0 AND a <> 'k2' ORDER BY x",
        "SELECT a, x FROM {0} ORDER BY a DESC NULLS LAST, x LIMIT 7",
        "SELECT x, a, b FROM {0} ORDER BY b NULLS FIRST, a, x",
        "SELECT x, row_number() OVER (PARTITION BY a ORDER BY x), lag(b) OVER (ORDER BY x) FROM {0} ORDER BY x",
        "SELECT DISTINCT a FROM {0} ORDER BY a NULLS FIRST",
        "SELECT a FROM {0} WHERE x < 50 INTERSECT SELECT b FROM {0} ORDER BY 1 NULLS FIRST",
        "SELECT l.a, count(*), sum(r.x) FROM {0} l JOIN {0} r ON l.a = r.b GROUP BY l.a ORDER BY l.a",
        "SELECT l.x, r.x FROM {0} l LEFT JOIN {0} r ON l.b = r.a AND r.x < 5 ORDER BY l.x, r.x NULLS FIRST",
        "SELECT a, string_agg(b, ',' ORDER BY x) FROM {0} GROUP BY a ORDER BY a NULLS FIRST",
        "SELECT l.x, r.x, r.a, upper(r.b), r.b = 'k1' FROM {0} l LEFT JOIN {0} r ON l.b = r.a AND r.x % 4 = 1 ORDER BY l.x, r.x NULLS FIRST",
        "SELECT r.b, count(*), count(DISTINCT r.a) FROM {0} l JOIN {0} r ON l.a = r.a GROUP BY r.b ORDER BY 1 NULLS FIRST",
        "SELECT l.a, r.b, r.x FROM {0} l FULL JOIN {0} r ON l.x = r.x + 3 AND l.a = r.a ORDER BY r.x NULLS FIRST, l.a NULLS FIRST, r.b NULLS FIRST",
    ];

    [Fact]
    public void Encoded_text_answers_like_plain_text()
    {
        using var s = QueryLakeSession.Open();
        int run = 0;
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            int spread = rng.Next(1, 12);
            string Text() => rng.Next(7) == 0 ? "NULL" : $"'k{rng.Next(spread)}'";
            var parts = new List<List<string>>();
            int x = 0;
            for (int p = rng.Next(1, 4); p > 0; p--)
                parts.Add(Enumerable.Range(0, rng.Next(8, 120)).Select(_ => $"({Text()}, {Text()}, {x++})").ToList());
            // A fragment of distinct values: too varied to encode, so the dataset mixes encoded and plain fragments.
            parts.Add(Enumerable.Range(0, rng.Next(1, 6)).Select(i => $"('u{x}_{i}', 'k1', {x++})").ToList());
            string name = $"d{run++}";
            s.Execute($"CREATE DATASET {name} AS SELECT * FROM (VALUES {string.Join(", ", parts[0])}) v(a, b, x)");
            foreach (var part in parts.Skip(1))
                s.Execute($"INSERT INTO {name} SELECT * FROM (VALUES {string.Join(", ", part)}) v(a, b, x)");
            string inline = $"(SELECT * FROM (VALUES {string.Join(", ", parts.SelectMany(p => p))}) v(a, b, x))";
            foreach (var q in Queries)
            {
                var stored = Rows(s, string.Format(CultureInfo.InvariantCulture, q, name));
                var plain = Rows(s, string.Format(CultureInfo.InvariantCulture, q, inline));
                Assert.True(plain.SequenceEqual(stored), $"{q} (seed {seed}):\nplain:  {string.Join(" ; ", plain)}\nstored: {string.Join(" ; ", stored)}");
            }
            s.Execute($"DROP DATASET {name}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    [Fact]
    public void Repetitive_text_is_stored_encoded_and_apache_arrow_reads_the_files()
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t AS SELECT 'k' || CAST(i % 5 AS VARCHAR) AS a, 'u' || CAST(i AS VARCHAR) AS u, i FROM (SELECT range AS i FROM range(1000))");
        var files = Directory.GetFiles(Path.Combine(s.Lake.Path, "t"), "*.arrow", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var schema = ArrowFileReader.Open(file).Schema;
            Assert.IsType<DictionaryType>(schema.Fields[0].DataType);
            Assert.Equal(DataType.Utf8, schema.Fields[1].DataType); // unique values stay plain
            // An implementation nobody here wrote decodes the dictionary to the same values.
            var dump = Support.Oracles.ArrowDump(file);
            Assert.StartsWith("dictionary<", dump.GetProperty("fields")[0].GetProperty("type").GetString());
            var rows = dump.GetProperty("rows").EnumerateArray().Select(r => (r[0].GetString(), r[1].GetString(), r[2].GetString())).ToList();
            Assert.All(rows, r => Assert.Equal($"k{long.Parse(r.Item3!, CultureInfo.InvariantCulture) % 5}", r.Item1));
            Assert.All(rows, r => Assert.Equal($"u{r.Item3}", r.Item2));
        }
        Assert.Equal([["k0", 200L], ["k1", 200L], ["k2", 200L], ["k3", 200L], ["k4", 200L]],
            s.Query("SELECT a, count(*) FROM t GROUP BY a ORDER BY a").Rows().Select(r => r.ToArray()).ToArray());
    }

    private static List<string> Rows(QueryLakeSession s, string sql) =>
        s.Query(sql).Rows().Select(r => string.Join("|", r.Select(v => v switch
        {
            null => "∅",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        }))).ToList();
}
