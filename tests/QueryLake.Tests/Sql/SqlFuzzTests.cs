using System.Diagnostics;
using System.Globalization;
using System.Text;
using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Sql;

/// <summary>
/// A bounded, seeded, grammar-based SQL fuzzer: thousands of random statements (queries with expressions of every
/// kind, joins, grouping, windows, subqueries and casts; writes; and the same with tokens dropped, repeated or swapped)
/// over two small datasets. Every statement must succeed or fail with a QueryLakeException whose message carries no
/// .NET exception text; none may run past its statement timeout, and the process must survive all of them.
/// Set QL_FUZZ_TRACE to a file to have every statement appended to it (to replay a crash in the CLI).
/// </summary>
public sealed class SqlFuzzTests
{
    private static readonly string[] Numeric = ["abs", "round", "sign", "sqrt", "ln", "floor", "ceil"];
    private static readonly string[] Text = ["upper", "lower", "length", "trim", "reverse", "md5"];
    private static readonly string[] Aggregates = ["count", "sum", "avg", "min", "max", "median", "string_agg", "list", "any_value"];
    private static readonly string[] Types = ["BIGINT", "INTEGER", "DOUBLE", "VARCHAR", "DATE", "BOOLEAN", "DECIMAL(10, 2)", "TIMESTAMP", "BIGINT[]"];
    private static readonly string[] Operators = ["+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR", "IS DISTINCT FROM"];

    /// <summary>Words a .NET exception's message would carry, which no user-facing error may.</summary>
    internal static IReadOnlyList<string> DotNetText => Support.ErrorTextScan.DotNetText;

    private sealed class Generator(Random r)
    {
        private T Pick<T>(IReadOnlyList<T> items) => items[r.Next(items.Count)];

        public string Literal() => r.Next(9) switch
        {
            0 => "NULL",
            1 => r.Next(-5, 100).ToString(CultureInfo.InvariantCulture),
            2 => (r.NextDouble() * 100 - 20).ToString("0.###", CultureInfo.InvariantCulture),
            3 => $"'{Pick(["x", "abc", "", "a'b", "2024-01-02", "12", "%"]).Replace("'", "''")}'",
            4 => "DATE '2024-03-0" + r.Next(1, 9) + "'",
            5 => "[" + string.Join(", ", Enumerable.Range(0, r.Next(4)).Select(_ => r.Next(10))) + "]",
            6 => Pick(["true", "false"]),
            7 => "9223372036854775807",
            _ => "INTERVAL '" + r.Next(1, 40) + " days'",
        };

        /// <summary>An expression of any type; columns are qualified by <paramref name="table"/>.</summary>
        public string Expr(int depth, string table = "t") => r.Next(10) switch
        {
            < 4 => Num(depth, table),
            < 7 => Str(depth, table),
            < 9 => Bool(depth, table),
            _ => table == "t" ? Pick(["t.d", "t.d + INTERVAL 3 day", "t.l", "list_distinct(t.l)", $"[{Num(0, table)}, 2]", Literal()]) : Literal(),
        };

        public string Num(int depth, string table = "t")
        {
            if (depth <= 0 || r.Next(4) == 0)
                return r.Next(3) == 0 ? Pick(["NULL", r.Next(-5, 100).ToString(CultureInfo.InvariantCulture), (r.NextDouble() * 100 - 20).ToString("0.##", CultureInfo.InvariantCulture), "9223372036854775807"])
                    : Pick<string>(table == "t" ? ["t.a", "t.b", "t.a"] : ["u.a"]);
            int d = depth - 1;
            return r.Next(14) switch
            {
                0 or 1 => $"({Num(d, table)} {Pick(["+", "-", "*", "/", "%", "//"])} {Num(d, table)})",
                2 => $"{Pick(Numeric)}({Num(d, table)})",
                3 => $"length({Str(d, table)})",
                4 => $"{Pick(["CAST", "TRY_CAST"])}({Str(d, table)} AS {Pick(["BIGINT", "DOUBLE", "INTEGER", "DECIMAL(10, 2)"])})",
                5 => $"CASE WHEN {Bool(d, table)} THEN {Num(d, table)} ELSE {Num(d, table)} END",
                6 => $"coalesce({Num(d, table)}, {Num(d, table)})",
                7 => $"nullif({Num(d, table)}, {Num(d, table)})",
                8 => table == "t" ? Pick(["extract(year FROM t.d)", "date_part('month', t.d)", "t.l[1]", "t.l[-1]", "len(t.l)", "list_sum(t.l)"]) : "u.a",
                9 => table == "t" ? "(SELECT max(u.a) FROM u WHERE u.s = t.s)" : "(SELECT count(*) FROM t)",
                10 => $"greatest({Num(d, table)}, {Num(d, table)})",
                11 => $"-{Num(d, table)}",
                12 => $"CAST({Num(d, table)} AS {Pick(["SMALLINT", "TINYINT", "UBIGINT", "REAL"])})",
                _ => $"round({Num(d, table)}, {r.Next(0, 3)})",
            };
        }

        public string Str(int depth, string table = "t")
        {
            if (depth <= 0 || r.Next(4) == 0)
                return r.Next(3) == 0 ? $"'{Pick(["x", "abc", "", "a''b", "2024-01-02", "12", "%", "k1"])}'" : (table == "t" ? "t.s" : "u.s");
            int d = depth - 1;
            return r.Next(8) switch
            {
                0 => $"{Pick(Text.Where(f => f != "length").ToArray())}({Str(d, table)})",
                1 => $"({Str(d, table)} || {Str(d, table)})",
                2 => $"substring({Str(d, table)} FROM {r.Next(-2, 5)} FOR {r.Next(-1, 5)})",
                3 => $"CAST({Num(d, table)} AS VARCHAR)",
                4 => $"CASE WHEN {Bool(d, table)} THEN {Str(d, table)} END",
                5 => $"coalesce({Str(d, table)}, 'none')",
                6 => $"replace({Str(d, table)}, 'k', '')",
                _ => $"concat({Str(d, table)}, {Num(d, table)})",
            };
        }

        public string Bool(int depth, string table = "t")
        {
            int d = Math.Max(0, depth - 1);
            return r.Next(11) switch
            {
                0 or 1 => $"{Num(d, table)} {Pick(["=", "<>", "<", ">=", "IS DISTINCT FROM"])} {Num(d, table)}",
                2 => $"{Str(d, table)} {Pick(["=", "<>", "<", ">="])} {Str(d, table)}",
                3 => depth <= 0 ? "true" : $"({Bool(d, table)} {Pick(["AND", "OR"])} {Bool(d, table)})",
                4 => depth <= 0 ? "NULL" : $"NOT {Bool(d, table)}",
                5 => $"{Num(d, table)} IN ({Num(0, table)}, {r.Next(10)}, NULL)",
                6 => $"{Num(d, table)} BETWEEN {Num(0, table)} AND {Num(0, table)}",
                7 => $"{Str(d, table)} {Pick(["LIKE", "ILIKE", "NOT LIKE"])} '{Pick(["k%", "%1", "_", "%"])}'",
                8 => $"{Expr(d, table)} IS {Pick(["", "NOT "])}NULL",
                9 => table == "t" ? $"EXISTS (SELECT 1 FROM u WHERE u.a = {Num(d, table)})" : $"u.a IN (SELECT t.a FROM t WHERE {Bool(0)})",
                _ => $"{Num(d, table)} IN (SELECT u.a FROM u)",
            };
        }

        public string Query()
        {
            var sb = new StringBuilder("SELECT ");
            bool grouped = r.Next(3) == 0;
            if (r.Next(6) == 0) sb.Append("DISTINCT ");
            var items = new List<string>();
            if (grouped)
            {
                items.Add("t.s");
                for (int i = 0; i < 1 + r.Next(3); i++) items.Add($"{Pick(Aggregates)}({(r.Next(5) == 0 ? "DISTINCT " : "")}{Expr(2)})");
            }
            else
                for (int i = 0; i < 1 + r.Next(4); i++)
                    items.Add(r.Next(6) == 0 ? $"{Pick(["row_number()", "rank()", "sum(t.a)", "lag(t.b)", "count(*)", "avg(t.b)"])} OVER (PARTITION BY t.s ORDER BY {Pick(["t.a", "t.b", "t.d"])})" : Expr(3));
            sb.Append(string.Join(", ", items.Select((e, i) => $"{e} AS c{i}")));
            sb.Append(r.Next(5) switch
            {
                0 => " FROM t JOIN u ON t.a = u.a",
                1 => " FROM t LEFT JOIN u ON t.s = u.s",
                2 => " FROM t, u WHERE t.a < u.a",
                3 => " FROM (SELECT * FROM t WHERE a > 2) t",
                _ => " FROM t",
            });
            if (r.Next(2) == 0) sb.Append(sb.ToString().Contains(" WHERE ", StringComparison.Ordinal) ? " AND " : " WHERE ").Append(Bool(3));
            if (grouped) sb.Append(" GROUP BY t.s").Append(r.Next(3) == 0 ? $" HAVING count(*) > {r.Next(3)}" : "");
            if (r.Next(2) == 0) sb.Append(" ORDER BY 1").Append(r.Next(2) == 0 ? " DESC" : "");
            if (r.Next(3) == 0) sb.Append(" LIMIT ").Append(r.Next(0, 5));
            if (r.Next(8) == 0) sb.Append(Pick([" UNION ALL ", " EXCEPT ", " INTERSECT "])).Append("SELECT ").Append(string.Join(", ", items.Select((_, i) => Expr(1, "u")))).Append(" FROM u");
            return sb.ToString();
        }

        public string Write() => r.Next(4) switch
        {
            0 => $"INSERT INTO u SELECT t.a + {r.Next(100)}, t.s FROM t WHERE {Bool(2)}",
            1 => $"UPDATE u SET s = {Str(2, "u")} WHERE {Bool(2, "u")}",
            2 => $"DELETE FROM u WHERE {Bool(2, "u")}",
            _ => $"INSERT INTO u VALUES ({Literal()}, {Literal()})",
        };

        /// <summary>A statement with tokens dropped, repeated or swapped: mostly syntax errors, some odd valid ones.</summary>
        public string Mangle(string sql)
        {
            var tokens = sql.Split(' ').ToList();
            for (int k = 0; k < 1 + r.Next(3); k++)
            {
                int i = r.Next(tokens.Count);
                switch (r.Next(4))
                {
                    case 0: tokens.RemoveAt(i); break;
                    case 1: tokens.Insert(i, tokens[r.Next(tokens.Count)]); break;
                    case 2: (tokens[i], tokens[0]) = (tokens[0], tokens[i]); break;
                    default: tokens.Insert(i, Pick(["(", ")", ",", "'", "SELECT", "FROM", "WHERE", "OVER", "CAST", "::", "[", "]", "--", ";", "\"", "NULL", "*"])); break;
                }
                if (tokens.Count == 0) tokens.Add("SELECT");
            }
            return string.Join(' ', tokens);
        }
    }

    [Theory]
    [InlineData(20261203)]
    [InlineData(7)]
    public void Random_statements_succeed_or_fail_with_a_clean_error(int seed)
    {
        using var s = QueryLakeSession.Open();
        s.Execute("CREATE DATASET t AS SELECT range AS a, range * 0.5 AS b, CASE WHEN range % 4 = 0 THEN NULL ELSE 'k' || (range % 5) END AS s, " +
                  "DATE '2024-01-01' + CAST(range AS INTEGER) AS d, [range, range + 1] AS l FROM range(40)");
        s.Execute("CREATE DATASET u AS SELECT range AS a, 'k' || (range % 3) AS s FROM range(12)");
        s.StatementTimeout = TimeSpan.FromSeconds(5);
        var gen = new Generator(new Random(seed));
        int ok = 0, failed = 0;
        var codes = new Dictionary<string, (int Count, string Example)>();
        for (int i = 0; i < 1500; i++)
        {
            string sql = (i % 10) switch { 0 => gen.Write(), 1 or 2 => gen.Mangle(gen.Query()), _ => gen.Query() };
            var clock = Stopwatch.StartNew();
            if (Environment.GetEnvironmentVariable("QL_FUZZ_TRACE") is { } trace) File.AppendAllText(trace, sql.Replace("\n", " ") + ";\n");
            try
            {
                foreach (var result in s.ExecuteEach(sql)) result.Rows().Count();
                ok++;
            }
            catch (QueryLakeException e)
            {
                failed++;
                foreach (var text in DotNetText)
                    if (e.Message.Contains(text, StringComparison.Ordinal))
                        Assert.Fail($"seed {seed}, statement {i}: {sql}\nthe error shows .NET text '{text}': {e.Code}: {e.Message}");
                Assert.StartsWith("QL-", e.Code);
                codes[e.Code] = (codes.GetValueOrDefault(e.Code).Count + 1, codes.GetValueOrDefault(e.Code).Example ?? $"{sql} -> {e.Message}");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, statement {i}: {sql}\nan internal error escaped: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"seed {seed}, statement {i} ran {clock.Elapsed.TotalSeconds:F1} s past its 5 s timeout: {sql}");
        }
        // Not vacuous: many statements ran and many failed.
        Assert.True(ok > 300 && failed > 100, $"{ok} ran, {failed} failed: " + string.Join("\n", codes.OrderByDescending(c => c.Value.Count).Select(c => $"{c.Key} {c.Value.Count}: {c.Value.Example}")));
    }
}
