using Antlr4.Runtime;
using Antlr4.Runtime.Misc;
using QueryLake.Language.Ast;
using QueryLake.Language.Parsing.Generated;

namespace QueryLake.Language.Parsing;

/// <summary>Parses SQL text into statements. Syntax errors become <see cref="SqlException"/> with line:column.</summary>
internal static class SqlParser
{
    private static IReadOnlyList<Statement> Parse(string sql)
    {
        var parser = Create(sql);
        var script = parser.script();
        return script.statement().Select(s => Build(s, sql)).ToList();
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
        return parser;
    }

    private static Statement Build(QueryLakeParser.StatementContext s, string sql)
    {
        var stmt = (Statement)new AstBuilder().Visit(s)!;
        int start = s.Start.StartIndex, stop = s.Stop?.StopIndex ?? start;
        return stmt with { Text = sql.Substring(start, Math.Max(0, stop - start + 1)) };
    }

    /// <summary>Parses with the fast SLL mode first, falling back to full LL (and its precise errors) on failure.</summary>
    public static IReadOnlyList<Statement> ParseScript(string sql)
    {
        try
        {
            return Parse(sql);
        }
        catch (ParseCanceledException)
        {
            var parser = Create(sql);
            parser.ErrorHandler = new DefaultErrorStrategy();
            parser.Interpreter.PredictionMode = Antlr4.Runtime.Atn.PredictionMode.LL;
            var script = parser.script();
            return script.statement().Select(s => Build(s, sql)).ToList();
        }
    }

    private sealed class LexerErrors : IAntlrErrorListener<int>
    {
        public void SyntaxError(TextWriter output, IRecognizer recognizer, int offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e) =>
            throw new SqlException("QL-SYNTAX", line, charPositionInLine + 1, $"unexpected character: {msg.Replace("token recognition error at: ", "")}");
    }

    private sealed class ParserErrors : BaseErrorListener
    {
        public override void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e)
        {
            string near = offendingSymbol.Type == TokenConstants.EOF ? "end of input" : $"'{offendingSymbol.Text}'";
            string hint = msg.StartsWith("mismatched input", StringComparison.Ordinal) || msg.StartsWith("extraneous input", StringComparison.Ordinal) || msg.StartsWith("no viable", StringComparison.Ordinal)
                ? "" : $" ({msg})";
            var expecting = msg.IndexOf("expecting", StringComparison.Ordinal) is var i and >= 0 ? "; " + msg[i..] : "";
            throw new SqlException("QL-SYNTAX", line, charPositionInLine + 1, $"syntax error near {near}{expecting}{hint}");
        }
    }
}
