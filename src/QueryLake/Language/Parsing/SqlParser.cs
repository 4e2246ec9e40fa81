using Antlr4.Runtime;
using Antlr4.Runtime.Misc;
using QueryLake.Language.Ast;
using QueryLake.Language.Parsing.Generated;

namespace QueryLake.Language.Parsing;

/// <summary>Parses SQL text into statements. Syntax errors become <see cref="SqlException"/> with line:column.</summary>
internal static class SqlParser
{
    /// <summary>How deeply expressions may nest (operators, function calls, parentheses, CASE, subscripts), as DuckDB's
    /// max_expression_depth: every later stage walks expressions recursively, and a deeper one would exhaust the stack.</summary>
    public const int MaxExpressionDepth = 1000;

    /// <summary>Texts longer than this are parsed on a thread with a large stack: the parser descends once per nesting
    /// level before the depth can be checked.</summary>
    private const int LongText = 1000;

    private static IReadOnlyList<Statement> Parse(string sql)
    {
        var parser = Create(sql);
        var script = parser.script();
        return script.statement().Select(s => Build(s, sql)).ToList();
    }

    /// <summary>Runs <paramref name="parse"/> here for short texts, else on a thread with a 256 MB stack, passing its
    /// result or exception back.</summary>
    private static IReadOnlyList<Statement> OnDeepStack(string sql, Func<string, IReadOnlyList<Statement>> parse)
    {
        if (sql.Length <= LongText) return parse(sql);
        IReadOnlyList<Statement>? result = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = parse(sql); }
            catch (Exception e) { error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }, 256 << 20);
        thread.Start();
        thread.Join();
        error?.Throw();
        return result!;
    }

    /// <summary>Fails with QL-TOO-COMPLEX where an expression nests deeper than <see cref="MaxExpressionDepth"/>, walking
    /// the parse tree with an explicit stack. A level is a node of the expression rules with an operator, a call or
    /// brackets (more than one child); a bare pass-through level does not count.</summary>
    private static void CheckDepth(Antlr4.Runtime.Tree.IParseTree root)
    {
        var stack = new Stack<(Antlr4.Runtime.Tree.IParseTree Node, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (node is QueryLakeParser.ExpressionContext or QueryLakeParser.ValueExpressionContext or QueryLakeParser.PrimaryExpressionContext
                && node.ChildCount > 1 && ++depth > MaxExpressionDepth)
            {
                var at = ((ParserRuleContext)node).Start;
                throw new SqlException("QL-TOO-COMPLEX", at.Line, at.Column + 1,
                    $"the expression nests more than {MaxExpressionDepth} levels deep (operators, calls, parentheses); write a long list as IN (…) or VALUES, or split the expression");
            }
            for (int i = 0; i < node.ChildCount; i++) stack.Push((node.GetChild(i), depth));
        }
    }

    private static QueryLakeParser Create(string sql)
    {
        var lexer = new QueryLakeLexer(new AntlrInputStream(sql));
        lexer.RemoveErrorListeners();
        lexer.AddErrorListener(new LexerErrors());
        var parser = new QueryLakeParser(new CommonTokenStream(lexer));
        parser.RemoveErrorListeners();
        parser.AddErrorListener(new ParserErrors());
        parser.ErrorHandler = new BailErrorStrategy();
        parser.Interpreter.PredictionMode = Antlr4.Runtime.Atn.PredictionMode.SLL;
        CheckBrackets((CommonTokenStream)parser.TokenStream);
        return parser;
    }

    /// <summary>Fails with QL-TOO-COMPLEX where brackets nest deeper than <see cref="MaxExpressionDepth"/>, before
    /// parsing: the parser's lookahead over deeply nested brackets costs time and memory far beyond the text's size.</summary>
    private static void CheckBrackets(CommonTokenStream tokens)
    {
        tokens.Fill();
        int depth = 0;
        foreach (var t in tokens.GetTokens())
        {
            if (t.Type is QueryLakeLexer.LPAREN or QueryLakeLexer.LBRACKET or QueryLakeLexer.LBRACE)
            {
                if (++depth > MaxExpressionDepth)
                    throw new SqlException("QL-TOO-COMPLEX", t.Line, t.Column + 1,
                        $"brackets nest more than {MaxExpressionDepth} levels deep; write a long list as IN (…) or VALUES, or split the expression");
            }
            else if (t.Type is QueryLakeLexer.RPAREN or QueryLakeLexer.RBRACKET or QueryLakeLexer.RBRACE) depth = Math.Max(0, depth - 1);
        }
    }

    private static Statement Build(QueryLakeParser.StatementContext s, string sql)
    {
        CheckDepth(s);
        var stmt = (Statement)new AstBuilder().Visit(s)!;
        int start = s.Start.StartIndex, stop = s.Stop?.StopIndex ?? start;
        return stmt with { Text = sql.Substring(start, Math.Max(0, stop - start + 1)) };
    }

    /// <summary>Parses with the fast SLL mode first, falling back to full LL (and its precise errors) on failure.</summary>
    public static IReadOnlyList<Statement> ParseScript(string sql) => OnDeepStack(sql, text =>
    {
        try
        {
            return Parse(text);
        }
        catch (ParseCanceledException)
        {
            var parser = Create(text);
            parser.ErrorHandler = new DefaultErrorStrategy();
            parser.Interpreter.PredictionMode = Antlr4.Runtime.Atn.PredictionMode.LL;
            var script = parser.script();
            return script.statement().Select(s => Build(s, text)).ToList();
        }
    });

    private sealed class LexerErrors : IAntlrErrorListener<int>
    {
        public void SyntaxError(TextWriter output, IRecognizer recognizer, int offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e) =>
            throw new SqlException("QL-SYNTAX", line, charPositionInLine + 1, $"unexpected character: {msg.Replace("token recognition error at: ", "")}");
    }

    private sealed class ParserErrors : BaseErrorListener
    {
        /// <summary>The $ or $tag$ that opens a dollar-quoted string the lexer found no end for: the offending $
        /// right after another $ or after $tag.</summary>
        private static (int Line, int Column, string Text)? OpenDollarQuote(ITokenStream tokens, IToken dollar)
        {
            int i = dollar.TokenIndex;
            if (i < 1) return null;
            var before = tokens.Get(i - 1);
            if (before.Type == QueryLakeLexer.DOLLAR && before.StopIndex + 1 == dollar.StartIndex)
                return (before.Line, before.Column, "$$");
            if (i >= 2 && before.Type == QueryLakeLexer.IDENTIFIER && before.StopIndex + 1 == dollar.StartIndex
                && tokens.Get(i - 2) is { Type: QueryLakeLexer.DOLLAR } first && first.StopIndex + 1 == before.StartIndex)
                return (first.Line, first.Column, $"${before.Text}$");
            return null;
        }

        public override void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e)
        {
            string near = offendingSymbol.Type == TokenConstants.EOF ? "end of input" : $"'{offendingSymbol.Text}'";
            string hint = msg.StartsWith("mismatched input", StringComparison.Ordinal) || msg.StartsWith("extraneous input", StringComparison.Ordinal) || msg.StartsWith("no viable", StringComparison.Ordinal)
                ? "" : $" ({msg})";
            var expected = msg.IndexOf("expecting", StringComparison.Ordinal) is var i and >= 0 ? Expected(msg[(i + "expecting".Length)..]) : [];
            var text = offendingSymbol.Type == TokenConstants.EOF ? "" : offendingSymbol.Text ?? "";
            // A misspelt keyword (SELEC): the expected keyword it resembles.
            var similar = text.Length >= 3 && text.All(char.IsLetter) ? Binding.Scope.Suggest(text.ToUpperInvariant(), expected.Where(x => x.All(char.IsLetter))) : "";
            var expecting = similar.Length > 0 ? similar : Few(expected);
            // A quote the lexer could not close reaches the parser as a lone character.
            if (text is "'" or "\"" && offendingSymbol.Type == QueryLakeLexer.UNRECOGNIZED)
                throw new SqlException("QL-SYNTAX", line, charPositionInLine + 1, $"unterminated {(text == "'" ? "string" : "quoted name")}: the {text} here is never closed");
            // An unclosed $$ or $tag$ reaches it as $ [tag] $.
            if (offendingSymbol.Type == QueryLakeLexer.DOLLAR && recognizer.InputStream is ITokenStream tokens && OpenDollarQuote(tokens, offendingSymbol) is { } open)
                throw new SqlException("QL-SYNTAX", open.Line, open.Column + 1,
                    $"unterminated dollar-quoted string: the {open.Text} here is never closed by {open.Text}");
            throw new SqlException("QL-SYNTAX", line, charPositionInLine + 1, $"syntax error near {near}{expecting}{hint}");
        }

        /// <summary>The tokens ANTLR says it expected ("{A, B, ';'}" or "A"), as a user reads them.</summary>
        private static List<string> Expected(string set) =>
            set.Trim().TrimStart('{').TrimEnd('}').Split(", ", StringSplitOptions.RemoveEmptyEntries)
                .Select(t => t == "<EOF>" ? "end of input" : t.Trim('\'')).Distinct().ToList();

        /// <summary>At most five of the expected tokens, the likeliest first: closing punctuation, then the words that
        /// continue a clause, then the rest in the grammar's order, with a count of those left out.</summary>
        private static string Few(List<string> expected)
        {
            if (expected.Count == 0) return "";
            string[] likely = [")", "]", "}", ",", ";", "end of input", "BY", "FROM", "AS", "ON", "THEN", "END", "SELECT", "WHERE", "INTO"];
            var ranked = expected.OrderBy(t => Array.IndexOf(likely, t) is var k and >= 0 ? k : likely.Length).ToList();
            var shown = ranked.Take(5).Select(t => t.All(c => char.IsLetter(c) || c == '_') || t == "end of input" ? t : $"'{t}'");
            return "; expected " + string.Join(", ", shown) + (ranked.Count > 5 ? $" or one of {ranked.Count - 5} more" : "");
        }
    }
}
