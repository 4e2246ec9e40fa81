using System.Diagnostics;
using System.Text;
using QueryLake.Errors;
using QueryLake.Language.Parsing;
using QueryLake.Display;
using QueryLake.Sessions;
using RadLine;
using Spectre.Console;

namespace QueryLake.Cli;

/// <summary>
/// The REPL. On a terminal it edits lines (RadLine): history kept in ~/.querylake_history, Tab completion from the
/// engine (<see cref="SqlCompletion"/>), keyword and function highlighting, dot commands, multi-line statements ending
/// with ';'. With redirected input it reads statements plainly. Ctrl-C cancels the running statement, not the REPL.
/// </summary>
internal static class Repl
{
    private const int HistoryLimit = 2000;

    public static int Run(QueryLakeSession session, OutputFormat format)
    {
        using var state = new ReplState(session, format);
        CancellationTokenSource? running = null;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // never leave on Ctrl-C
            if (running is { } r) { try { r.Cancel(); } catch (ObjectDisposedException) { } }
            else if (state.Prompt is { } p) { try { p.Cancel(); } catch (ObjectDisposedException) { } } // at the prompt: clear the line
        };
        int exit = 0;
        void Execute(string sql)
        {
            running = new CancellationTokenSource();
            try
            {
                var sw = Stopwatch.StartNew();
                // Results printed to a file are not fitted to the terminal.
                int width = state.OutputPath is null ? ResultPrinter.TerminalWidth() : int.MaxValue;
                foreach (var result in state.Session.ExecuteEach(sql, cancel: running.Token))
                    ResultPrinter.Print(state.Out, result, state.Format, state.MaxRows, width, state.Headers);
                if (state.Timer) Console.WriteLine($"Run Time: {sw.Elapsed.TotalSeconds:0.000} s");
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("Error: " + e switch
                {
                    OperationCanceledException => "cancelled",
                    QueryLakeException or IOException or UnauthorizedAccessException or ArgumentException => e.Message,
                    _ => $"internal error ({e.GetType().Name}): {e.Message}",
                });
                // Where it is: the statement's line and a caret under the column.
                if (e is Language.SqlException se && se.Pointer(sql) is { Length: > 0 } pointer)
                    Console.Error.WriteLine(pointer);
                exit = 1;
            }
            finally
            {
                running.Dispose();
                running = null;
                state.StatementDone();
            }
        }
        bool interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        if (interactive) state.Progress = new ProgressLine(Console.Error);
        if (interactive) Interactive(state, Execute);
        else Plain(state, Execute);
        return interactive ? 0 : exit;
    }

    /// <summary>Handles one line: a dot command, or part of a statement. Returns what ran: the dot command, or the whole
    /// statement once this line completes it (null while it continues).</summary>
    private static string? Accept(string line, StringBuilder buffer, ReplState state, Action<string> execute)
    {
        if (buffer.Length == 0 && line.TrimStart().StartsWith('.'))
        {
            try { MetaCommands.Run(line, state, execute, state.Out); }
            catch (Exception e) when (e is ArgumentException or IOException or QueryLakeException or UnauthorizedAccessException) { Console.Error.WriteLine("Error: " + e.Message); }
            return line;
        }
        buffer.AppendLine(line);
        // A ';' inside a quote, a comment or dollar-quoted text does not end the statement.
        var sql = buffer.ToString();
        if (!StatementSplitter.IsComplete(sql)) return null;
        buffer.Clear();
        execute(sql);
        return sql;
    }

    private static void Plain(ReplState state, Action<string> execute)
    {
        var buffer = new StringBuilder();
        while (!state.Quit && Console.ReadLine() is { } line) Accept(line, buffer, state, execute);
        if (buffer.ToString().Trim() is { Length: > 0 } rest) execute(rest);
    }

    private static void Interactive(ReplState state, Action<string> execute)
    {
        var console = AnsiConsole.Console;
        bool eof = false;
        var buffer = new StringBuilder();
        var editor = new LineEditor(console, null, null)
        {
            MultiLine = false,
            Prompt = new Prompt(() => buffer.Length > 0),
            Completion = new Completion(state),
            Highlighter = Highlighter(),
        };
        editor.KeyBindings.Add(ConsoleKey.D, ConsoleModifiers.Control, () => new EndOfInput(() => eof = true));
        editor.KeyBindings.Add(ConsoleKey.L, ConsoleModifiers.Control, () => new ClearScreen(console));
        // Up and Down (and Ctrl-P, Ctrl-N) walk the REPL's own history of statements, as in psql and DuckDB: the editor's
        // keeps lines, and cannot go back to the line being typed.
        var historyPath = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".querylake_history");
        var history = new ReplHistory(LoadHistory(historyPath));
        editor.KeyBindings.Add(ConsoleKey.UpArrow, () => new Recall(history, back: true));
        editor.KeyBindings.Add(ConsoleKey.DownArrow, () => new Recall(history, back: false));
        editor.KeyBindings.Add(ConsoleKey.P, ConsoleModifiers.Control, () => new Recall(history, back: true));
        editor.KeyBindings.Add(ConsoleKey.N, ConsoleModifiers.Control, () => new Recall(history, back: false));
        Console.WriteLine($"querylake — lake {state.Session.Lake.Path}\nEnd statements with ';'. .help lists commands; Ctrl-D exits.");
        while (!state.Quit)
        {
            string? line;
            using var prompt = new CancellationTokenSource();
            state.Prompt = prompt;
            try { line = editor.ReadLine(prompt.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { line = null; }
            catch (InvalidOperationException) { Plain(state, execute); return; } // no usable terminal after all
            finally { state.Prompt = null; }
            if (prompt.IsCancellationRequested)
            {
                // Ctrl-C at the prompt drops the line and any unfinished statement, as in psql and DuckDB.
                buffer.Clear();
                history.Reset();
                Console.WriteLine("^C");
                continue;
            }
            if (eof || line is null) break;
            history.Reset();
            // A finished statement (all its lines) or a dot command becomes one history entry, here and in the file.
            if (Accept(line, buffer, state, execute) is { } ran && ran.Trim().Length > 0)
            {
                history.Add(ran);
                AppendHistory(historyPath, history.Entries[^1]);
            }
        }
        Console.WriteLine();
    }

    private static List<string> LoadHistory(string path)
    {
        try { return File.Exists(path) ? File.ReadLines(path).Where(l => l.Length > 0).TakeLast(HistoryLimit).ToList() : []; }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    private static void AppendHistory(string path, string line)
    {
        try { File.AppendAllText(path, line.ReplaceLineEndings(" ") + "\n"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static WordHighlighter Highlighter()
    {
        var h = new WordHighlighter(StringComparer.OrdinalIgnoreCase);
        var keyword = new Style(Color.DodgerBlue1, decoration: Decoration.Bold);
        var function = new Style(Color.Green3);
        foreach (var f in SqlCompletion.Functions) h.AddWord(f, function);
        foreach (var k in SqlCompletion.Keywords) h.AddWord(k, keyword);
        return h;
    }

    /// <summary>Tab completion from the engine: the candidates replace the token under the cursor. When a word has
    /// several, the first Tab lists them all under the line (in columns, as a shell does) and puts in the first; Tab
    /// again cycles through every candidate of the word first typed (Shift-Tab backwards): while the word is one of
    /// the last candidates at the same place, the last list is offered again, so the editor moves to the next one
    /// instead of completing the candidate itself (which would offer only its own extensions).</summary>
    private sealed class Completion(ReplState state) : ITextCompletion
    {
        /// <summary>At most this many rows of candidates are listed; the last says how many more there are.</summary>
        private const int ListRows = 8;

        private (string Prefix, string Suffix, string[] Candidates)? _last;

        public IEnumerable<string> GetCompletions(string prefix, string word, string suffix)
        {
            if (_last is { } last && last.Prefix == prefix && last.Suffix == suffix && last.Candidates.Contains(word, StringComparer.Ordinal))
                return last.Candidates;
            var before = prefix + word;
            var candidates = SqlCompletion.Complete(state.Session, before, out int start);
            // The editor replaces its own word; keep what precedes our token inside it (a quote, a parenthesis).
            string lead = start > prefix.Length ? before[prefix.Length..start] : "";
            var list = candidates.Select(c => lead + c).ToArray();
            _last = (prefix, suffix, list);
            if (list.Length > 1) Show(candidates);
            return list;
        }

        /// <summary>Writes the candidates below the line being edited; the editor then draws its line again under them.</summary>
        private static void Show(IReadOnlyList<string> candidates)
        {
            int width = Console.IsOutputRedirected ? 80 : Math.Max(20, Console.WindowWidth);
            var lines = ColumnList.Format(candidates, width - 1, ListRows);
            Console.Out.Write("\r\n" + string.Join("\r\n", lines) + "\r\n");
            Console.Out.Flush();
        }
    }

    /// <summary>"ql>" for a new statement, "  >" while one continues.</summary>
    private sealed class Prompt(Func<bool> continuing) : ILineEditorPrompt
    {
        public (Markup Markup, int Margin) GetPrompt(ILineEditorState state, int line) =>
            (new Markup(continuing() ? "[green]  >[/]" : "[bold green]ql>[/]"), 1);
    }

    /// <summary>Up or Down: the line shows the previous or next history entry (Down past the newest: what was typed).</summary>
    private sealed class Recall(ReplHistory history, bool back) : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            var text = back ? history.Previous(context.Buffer.Content) : history.Next();
            if (text is null) return;
            context.Buffer.Move(0);
            context.Buffer.Clear(0, context.Buffer.Length);
            context.Buffer.Insert(text);
            context.Buffer.Move(text.Length);
        }
    }

    /// <summary>Ctrl-L: clears the screen; the line being edited is drawn again at the top.</summary>
    private sealed class ClearScreen(IAnsiConsole console) : LineEditorCommand
    {
        public override void Execute(LineEditorContext context) => console.Clear(home: true);
    }

    /// <summary>Ctrl-D: leaves on an empty line, else deletes the character under the cursor.</summary>
    private sealed class EndOfInput(Action onEof) : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            if (context.Buffer.Content.Length == 0)
            {
                onEof();
                context.Submit(SubmitAction.Submit);
            }
            else new DeleteCommand().Execute(context);
        }
    }
}
